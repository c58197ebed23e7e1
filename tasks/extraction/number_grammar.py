"""The number grammar compiled once from number_words.yaml, so tasks/extraction/numbers.py scans with data, not word lists."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

WORDS_PATH = Path(__file__).with_name("number_words.yaml")
# At most three spaces between a figure and its scale or unit: bounded, so every step of the scan is O(1).
HSPACE = "[ \t\u00a0\u2009\u202f\u3000]{0,3}"


@dataclass(frozen=True)
class Grammar:
    """Compiled patterns and word tables of the number grammar."""

    trigger: re.Pattern                    # where a figure may start: a cheap first-character scan (linear)
    core: dict[bool, re.Pattern]           # decimal_comma → the first group of a figure (sign, digits or words)
    zh_group: dict[bool, re.Pattern]       # decimal_comma → a further group of a mixed figure (2639億)
    zh_scale: re.Pattern
    zh_unit: re.Pattern
    en_scale: re.Pattern
    en_unit: re.Pattern
    scales: dict[str, int]                 # scale word (lower case) → power of ten (亿 → 8)
    units: dict[str, tuple[str, str | None]]  # unit word (lower case) → (unit kind, ISO currency or None)
    prefix: re.Pattern                     # a currency word at the end of the text before a figure
    prefixes: dict[str, str]               # currency prefix → ISO currency
    number_words: dict[str, int]
    zh_digits: dict[str, int]
    zh_tens: dict[str, int]
    zh_point: str
    signs: dict[str, int]
    sign_may_follow: str
    separators: dict[bool, tuple[str, ...]]
    max_significant_digits: int
    max_abs_value: float
    comma_evidence: tuple[re.Pattern, ...]
    point_evidence: tuple[re.Pattern, ...]


def currency_kind(code: str | None) -> str:
    """Unit kind of a currency: only CNY is money; any other currency is foreign_money."""
    return "money" if code == "CNY" else "foreign_money"


def power_of_ten(value: float) -> int:
    """The exponent of a scale word's value (1e8 → 8); scales must be exact powers of ten."""
    exponent = round(math.log10(value))
    if float(f"1e{exponent}") != float(value):
        raise ValueError(f"scale {value} is not a power of ten")
    return exponent


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def load_words(path: Path | None = None) -> dict:
    """The raw YAML tables (for consistency tests)."""
    return yaml.safe_load(Path(path or WORDS_PATH).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    """Compile the grammar once per process."""
    data = load_words()
    zh_scales = {k: power_of_ten(v) for k, v in data["zh_scales"].items()}
    en_words = {k.lower(): power_of_ten(v) for k, v in data["en_scale_words"].items()}
    en_letters = {k.lower(): power_of_ten(v) for k, v in data["en_scale_letters"].items()}
    units: dict[str, tuple[str, str | None]] = {k.lower(): (v, None) for k, v in data["zh_units"].items()}
    units.update({k.lower(): (v, None) for k, v in data["en_units"].items()})
    for table in ("currency_suffixes_zh", "currency_suffixes_en"):
        units.update({k.lower(): (currency_kind(v), v) for k, v in data[table].items()})
    zh_unit_words = list(data["zh_units"]) + list(data["currency_suffixes_zh"])
    en_unit_words = list(data["en_units"]) + list(data["currency_suffixes_en"])
    zh_numeral = data["zh_numerals"]
    signs = {k: int(v) for k, v in data["signs"].items()}
    separators = {False: tuple(data["thousands_separators"]["decimal_point"]),
                  True: tuple(data["thousands_separators"]["decimal_comma"])}
    long_scales = [w for w in en_words if len(w) > 4]  # "a billion", never "a bn"
    numeral_chars = "".join(list(zh_numeral["digits"]) + list(zh_numeral["tens"]))
    zh_pct = re.escape(data["zh_percent_prefix"])
    core, zh_group = {}, {}
    for comma in (False, True):
        dec = "," if comma else r"\."
        seps = "".join(re.escape(s) for s in separators[comma])
        digits = (rf"\d{{1,3}}(?P<sep>[{seps}])\d{{3}}(?:(?P=sep)\d{{3}})*(?!\d)(?:{dec}\d+)?|\d+(?:{dec}\d+)?")
        core[comma] = re.compile(
            rf"{zh_pct}(?P<zhnum>[{numeral_chars}]+(?:{re.escape(zh_numeral['point'])}[{''.join(zh_numeral['digits'])}]+)?)"
            rf"|(?P<pct>{zh_pct})?(?<![\d{dec}])(?P<sign>[{''.join(re.escape(s) for s in signs)}](?=\d))?(?P<num>{digits})"
            rf"|(?<![A-Za-z])(?P<word>(?i:{_alternation(data['number_words'])}))"
            rf"(?=[ ]{{1,3}}(?i:{_alternation(long_scales)})(?![A-Za-z]))")
        zh_group[comma] = re.compile(rf"(?P<num>\d+(?:{dec}\d+)?)(?P<s>{_alternation(zh_scales)})")
    trigger = re.compile(rf"[\d{re.escape(data['zh_percent_prefix'][0])}{''.join(re.escape(s) for s in signs)}]"
                         rf"|[ ](?i:{_alternation(long_scales)})(?![A-Za-z])")
    return Grammar(
        trigger=trigger, core=core, zh_group=zh_group,
        zh_scale=re.compile(rf"{HSPACE}(?P<s>{_alternation(zh_scales)})"),
        zh_unit=re.compile(rf"{HSPACE}(?P<u>{_alternation(zh_unit_words)})"),
        en_scale=re.compile(rf"(?:{HSPACE}|-)(?P<s>(?i:{_alternation(en_words)}))(?![A-Za-z])"
                            rf"|[ ]?(?P<l>(?i:{_alternation(en_letters)}))(?![A-Za-z]|\.[A-Za-z])"),
        en_unit=re.compile(rf"(?:{HSPACE}|-)(?P<u>(?i:{_alternation(en_unit_words)}))(?![A-Za-z])"),
        scales={**zh_scales, **en_words, **en_letters},
        units=units,
        prefix=re.compile(rf"(?<![A-Za-z])(?P<p>{_alternation(data['currency_prefixes'])}){HSPACE}$"),
        prefixes=dict(data["currency_prefixes"]),
        number_words={k.lower(): int(v) for k, v in data["number_words"].items()},
        zh_digits=dict(zh_numeral["digits"]), zh_tens=dict(zh_numeral["tens"]), zh_point=zh_numeral["point"],
        signs=signs, sign_may_follow=data["sign_may_follow"], separators=separators,
        max_significant_digits=int(data["limits"]["max_significant_digits"]),
        max_abs_value=float(data["limits"]["max_abs_value"]),
        comma_evidence=tuple(re.compile(p) for p in data["decimal_comma_evidence"]),
        point_evidence=tuple(re.compile(p) for p in data["decimal_point_evidence"]),
    )
