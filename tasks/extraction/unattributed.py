"""Figures that look like indicator figures but were not attributed, kept with the reason: nothing drops silently."""
from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.contract.catalogue import Catalogue
from tasks.extraction.numbers import NumberMention
from tasks.extraction.resolve import Resolved, unit_ok
from tasks.cleaning.segment import Sentence

MAX_SENTENCE = 600          # characters; longer runs without sentence punctuation are read in bounded pieces
CUT = re.compile(r"[,，;；、]\s*|\s+")


@dataclass(frozen=True)
class Unattributed:
    """One figure the extractor saw and left out, with why."""

    clean_start: int
    clean_end: int
    value: float
    unit_kind: str
    reason: str


def bounded(start: int, end: int, text: str, limit: int = MAX_SENTENCE) -> list[tuple[int, int]]:
    """Split [start, end) into pieces of at most `limit` characters at a clause cut or a space (linear time)."""
    pieces = []
    while end - start > limit:
        window = text[start + limit // 2:start + limit]
        cuts = [m.end() for m in CUT.finditer(window)]
        cut = start + limit // 2 + cuts[-1] if cuts else start + limit
        while cut < end and text[cut - 1].isdigit() and text[cut].isdigit():
            cut += 1   # never split a number
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def looks_like_figure(mention: NumberMention, catalogue: Catalogue, english: bool) -> bool:
    """A unit and a magnitude inside the level range of some catalogued indicator of that unit."""
    for low, high, unit in catalogue.level_ranges:
        if low <= mention.value <= high and unit_ok(mention, unit, "level", english) and mention.unit_kind != "bare":
            return True
    return False


def pieces(items: list[Sentence], text: str) -> list[Sentence]:
    """Sentences, with runs too long for one statement read in bounded pieces (extraction stays linear)."""
    out = []
    for sent in items:
        for start, end in bounded(sent.start, sent.end, text):
            out.append(Sentence(start, end, sent.paragraph, sent.heading, sent.line_end))
    return out


def leave_out(sink: list | None, mentions: list[NumberMention], offset: int, reason: str, catalogue: Catalogue,
               english: bool) -> None:
    if sink is None:
        return
    for m in mentions:
        if looks_like_figure(m, catalogue, english):
            sink.append(Unattributed(offset + m.start, offset + m.end, m.value, m.unit_kind, reason))


def why_not(res: Resolved) -> str:
    """Why a figure produced no fact, in the words a reviewer needs."""
    if res.notes:
        return res.notes[-1]
    if res.target is None:
        return "no metric word"
    if res.skip:
        return "blocked: ignored phrase or enumeration"
    if res.indicator_id is None:
        return f"not catalogued: {res.scheme or 'bmi'} x {res.target[1]}"
    return "unit, period or measure does not fit"
