"""Extraction words beyond the token families: hospital tiers, gap fillers and comparatives, read from
vocabulary.yaml so that the code holds no words of its own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from tasks.extraction.vocabulary import VOCABULARY_PATH


@dataclass(frozen=True)
class Wording:
    """Compiled tier words (one named group per tier) and the metrics split by tier."""

    tiers: re.Pattern
    tier_keys: dict[str, str]
    tiered_metrics: frozenset[str]
    comparative: re.Pattern       # 'more than a year earlier' after a figure; group 'down' when it fell
    topic_end_zh: re.Pattern      # 'X中，': X is the total the figures after it are parts of
    topic_start_en: re.Pattern    # 'Of the X, …' at the start of a sentence
    part_words: re.Pattern        # 'accounted for' before a figure that is not a percent
    exempt: dict[str, re.Pattern]  # metric key -> blocker words that name it ('averaged' of an average cost)

    def subset_topics(self, body: str, end: int) -> list[str]:
        """The totals named before position `end` of a sentence ('X中，', 'Of the X,'), as written."""
        out = []
        for match in self.topic_end_zh.finditer(body, 0, end):
            start = max(body.rfind(c, 0, match.start()) for c in "，,；;。:：") + 1
            out.append(body[start:match.start()])
        opening = self.topic_start_en.match(body.lstrip())
        if opening:
            lead = len(body) - len(body.lstrip())
            comma = body.find(",", lead + opening.end())
            if 0 <= comma < end:
                out.append(body[lead + opening.end():comma])
        return out

    def change_after(self, text: str) -> str | None:
        """'up' or 'down' when `text` (what follows a figure) opens with a comparative over a base year."""
        match = self.comparative.match(text)
        return None if match is None else ("down" if match.group("down") else "up")

    def tier_hits(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """(start, end, tier) of every tier word in text[start:end], in order."""
        end = len(text) if end is None else end
        return [(m.start(), m.end(), self.tier_keys[m.lastgroup]) for m in self.tiers.finditer(text, start, end)]


def _words(entry: dict) -> list[str]:
    """Chinese words as written, English words case-blind and whole ('primary', not 'primarily')."""
    return list(entry.get("zh") or []) + [rf"(?<![A-Za-z])(?i:{w})(?![A-Za-z])" for w in entry.get("en") or []]


def _group(named: dict[str, list[str]]) -> tuple[re.Pattern, dict[str, str]]:
    parts, keys = [], {}
    for n, (key, words) in enumerate(named.items()):
        for m, word in enumerate(sorted(words, key=len, reverse=True)):
            keys[f"w{n}_{m}"] = key
            parts.append((len(word), f"(?P<w{n}_{m}>{word})"))
    parts.sort(key=lambda p: -p[0])
    return re.compile("|".join(p for _, p in parts) or "(?!x)x"), keys


@lru_cache(maxsize=2)
def load_wording(path: str | None = None) -> Wording:
    """Read the extra sections of vocabulary.yaml once per process."""
    data = yaml.safe_load(Path(path or VOCABULARY_PATH).read_text(encoding="utf-8"))
    tiers, tier_keys = _group({k: _words(v) for k, v in data["tiers"].items()})
    subsets = data["subsets"]
    return Wording(tiers=tiers, tier_keys=tier_keys, tiered_metrics=frozenset(data["tiered_metrics"]),
                   comparative=_comparative(data["comparatives"]),
                   topic_end_zh=re.compile("|".join(subsets["topic_end_zh"])),
                   topic_start_en=re.compile("|".join(subsets["topic_start_en"]), re.I),
                   part_words=re.compile("|".join(_words(subsets["part_words"])) or "(?!x)x"),
                   exempt={k: re.compile("|".join(_words(v))) for k, v in (data.get("blocker_exempt") or {}).items()})


def _comparative(entry: dict) -> re.Pattern:
    """'<up|down word> <link> <base year>' right after a figure, case-blind."""
    alt = lambda words: "|".join(sorted(words, key=len, reverse=True))   # noqa: E731
    return re.compile(rf"\s*(?:(?P<up>{alt(entry['up'])})|(?P<down>{alt(entry['down'])}))\s+(?:{alt(entry['link'])})"
                      rf"\s+(?:{alt(entry['base'])})\b", re.I)
