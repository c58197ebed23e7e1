"""Clean ingested text for extraction while keeping a map back to it, so every span points into the original."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from tasks.cleaning.charfold import fold_text

RULES_PATH = Path(__file__).with_name("cleaning.yaml")
# Chinese-numeral years (二〇二一年) become digits one for one, so offsets stay aligned.
ZH_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
ZH_YEAR_RE = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")


@dataclass
class CleanText:
    """Cleaned text plus, for each of its characters, the index of the character it came from."""

    text: str
    origin: list[int]
    problems: list[str] = field(default_factory=list)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the clean text back to the ingested text."""
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(frozen=True)
class CleaningRules:
    """Compiled cleaning rules from cleaning.yaml."""

    spam_tokens: tuple[re.Pattern, ...]
    spam_line_keywords: tuple[str, ...]
    spam_line_min_hits: int
    spam_run_max_gap: int
    spam_run_min_density: float
    spam_run_separators: str
    pinyin: re.Pattern
    footnote: re.Pattern
    split_number: re.Pattern
    variants: dict[str, str]


@lru_cache(maxsize=1)
def load_rules(path: str | None = None) -> CleaningRules:
    """Read and compile the cleaning rules once."""
    data = yaml.safe_load(Path(path or RULES_PATH).read_text(encoding="utf-8"))
    return CleaningRules(
        spam_tokens=tuple(re.compile(p) for p in data["spam_tokens"]),
        spam_line_keywords=tuple(data["spam_line_keywords"]),
        spam_line_min_hits=int(data["spam_line_min_hits"]),
        spam_run_max_gap=int(data["spam_run_max_gap"]),
        spam_run_min_density=float(data["spam_run_min_density"]),
        spam_run_separators=str(data["spam_run_separators"]),
        pinyin=re.compile(data["pinyin_annotation"]),
        footnote=re.compile(data["footnote_marker"]),
        split_number=re.compile(data["split_number"]),
        variants={k: v for k, v in data["variants"].items() if len(k) == 1 and len(v) == 1},
    )


def clean_text(text: str, rules: CleaningRules | None = None) -> CleanText:
    """Remove spam and damage, normalise characters, convert to simplified Chinese; keep the offset map."""
    rules = rules or load_rules()
    doc = CleanText(text=text, origin=list(range(len(text))))
    _map_chars(doc, _half_width)    # first, so every rule below sees ２.\n４ as 2.\n4 and ［3］ as [3]
    _drop_spam_lines(doc, rules)
    _delete(doc, rules.spam_tokens, "spam injection")
    _delete(doc, (rules.pinyin,), "pinyin annotation")
    _delete(doc, (rules.footnote,), "footnote marker")
    _delete(doc, (rules.split_number,), "number split by a line break")
    _map_chars(doc, lambda ch: rules.variants.get(ch, ch))
    _fold_variants(doc)
    _to_simplified(doc)
    doc.text = ZH_YEAR_RE.sub(lambda m: m.group(0).translate(ZH_YEAR_DIGITS), doc.text)
    return doc


def _drop_spam_lines(doc: CleanText, rules: CleaningRules) -> None:
    """Delete link-farm runs (dense spam keywords); a run with text after it on its line leaves a line break."""
    keywords = re.compile("|".join(re.escape(w) for w in sorted(rules.spam_line_keywords, key=len, reverse=True)))
    keep = bytearray(b"\x01") * len(doc.text)
    breaks: dict[int, int] = {}     # clean position after which a line break stands in for a run
    dropped = 0
    for start, end in _spam_runs(doc.text, keywords, rules):
        end = _widen(doc.text, start, end, rules.spam_run_separators)
        start = len(doc.text[:start].rstrip(rules.spam_run_separators)) if start else 0
        start = max(start, doc.text.rfind("\n", 0, start) + 1)
        keep[start:end] = bytes(end - start)
        dropped += 1
        if 0 < start and doc.text[start - 1] != "\n" and end < len(doc.text) and doc.text[end] != "\n":
            breaks[end - 1] = doc.origin[end - 1]      # text on both sides: keep them apart
    if not dropped:
        return
    text, origin = [], []
    for i, (ch, k) in enumerate(zip(doc.text, keep)):
        if k:
            text.append(ch)
            origin.append(doc.origin[i])
        if i in breaks:
            text.append("\n")
            origin.append(breaks[i])
    doc.problems.append(f"spam: {dropped} link-farm run(s) removed")
    doc.text, doc.origin = "".join(text), origin


def _spam_runs(text: str, keywords: re.Pattern, rules: CleaningRules) -> list[tuple[int, int]]:
    """[start, end) of every run of keyword hits close to each other on one line, dense and long enough."""
    runs: list[tuple[int, int]] = []
    hits: list[tuple[int, int]] = []

    def close() -> None:
        covered = sum(e - s for s, e in hits)
        if len(hits) >= rules.spam_line_min_hits and covered >= rules.spam_run_min_density * (hits[-1][1] - hits[0][0]):
            runs.append((hits[0][0], hits[-1][1]))
        hits.clear()

    for match in keywords.finditer(text):
        gap = text[hits[-1][1]:match.start()] if hits else ""
        if hits and (len(gap) > rules.spam_run_max_gap or "\n" in gap):
            close()
        hits.append(match.span())
    if hits:
        close()
    return runs


def _widen(text: str, start: int, end: int, separators: str) -> int:
    """The end of a run widened over the separators that follow it on its line."""
    while end < len(text) and text[end] in separators:
        end += 1
    return end


def _delete(doc: CleanText, patterns: tuple[re.Pattern, ...], what: str) -> None:
    for pattern in patterns:
        spans = [m.span() for m in pattern.finditer(doc.text) if m.end() > m.start()]
        if not spans:
            continue
        if what == "spam injection":
            doc.problems.append(f"spam: {len(spans)} injected token(s) removed")
        elif what == "pinyin annotation":
            doc.problems.append(f"damage: {len(spans)} pinyin annotation(s) removed")
        keep = bytearray(b"\x01") * len(doc.text)
        for start, end in spans:
            keep[start:end] = bytes(end - start)
        doc.text = "".join(ch for ch, k in zip(doc.text, keep) if k)
        doc.origin = [o for o, k in zip(doc.origin, keep) if k]


def _half_width(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if code == 0x3000:
        return " "
    return ch


def _map_chars(doc: CleanText, fn) -> None:
    doc.text = "".join(fn(ch) for ch in doc.text)


def _fold_variants(doc: CleanText) -> None:
    """Rare variant and look-alike characters → the standard ones (Unihan, NFKC), one for one."""
    folded = fold_text(doc.text)
    changed = sum(a != b for a, b in zip(folded, doc.text))
    if changed:
        doc.problems.append(f"variant characters: {changed} folded to standard ones")
    doc.text = folded


def _to_simplified(doc: CleanText) -> None:
    """zh-Hant → zh-Hans with OpenCC, one character for one so that offsets survive."""
    if not re.search(r"[\u4e00-\u9fff]", doc.text):
        return
    converted = _converter().convert(doc.text)
    if len(converted) != len(doc.text):
        converted = "".join(c if len(c := _converter().convert(ch)) == 1 else ch for ch in doc.text)
    if converted != doc.text:
        changed = sum(a != b for a, b in zip(converted, doc.text))
        if changed > 20:
            doc.problems.append(f"traditional characters: {changed} converted to simplified")
    doc.text = converted


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")
