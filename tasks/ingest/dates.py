"""When a page was published, from its URL or its own text: the release calendar tells document kinds apart."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATES_PATH = Path(__file__).with_name("dates.yaml")


@dataclass(frozen=True)
class DatePatterns:
    """Compiled dates.yaml."""

    head_chars: int
    url: tuple[re.Pattern, ...]
    text: tuple[re.Pattern, ...]
    event: tuple[re.Pattern, ...]
    months: dict[str, int]


@lru_cache(maxsize=4)
def load_date_patterns(path: str | None = None) -> DatePatterns:
    """Read dates.yaml once per process."""
    data = yaml.safe_load(Path(path or DATES_PATH).read_text(encoding="utf-8"))
    compile_all = lambda key: tuple(re.compile(p) for p in data[key])  # noqa: E731
    return DatePatterns(head_chars=int(data["head_chars"]), url=compile_all("url_patterns"),
                        text=compile_all("text_patterns"), event=compile_all("event_patterns"),
                        months={k.lower(): int(v) for k, v in data["months"].items()})


def _month(value: str, months: dict[str, int]) -> int:
    if value.isdigit():
        return int(value)
    key = value.lower()
    return months.get(key, months.get(key[:3], 0))


def _iso(match: re.Match, months: dict[str, int]) -> str:
    try:
        return dt.date(int(match.group("y")), _month(match.group("m"), months), int(match.group("d"))).isoformat()
    except ValueError:
        return ""


def _first_date(patterns: tuple[re.Pattern, ...], text: str, months: dict[str, int]) -> str:
    for pattern in patterns:
        for match in pattern.finditer(text):
            iso = _iso(match, months)
            if iso:
                return iso
    return ""


def published_date(text: str, source_uri: str = "") -> str:
    """ISO date the page was published ('' when it says nothing): URL path first, then the text's head."""
    pats = load_date_patterns()
    if re.match(r"(?i)https?://", source_uri or ""):
        found = _first_date(pats.url, source_uri.split("?")[0], pats.months)
        if found:
            return found
    return _first_date(pats.text, text[:pats.head_chars], pats.months)


def event_month(text: str) -> int:
    """Month the story was filed or the release came out (北京3月1日电, On April 11 ... released); 0 if unsaid."""
    pats = load_date_patterns()
    head = text[:pats.head_chars]
    hits = [(m.start(), _month(m.group("m"), pats.months), int(m.group("d")))
            for pattern in pats.event for m in pattern.finditer(head)]
    for _, month, day in sorted(hits):
        if 1 <= month <= 12 and 1 <= day <= 31:
            return month
    return 0
