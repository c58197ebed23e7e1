"""Inline SVG line charts of the main series, so reports need no JavaScript and work offline."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from markupsafe import Markup, escape

from tasks.present.display import axis_scale, format_number, format_value

WIDTH, PLOT_HEIGHT = 540, 170
LEFT, RIGHT, TOP, AXIS, LEGEND_LINE = 70, 20, 50, 30, 16
COLOURS = ("#1f5fa8", "#d9731a", "#2e8b57", "#a23b72", "#6b6b6b")


@dataclass(frozen=True)
class ChartSpec:
    """One chart: a title and the indicator ids (levels) drawn as lines."""

    title: str
    indicators: tuple[str, ...]


CHARTS = (
    ChartSpec("Participants", ("bmi.participants", "ebmi.participants", "rbmi.participants")),
    ChartSpec("Fund revenue", ("bmi.fund.revenue", "ebmi.fund.revenue", "rbmi.fund.revenue")),
    ChartSpec("Fund expenditure", ("bmi.fund.expenditure", "ebmi.fund.expenditure", "rbmi.fund.expenditure")),
    ChartSpec("Fund balance (revenue − expenditure)",
              ("derived.bmi.fund.balance", "derived.ebmi.fund.balance", "derived.rbmi.fund.balance")),
    ChartSpec("In-patient fund payment ratios",
              ("ebmi.inpatient_reimbursement_ratio", "rbmi.inpatient_reimbursement_ratio")),
    ChartSpec("Cross-region medical treatment",
              ("cross_region.visits", "cross_region.visits.ebmi", "cross_region.visits.rbmi")),
)


@dataclass(frozen=True)
class Series:
    """Points (period year, value, derived?) of one indicator."""

    label: str
    unit: str
    points: tuple[tuple[int, float, bool], ...]


def main_charts(latest: pd.DataFrame, names: dict[str, str]) -> list[Markup]:
    """SVG charts of the main series from one value per key (latest vintage), skipping charts without data."""
    levels = latest[(latest["measure"] == "level") & (latest["region"].fillna("CN") == "CN")]
    charts = []
    for spec in CHARTS:
        series = []
        for iid in spec.indicators:
            rows = levels[levels["indicator_id"] == iid].sort_values("period_year")
            if not rows.empty:
                points = tuple((int(p), float(v), s == "derived")
                               for p, v, s in zip(rows["period_year"], rows["value"], rows["status"]))
                series.append(Series(names.get(iid, iid), str(rows["unit"].iloc[0]), points))
        if series:
            charts.append(line_chart(spec.title, series))
    return charts


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9 * step:
        ticks.append(ticks[-1] + step)
    return ticks


def line_chart(title: str, series: list[Series]) -> Markup:
    """One SVG chart; hollow points are derived values, filled points are stated ones."""
    values = [v for s in series for _, v, _ in s.points]
    years = sorted({y for s in series for y, _, _ in s.points})
    divisor, axis_label = axis_scale(series[0].unit, max(abs(v) for v in values))
    ticks = nice_ticks(min(values) / divisor, max(values) / divisor)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    bottom = TOP + plot_h
    height = bottom + AXIS + LEGEND_LINE * len(series)

    def x(year: int) -> float:
        return LEFT + (plot_w / 2 if len(years) == 1 else plot_w * (year - years[0]) / (years[-1] - years[0]))

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value / divisor - ticks[0]) / (ticks[-1] - ticks[0]))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart">',
             f'<text x="12" y="22" class="chart-title">{escape(title)}</text>',
             f'<text x="12" y="{TOP - 14}" class="axis-label">{escape(axis_label)}</text>']
    for tick in ticks:
        ty = y(tick * divisor)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" class="tick">'
                     f'{escape(format_number(tick, 2))}</text>')
    for year in years:
        parts.append(f'<text x="{x(year):.1f}" y="{bottom + 18}" text-anchor="middle" class="tick">'
                     f'{year}</text>')
    for index, item in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        path = " ".join(f"{x(p):.1f},{y(v):.1f}" for p, v, _ in item.points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for year, value, derived in item.points:
            fill = "#ffffff" if derived else colour
            tip = f"{item.label}, {year}: {format_value(value, item.unit)}{' (derived)' if derived else ''}"
            parts.append(f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="4" fill="{fill}" stroke="{colour}" '
                         f'stroke-width="2"><title>{escape(tip)}</title></circle>')
        legend_y = bottom + AXIS + 10 + LEGEND_LINE * index
        parts.append(f'<rect x="{LEFT}" y="{legend_y - 9}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{LEFT + 18}" y="{legend_y + 1}" class="legend">{escape(item.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
