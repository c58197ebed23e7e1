"""Find numbers with their scale, unit and precision in cleaned zh/en text, so extraction never parses digits itself.

One grammar (words in number_words.yaml): 4兆2639億8900万元, 13亿4千万人, CNY143.2bn, $470b, 2.7 trln yuan, a billion,
1 345 920 000 people, 3,5 % on decimal-comma pages, +3.1%, 百分之二十, 0.9个百分点. Values are in base units
(yuan, persons; percent as 95.0); a written sign is kept in the value (−2.5% → −2.5, signed=True).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from tasks.extraction.number_grammar import Grammar, currency_kind, grammar

DAMAGE_CHARS = "?？�"
UNIT_KINDS = ("money", "foreign_money", "persons", "person_times", "count", "percent", "pp", "households", "bare")


@dataclass(frozen=True)
class NumberMention:
    """One number as written: where it is, its value in base units, its unit kind and its precision."""

    start: int
    end: int
    text: str
    value: float          # scaled and signed: 3.49万亿 → 3.49e12; −2.5% → −2.5; percent stays 95.0
    unit_kind: str        # one of UNIT_KINDS; foreign_money is never a CNY figure
    scaled: bool          # a scale word (万, 亿, billion, bn ...) was present
    decimals: int         # digits after the decimal mark of the last group as written
    flags: tuple[str, ...] = field(default=())
    resolution: float = 0.5   # half the unit of the last significant digit, in base units (13.27亿 → 5e5)
    signed: bool = False      # a + or − was written right before the digits
    currency: str | None = None  # ISO code when a currency word was written (CNY, USD, EUR, HKD ...)


def uses_decimal_comma(text: str) -> bool:
    """Whether a page writes decimal commas (1.234,56 / 3,5 %) and never 1,234.5."""
    g = grammar()
    return any(p.search(text) for p in g.comma_evidence) and not any(p.search(text) for p in g.point_evidence)


def find_numbers(text: str, decimal_comma: bool | None = None) -> list[NumberMention]:
    """All number mentions in a text, left to right (decimal_comma None: detect the page's convention)."""
    g = grammar()
    comma = uses_decimal_comma(text) if decimal_comma is None else decimal_comma
    core = g.core[comma]
    found: list[NumberMention] = []
    pos = 0
    while (hit := g.trigger.search(text, pos)) is not None:
        word = text[hit.start()] == " "  # a scale word: the figure starts at the number word before it
        match = core.match(text, _word_start(text, hit.start(), pos) if word else hit.start())
        if match is None:
            pos = hit.end() if word else hit.start() + 1
            continue
        mention, end = _read(text, match, g, comma)
        if mention is not None:
            found.append(mention)
        pos = max(end, match.end())
    return found


def parse_number(text: str, decimal_comma: bool | None = None) -> NumberMention | None:
    """Parse one standalone figure such as '3.49万亿元' or 'CNY 34,913.37 billion' (None if it is not one)."""
    stripped = text.strip()
    found = find_numbers(stripped, decimal_comma)
    if len(found) != 1 or found[0].end != len(stripped):
        return None
    head = stripped[:found[0].start].strip()
    if head and not grammar().prefix.fullmatch(head):
        return None
    return found[0]


def resolution_of(text: str, value: float) -> float:
    """Half-width of the rounding interval a stored figure's text implies ('13.27亿' → 5e5, '400亿' → 5e9)."""
    mentions = find_numbers(text)
    if not mentions:
        return abs(value) * 0.5 if value else 0.5
    best = next((m for m in mentions if math.isclose(abs(m.value), abs(value), rel_tol=1e-9)), mentions[0])
    ratio = abs(value) / abs(best.value) if best.value and value else 1.0
    return best.resolution * ratio


def half_unit(mantissa: str, scale_exponent: int = 0, zeros_significant: bool = False) -> float:
    """The one precision rule: half the unit of the last significant digit written, times the scale 10**exponent.

    ('13.27', 8) → 5e5; ('400', 8) → 5e9: trailing zeros of an integer are not significant, unless a larger
    group stands before them (4兆2639億8900万 → 5e3); ('3.40', 12) → 5e9: zeros after the point are.
    """
    if "." in mantissa:
        exponent = mantissa.index(".") - len(mantissa) + 1
    elif zeros_significant or not mantissa.strip("0"):
        exponent = 0
    else:
        exponent = len(mantissa) - len(mantissa.rstrip("0"))
    return _half(exponent + scale_exponent)


@lru_cache(maxsize=256)
def _half(exponent: int) -> float:
    """Half of 10**exponent, exact from its decimal form and cached (figures share a few exponents)."""
    return float(f"5e{exponent - 1}")


def format_number(value: float) -> str:
    """Render a value compactly for notes and reports (no scientific notation for integers)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) >= 1e6 else f"{value:g}"


def _read(text: str, match: re.Match, g: Grammar, comma: bool) -> tuple[NumberMention | None, int]:
    """Read one figure from its first group onwards: further 万/亿 groups, scale, unit, currency."""
    if match.group("zhnum"):
        mantissa = _zh_numeral(match.group("zhnum"), g)
        return _build(text, match.start(), match.end(), [(mantissa, 0)], False, "percent", None, None,
                      g), match.end()
    if match.group("word"):
        mantissa, start = str(g.number_words[match.group("word").lower()]), match.start()
    else:
        mantissa = _plain(match.group("num"), g, comma)
        start = match.start("num")
    sign = None
    if match.group("sign"):
        at = match.start("sign")
        if at == 0 or text[at - 1] in g.sign_may_follow:
            sign, start = g.signs[match.group("sign")], at
    if match.group("pct"):
        start = match.start("pct")
    pos = match.end()
    groups = [(mantissa, 0)]
    zh = g.zh_scale.match(text, pos)
    scaled = bool(zh)
    if zh:
        groups[0] = (mantissa, g.scales[zh.group("s")])
        pos = _further_groups(text, zh.end(), groups, g, comma)
    kind, currency = "bare", None
    unit = g.zh_unit.match(text, pos)
    if unit:
        (kind, currency), pos = g.units[unit.group("u").lower()], unit.end()
    elif not zh:
        en = g.en_scale.match(text, pos)
        if en:
            word = (en.group("s") or en.group("l")).lower()
            groups[-1] = (groups[-1][0], groups[-1][1] + g.scales[word])
            scaled, pos = True, en.end()
        unit = g.en_unit.match(text, pos)
        if unit:
            (kind, currency), pos = g.units[unit.group("u").lower()], unit.end()
    if match.group("pct") and kind == "bare":
        kind = "percent"
    if kind == "bare":
        currency = _prefix_currency(text, start, g)
        kind = currency_kind(currency) if currency else kind
    return _build(text, start, pos, groups, scaled, kind, currency, sign, g), pos


def _word_start(text: str, at: int, pos: int) -> int:
    """Start of the number word before the spaces before a scale word ('a billion' → the 'a')."""
    i = at
    while i > pos and at - i < 2 and text[i - 1] == " ":
        i -= 1
    j = i
    while j > pos and i - j < 5 and text[j - 1].isascii() and text[j - 1].isalpha():
        j -= 1
    return j


def _further_groups(text: str, pos: int, groups: list[tuple[str, int]], g: Grammar, comma: bool) -> int:
    """Mixed figures add falling groups written without a space: 13亿4592万, 4兆2639億8900万."""
    while "." not in groups[-1][0]:
        nxt = g.zh_group[comma].match(text, pos)
        if not nxt:
            break
        scale, prev = g.scales[nxt.group("s")], groups[-1][1]
        mantissa = _plain(nxt.group("num"), g, comma)
        if not (scale < prev and float(mantissa) < 10.0 ** (prev - scale)):
            break
        groups.append((mantissa, scale))
        pos = nxt.end()
    return pos


def _build(text: str, start: int, end: int, groups: list[tuple[str, int]], scaled: bool, kind: str,
           currency: str | None, sign: int | None, g: Grammar) -> NumberMention | None:
    """The mention (sign None: none written), or None for absurd figures (too many digits, too large)."""
    for mantissa, _ in groups:
        if len(mantissa) > g.max_significant_digits and len(mantissa.replace(".", "").lstrip("0")) > \
                g.max_significant_digits:
            return None
    if len(groups) == 1:
        value = float(f"{groups[0][0]}e{groups[0][1]}")  # correctly rounded from the decimal as written
    else:
        value = float(sum(Decimal(f"{m}e{e}") for m, e in groups))
    if not value <= g.max_abs_value:
        return None
    last, last_exponent = groups[-1]
    point = last.find(".")
    return NumberMention(
        start=start, end=end, text=text[start:end], value=-value if sign == -1 else value,
        unit_kind=kind, scaled=scaled, decimals=len(last) - point - 1 if point >= 0 else 0,
        flags=_damage_flags(text, start, end), resolution=half_unit(last, last_exponent, len(groups) > 1),
        signed=sign is not None, currency=currency)


def _plain(digits: str, g: Grammar, comma: bool) -> str:
    """Digits as written → a plain decimal string ('1 345 920 000' → '1345920000', '3,5' → '3.5')."""
    if digits.isdigit():
        return digits
    for sep in g.separators[comma]:
        digits = digits.replace(sep, "")
    return digits.replace(",", ".") if comma else digits


def _zh_numeral(numeral: str, g: Grammar) -> str:
    """Chinese numerals of a 百分之 figure → digits ('二十' → '20', '三点五' → '3.5', '一百零五' → '105')."""
    whole, _, frac = numeral.partition(g.zh_point)
    total = current = 0
    for ch in whole:
        if ch in g.zh_tens:
            total, current = total + (current or 1) * g.zh_tens[ch], 0
        else:
            current = current * 10 + g.zh_digits[ch]
    digits = str(total + current)
    return digits + "." + "".join(str(g.zh_digits[c]) for c in frac) if frac else digits


def _prefix_currency(text: str, start: int, g: Grammar) -> str | None:
    """The currency written right before a figure (CNY 27.5, US$470, ¥3), if any."""
    found = g.prefix.search(text[max(0, start - 12):start])
    return g.prefixes[found.group("p")] if found else None


def _damage_flags(text: str, start: int, end: int) -> tuple[str, ...]:
    """Encoding damage right next to digits may have swallowed some of them."""
    before = text[max(0, start - 1):start]
    after = text[end:end + 1]
    if before and before in DAMAGE_CHARS or after and after in DAMAGE_CHARS and text[end - 1].isdigit():
        return ("digits_maybe_lost",)
    return ()
