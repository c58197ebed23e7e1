"""Human-readable numbers for reports and terminal tables, so 3491337000000 CNY reads as CNY 3,491.337 bn."""
from __future__ import annotations

import math
import re
from decimal import Decimal

# (threshold, divisor, suffix) per unit, largest first; values keep every stated digit (up to 3 decimals).
SCALES: dict[str, tuple[tuple[float, float, str], ...]] = {
    "CNY": ((1e9, 1e9, " bn"), (1e6, 1e6, " m")),
    "persons": ((1e9, 1e6, " m"), (1e6, 1e6, " m"), (1e4, 1e3, " k")),
    "person_times": ((1e6, 1e6, " m"), (1e4, 1e3, " k")),
}
PREFIX = {"CNY": "CNY "}
MAX_DECIMALS = 6
EXPONENT_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?[eE][+-]\d+)(?![\w.])")   # 1.55168e+11, 5e+07 (signed, as Python writes floats; a hex id like 2452408e27 is no number)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")   # a spreadsheet reads a cell starting so as a formula
SUFFIX = {"percent": "%", "persons": " persons", "person_times": " person-times"}


def format_number(value: float, decimals: int = 3) -> str:
    """Thousands separators and at most `decimals` decimals, trailing zeros dropped."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: float | None, unit: str, resolution: float | None = None) -> str:
    """A value in its unit, scaled for reading: CNY 3,491.337 bn, 1,326.62 m persons, 84.8%; with the figure's
    `resolution` (half a unit of its last stated digit) every stated digit is kept, trailing zeros too (85.0%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    divisor, suffix = 1.0, ""
    for threshold, scale, name in SCALES.get(unit, ()):
        if abs(value) >= threshold:
            divisor, suffix = scale, name
            break
    decimals = stated_decimals(resolution, divisor)
    shown = format_number(value / divisor) if decimals is None else f"{value / divisor:,.{decimals}f}"
    return f"{PREFIX.get(unit, '')}{shown}{suffix}{SUFFIX.get(unit, '')}"


def stated_decimals(resolution: float | None, divisor: float = 1.0) -> int | None:
    """Decimals that show the last digit a figure was stated to (resolution 0.05 → 1), None when unknown."""
    if resolution is None or not isinstance(resolution, (int, float)) or math.isnan(resolution) or resolution <= 0:
        return None
    last_digit = 2 * resolution / divisor
    return min(MAX_DECIMALS, max(0, math.ceil(-math.log10(last_digit) - 1e-9)))


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


def format_revision(value: float | None, measure: str, unit: str) -> str:
    """A revision between vintages in the value's own terms: +CNY 10 bn, −0.3 pp (of a percent or a growth rate)."""
    if unit == "percent" or measure in ("yoy_pct", "yoy_pp"):
        return format_change(value, "yoy_pp", unit)
    return format_change(value, "yoy_abs", unit)


def plain_decimal(value: float | None, places: int | None = None) -> str:
    """A number as a spreadsheet reads it exactly, never in exponent notation: 3491337000000, 34913.37."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = Decimal(repr(float(value) if places is None else round(float(value), places)))
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def axis_scale(unit: str, largest: float) -> tuple[float, str]:
    """Divisor and label of a chart axis for values up to `largest` in a unit."""
    for threshold, divisor, suffix in SCALES.get(unit, ()):
        if largest >= threshold:
            return divisor, f"{PREFIX.get(unit, '').strip()}{suffix}{SUFFIX.get(unit, '')}".strip()
    return 1.0, {"percent": "%", "CNY": "CNY"}.get(unit, unit.replace("_", "-"))


def neutralise(text: str) -> str:
    """Text a spreadsheet must show as text: a leading formula character gets a ' before it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


WRITTEN_OUT_DIGITS = 30     # an exponent beyond this is no bulletin figure: left as written (never a huge string)


def readable_numbers(text: str) -> str:
    """Text for people with numbers in exponent notation written out: 'imply 1.55168e+11' → 'imply 155,168,000,000'."""
    return EXPONENT_NUMBER.sub(_written_out, text or "")


def _written_out(match: re.Match) -> str:
    number = Decimal(match.group(1))
    return _grouped(number) if abs(number.adjusted()) <= WRITTEN_OUT_DIGITS else match.group(1)


def _grouped(number: Decimal) -> str:
    text = format(number, ",f")
    return text.rstrip("0").rstrip(".") if "." in text else text
