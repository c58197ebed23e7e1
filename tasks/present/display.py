"""Human-readable numbers for reports and terminal tables, so 3491337000000 CNY reads as CNY 3,491.337 bn."""
from __future__ import annotations

import math

# (threshold, divisor, suffix) per unit, largest first; values keep every stated digit (up to 3 decimals).
SCALES: dict[str, tuple[tuple[float, float, str], ...]] = {
    "CNY": ((1e9, 1e9, " bn"), (1e6, 1e6, " m")),
    "persons": ((1e9, 1e6, " m"), (1e6, 1e6, " m"), (1e4, 1e3, " k")),
    "person_times": ((1e6, 1e6, " m"), (1e4, 1e3, " k")),
}
PREFIX = {"CNY": "CNY "}
SUFFIX = {"percent": "%", "persons": " persons", "person_times": " person-times"}


def format_number(value: float, decimals: int = 3) -> str:
    """Thousands separators and at most `decimals` decimals, trailing zeros dropped."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: float | None, unit: str) -> str:
    """A value in its unit, scaled for reading: CNY 3,491.337 bn, 1,326.62 m persons, 84.8%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    for threshold, divisor, suffix in SCALES.get(unit, ()):
        if abs(value) >= threshold:
            return f"{PREFIX.get(unit, '')}{format_number(value / divisor)}{suffix}{SUFFIX.get(unit, '')}"
    return f"{PREFIX.get(unit, '')}{format_number(value)}{SUFFIX.get(unit, '')}"


def format_change(value: float | None, measure: str, unit: str) -> str:
    """A change with its sign: +4.2%, -0.3 pp, +CNY 141.237 bn."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    if measure == "yoy_pct":
        return f"{sign}{format_number(abs(value))}%"
    if measure == "yoy_pp":
        return f"{sign}{format_number(abs(value))} pp"
    return f"{sign}{format_value(abs(value), unit)}"


def axis_scale(unit: str, largest: float) -> tuple[float, str]:
    """Divisor and label of a chart axis for values up to `largest` in a unit."""
    for threshold, divisor, suffix in SCALES.get(unit, ()):
        if largest >= threshold:
            return divisor, f"{PREFIX.get(unit, '').strip()}{suffix}{SUFFIX.get(unit, '')}".strip()
    return 1.0, {"percent": "%", "CNY": "CNY"}.get(unit, unit.replace("_", "-"))
