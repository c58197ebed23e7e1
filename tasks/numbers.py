"""Find numbers with their scale and unit in cleaned zh/en text, so extraction never parses digits itself."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

# Chinese scale words (after traditional→simplified; 億 → 亿 by the cleaner). 兆 is the Japanese-style trillion
# that mixed-language pages use for money (兆円, 4.12兆元).
ZH_SCALES = {"万亿": 1e12, "兆": 1e12, "千亿": 1e11, "百亿": 1e10, "千万": 1e7, "百万": 1e6, "亿": 1e8, "万": 1e4, "千": 1e3}
EN_SCALES = {"trillion": 1e12, "billion": 1e9, "million": 1e6, "thousand": 1e3, "bn": 1e9, "b": 1e9, "m": 1e6}

# unit word → unit kind. Order matters inside the regex (longest first).
ZH_UNITS = {
    "个百分点": "pp", "人次": "person_times", "元": "money", "人": "persons", "名": "persons",
    "家": "count", "个": "count", "种": "count", "起": "count", "户": "households", "项": "count", "%": "percent",
}
EN_UNITS = {
    "percentage points": "pp", "percentage point": "pp", "percent": "percent", "per cent": "percent",
    "yuan": "money", "rmb": "money", "cny": "money", "person-times": "person_times", "person times": "person_times",
    "visits": "person_times", "people": "persons", "persons": "persons", "residents": "persons",
}
MONEY_PREFIX = re.compile(r"(?:CNY|RMB|¥|￥)\s*$", re.IGNORECASE)

_DIGITS = r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?<![A-Za-z])(?:a|one)(?=\s+(?:trillion|billion|million)\b))"
_ZH_SCALE = "|".join(sorted(ZH_SCALES, key=len, reverse=True))
_ZH_UNIT = "|".join(re.escape(u) for u in sorted(ZH_UNITS, key=len, reverse=True))
_EN_SCALE = "trillion|billion|million|thousand|bn|b(?![a-z])|m(?![a-z])"
_EN_UNIT = "|".join(re.escape(u) for u in sorted(EN_UNITS, key=len, reverse=True))
NUMBER_RE = re.compile(
    _DIGITS
    + r"(?:\s*(?P<zhscale>" + _ZH_SCALE + r"))?"
    + r"(?:\s*(?P<zhunit>" + _ZH_UNIT + r"))?"
    + r"(?:(?<![\u4e00-\u9fff%])\s*(?P<enscale>" + _EN_SCALE + r"))?"
    + r"(?:(?<![\u4e00-\u9fff%])\s*(?P<enunit>" + _EN_UNIT + r"))?",
    re.IGNORECASE,
)
DAMAGE_CHARS = "?？�"


@dataclass(frozen=True)
class NumberMention:
    """One number as written: where it is, its value in base units, and what kind of unit it carries."""

    start: int
    end: int
    text: str
    value: float          # scaled: 3.49万亿 → 3.49e12; percent stays 95.0
    unit_kind: str        # money, persons, person_times, count, percent, pp, households, bare
    scaled: bool          # a scale word (万, 亿, billion ...) was present
    decimals: int         # digits after the decimal point as written (precision)
    flags: tuple[str, ...] = field(default=())


def parse_number(text: str) -> NumberMention | None:
    """Parse one standalone figure such as '3.49万亿元' or 'CNY 34,913.37 billion' (None if it is not one)."""
    stripped = text.strip()
    prefix = re.match(r"(?:CNY|RMB|¥|￥)\s*", stripped, re.IGNORECASE)
    body = stripped[prefix.end():] if prefix else stripped
    match = NUMBER_RE.fullmatch(body)
    if not match:
        return None
    return _mention(match, body, 0, money_prefix=bool(prefix))


def find_numbers(text: str) -> list[NumberMention]:
    """All number mentions in a text, left to right."""
    found: list[NumberMention] = []
    for match in NUMBER_RE.finditer(text):
        money = bool(MONEY_PREFIX.search(text[max(0, match.start() - 5):match.start()]))
        found.append(_mention(match, text, 0, money_prefix=money))
    return found


def _mention(match: re.Match, text: str, base: int, money_prefix: bool) -> NumberMention:
    digits = match.group("num")
    raw = Decimal(1) if digits.lower() in ("a", "one") else Decimal(digits.replace(",", ""))
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    zhscale, zhunit = match.group("zhscale"), match.group("zhunit")
    enscale, enunit = match.group("enscale"), match.group("enunit")
    scale = Decimal(1)
    if zhscale:
        scale *= Decimal(ZH_SCALES[zhscale])
    if enscale:
        scale *= Decimal(EN_SCALES[enscale.lower()])
    unit_kind = "bare"
    if zhunit:
        unit_kind = ZH_UNITS[zhunit]
    elif enunit:
        unit_kind = EN_UNITS[enunit.lower()]
    if money_prefix and unit_kind == "bare":
        unit_kind = "money"
    end = match.end()
    flags = _damage_flags(text, match.start(), end)
    return NumberMention(start=base + match.start(), end=base + end, text=text[match.start():end],
                         value=float(raw * scale), unit_kind=unit_kind, scaled=bool(zhscale or enscale),
                         decimals=decimals, flags=flags)


def _damage_flags(text: str, start: int, end: int) -> tuple[str, ...]:
    """Encoding damage right next to digits may have swallowed some of them."""
    before = text[max(0, start - 1):start]
    after = text[end:end + 1]
    if before and before in DAMAGE_CHARS or after and after in DAMAGE_CHARS and text[end - 1].isdigit():
        return ("digits_maybe_lost",)
    return ()


def format_number(value: float) -> str:
    """Render a value compactly for notes and reports (no scientific notation for integers)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1e6 else f"{value:g}"


def resolution_of(text: str, value: float) -> float:
    """Half-width of the rounding interval a figure as written implies ('13.27亿' → 1e6, '400亿' → 1e10)."""
    compact = re.sub(r"\s+", "", text)
    match = re.search(r"\d[\d,]*(?:\.\d+)?", compact)
    if not match:
        return abs(value) * 0.5 if value else 0.5
    digits = match.group(0).replace(",", "")
    raw = float(digits)
    scale = abs(value) / raw if raw else 1.0
    if "." in digits:
        step = 10.0 ** -len(digits.split(".")[1])
    else:
        step = 10.0 ** (len(digits) - len(digits.rstrip("0"))) if digits.strip("0") else 1.0
    return 0.5 * step * scale
