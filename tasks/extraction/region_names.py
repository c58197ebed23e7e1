"""Compile regions.yaml into one name scanner and its context checks, so the scope rule holds no words of its own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from tasks.extraction.scanner import trie_pattern

REGIONS_PATH = Path(__file__).with_name("regions.yaml")
LEVELS = ("province", "autonomous", "municipality", "sar", "city")
PROVINCIAL = ("province", "autonomous", "municipality", "sar")
CONTEXT_KEYS = ("dateline_after", "dateline_before", "caps_dateline_after", "venue_before", "venue_en_before",
                "venue_after", "institution_after", "source_before", "comparison_before", "list_glue",
                "narrow_glue", "bulletin_after", "bulletin_before", "agency_after", "banner_after",
                "owner_after_figure_en", "clause_cut")


@dataclass(frozen=True)
class Region:
    """A GB/T 2260 division: code, level and its standard (first) Chinese name."""

    code: str
    level: str
    name: str

    @property
    def parent(self) -> str | None:
        """The provincial-level code of a city (440300 → 440000); None for a provincial-level division."""
        return None if self.level in PROVINCIAL else self.code[:2] + "0000"


@dataclass(frozen=True)
class RegionTable:
    """Everything regions.py needs, compiled once: the scanner, the name index and the context regexes."""

    scanner: re.Pattern           # named groups: owner, national, self_province, self_city, self_any, region, local...
    guards: dict[str, re.Pattern]  # short names that also occur inside words: what may not stand before them
    by_name: dict[str, Region]    # zh/zht names as written, English names lower-cased
    by_code: dict[str, Region]
    context: dict[str, re.Pattern]
    lead_in: list[re.Pattern]     # full-match patterns for what may precede an opening mention
    self_scan: re.Pattern
    local_suffixes: str
    local_stop: str
    local_name_max: int
    not_local_name: re.Pattern
    national_code: str
    national_name: str
    local_prefix: str
    unknown_local: str
    multi_prefix: str
    head_limit: int

    def lookup(self, text: str) -> Region | None:
        """The region a matched name stands for (English case-insensitively)."""
        return self.by_name.get(text) or self.by_name.get(_en_key(text))


def _en_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("’", "'")).strip().lower()


def _en(word: str) -> str:
    """An English word or regex bounded by non-letters, matched case-insensitively."""
    return f"(?<![A-Za-z])(?i:{word})(?![A-Za-z])"


def _alt(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def _trie(words: list[str]) -> str:
    """A regex of literal words as a trie, so the scan tries a few branches per character, not every name."""
    return trie_pattern(words, lambda ch: re.escape(ch).replace("'", "['’]")) or r"(?!x)x"


def _any(patterns: list[str]) -> re.Pattern:
    return re.compile(_alt(patterns) or r"(?!x)x", re.I)


@lru_cache(maxsize=2)
def load_regions(path: str | None = None) -> RegionTable:
    """Read regions.yaml and compile it once per process."""
    data = yaml.safe_load(Path(path or REGIONS_PATH).read_text(encoding="utf-8"))
    by_name: dict[str, Region] = {}
    by_code: dict[str, Region] = {}
    zh_names: list[str] = []
    en_names: list[str] = []
    for entry in data["regions"]:
        region = Region(str(entry["code"]), entry["level"], entry["zh"][0])
        by_code[region.code] = region
        for name in list(entry["zh"]) + list(entry.get("zht") or []):
            by_name[name] = region
            zh_names.append(name)
        suffixes = data["en_suffixes"].get(region.level, [])
        for name in entry.get("en") or []:
            for form in [name] + [f"{name} {s}" for s in suffixes]:
                by_name[_en_key(form)] = region
                en_names.append(form)
    nat, own, loc = data["national"], data["self"], data["local"]
    suffixes = "".join(loc["suffixes"])
    agencies = "|".join(re.escape(a) for a in sorted(loc["agencies"], key=len, reverse=True))
    local_zh = f"(?:(?![省{suffixes}])[\u4e00-\u9fff]){{1,{int(loc['name_max'])}}}[{suffixes}](?={agencies})"
    self_words = {k: own[f"{k}_re"] for k in ("province", "city", "any")}

    def self_alt(k: str) -> str:
        return _alt([p if re.match(r"[\u4e00-\u9fff]", p) else _en(p) for p in self_words[k]])

    groups = [
        ("owner", _alt([re.escape(w) for w in nat["owners"]] + [_en(w) for w in nat["owners_en_re"]])),
        ("national", _alt(nat["words_re"] + [_en(w) for w in nat["words_en_re"]])),
        ("self_province", self_alt("province")),
        ("self_city", self_alt("city")),
        ("self_any", self_alt("any")),
        ("region", _trie(zh_names) + "|" + _en(_trie([n.lower() for n in en_names]))),
        ("local", local_zh),
        ("local_en", _alt(loc["en_re"])),
    ]
    scanner = re.compile("|".join(f"(?P<{name}>{body})" for name, body in groups))
    ctx = data["context"]
    return RegionTable(
        scanner=scanner, guards={k: re.compile(f"{v}$") for k, v in (data.get("guards") or {}).items()},
        by_name=by_name, by_code=by_code,
        context={key: _any(ctx[f"{key}_re"]) for key in CONTEXT_KEYS},
        lead_in=[re.compile(p) for p in ctx["lead_in_re"]],
        self_scan=re.compile("|".join(f"(?P<self_{k}>{self_alt(k)})" for k in ("province", "city", "any"))),
        local_suffixes=suffixes, local_stop=loc["stop_chars"], local_name_max=int(loc["name_max"]),
        not_local_name=_any(loc["not_names_re"]),
        national_code=data["national_code"], national_name=data["national_name"], local_prefix=data["local_prefix"],
        unknown_local=data["unknown_local"], multi_prefix=data["multi_prefix"], head_limit=int(data["head_limit"]))
