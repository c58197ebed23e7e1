"""The report's headline cards: national levels of the release year with their change, stated or computed."""
from __future__ import annotations

import pandas as pd

from tasks.present.display import format_change, format_value

KEY_FIGURES = ("bmi.participants", "bmi.coverage_rate", "bmi.fund.revenue", "bmi.fund.expenditure",
               "derived.bmi.fund.balance", "bmi.fund.cumulative_balance", "ebmi.fund.revenue", "rbmi.fund.revenue",
               "ebmi.inpatient_reimbursement_ratio", "rbmi.inpatient_reimbursement_ratio", "cross_region.visits",
               "ltc.participants")
CHANGE_MEASURES = ("yoy_pct", "yoy_pp", "yoy_abs")
QUIET_STATUSES = ("agreed", "single_source")        # statuses a card does not badge


def key_figures(published: pd.DataFrame, names: dict[str, str], year: int,
                history: pd.DataFrame | None = None) -> list[dict]:
    """Headline levels of the release year, each with the change its text states or, where the text states none,
    the change computed from the level an earlier release published for the previous year (marked computed)."""
    national = published[published["region"].fillna("CN") == "CN"]
    rows = national[national["period_year"].astype(int) == int(year)]
    cards = []
    for iid in KEY_FIGURES:
        level = rows[(rows["indicator_id"] == iid) & (rows["measure"] == "level")]
        if level.empty:
            continue
        level = level.iloc[0]
        resolution = None if level["status"] == "derived" else level.get("resolution")
        card = {"id": iid, "name": names.get(iid, iid), "status": level["status"],
                "value": format_value(level["value"], level["unit"], resolution),
                "change": "", "direction": "", "change_status": "", "computed_from": None}
        change = rows[(rows["indicator_id"] == iid) & rows["measure"].isin(CHANGE_MEASURES)]
        if len(change):
            first = change.assign(_o=change["measure"].map(CHANGE_MEASURES.index)).sort_values("_o").iloc[0]
            card.update(change=format_change(first["value"], first["measure"], level["unit"]),
                        direction=_direction(first["value"]),
                        change_status="" if first["status"] in (*QUIET_STATUSES, level["status"]) else first["status"])
        else:
            card.update(computed_change(level, history, int(year)))
        cards.append(card)
    return cards


def computed_change(level: pd.Series, history: pd.DataFrame | None, year: int) -> dict:
    """Growth (or, for a percent, points) over the previous year's level in the latest earlier release."""
    if history is None or history.empty:
        return {}
    before = history[(history["indicator_id"] == level["indicator_id"])
                     & (history["region"].fillna("CN") == "CN") & (history["measure"] == "level")
                     & (history["period_year"].astype(int) == year - 1)
                     & (history["release_year"].astype(int) < year) & history["value"].notna()]
    if before.empty:
        return {}
    previous = before.sort_values("release_year", kind="stable").iloc[-1]
    if level["unit"] == "percent":
        value, measure = round(float(level["value"]) - float(previous["value"]), 1), "yoy_pp"
    elif previous["value"]:
        value, measure = round(100 * (float(level["value"]) / float(previous["value"]) - 1), 1), "yoy_pct"
    else:
        return {}
    return {"change": format_change(value, measure, level["unit"]), "direction": _direction(value),
            "computed_from": int(previous["release_year"])}


def _direction(value: float) -> str:
    return "up" if value > 0 else ("down" if value < 0 else "")
