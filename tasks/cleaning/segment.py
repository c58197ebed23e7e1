"""Split clean text into paragraphs and sentences and find year mentions, the scopes extraction reasons in."""
from __future__ import annotations

import re
from dataclasses import dataclass

PARAGRAPH_BREAK = re.compile(r"\n[ \t\u3000]*\n|\n(?=[ \t\u3000]*(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、))")
# '?' and ';' next to encoding damage ('居民醫?;甬', '職工醫;穑ê') are damage, not punctuation.
SENTENCE_END = re.compile(r"[。!！]|(?<![?？])(?<![?？].)[;；](?!.?[À-ÿ?？])|[?？](?=\s|$|[\"”’])|(?<![\d.])\.(?=\s+[A-Z(\[]|\s*$|\s*\n|\s+-\s)|(?<=\d)\.(?=\s+[A-Z][a-z])|\n(?=\s*\n)|\s-\s(?=[A-Z])")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?:\s*年(?!版|度?以来|以来|起|开始|[至到—-]))?")
YEAR_SINCE = re.compile(r"(?:自|从|since|establishment in|founded in)\s*(?:(?:19|20)\d{2})|(?:19|20)\d{2}\s*年?\s*(?:以来|起|至今)",
                        re.I)
YEAR_RANGE = re.compile(r"(?:19|20)\d{2}\s*(?:年)?\s*(?:-|—|–|~|至|到)\s*(?:19|20)\d{2}")
YEAR_AFTER = re.compile(r"^\s*(?:(?:increase|growth|rise|decrease|decline|drop)\s+)?(?:in|for|of|by)\s+(?:the end of\s+)?((?:19|20)\d{2})\b", re.I)
PREVIOUS_YEAR_EN = re.compile(r"(?:previous|last|prior) year'?s?\s*$", re.I)


@dataclass(frozen=True)
class Sentence:
    """A sentence of clean text with the paragraph it belongs to."""

    start: int
    end: int
    paragraph: int
    heading: bool      # a short line without sentence punctuation (titles and headlines round their figures)
    line_end: bool = True  # the sentence ends where its line ends (wrapped text may continue on the next line)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: blank lines and numbered section headings start a new one."""
    spans, last = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        spans.append((last, match.start()))
        last = match.end()
    spans.append((last, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def sentences(text: str) -> list[Sentence]:
    """Sentences with paragraph index; a line on its own without sentence punctuation is its own sentence."""
    out: list[Sentence] = []
    for p_index, (p_start, p_end) in enumerate(paragraphs(text)):
        line_start = p_start
        for line in text[p_start:p_end].splitlines(keepends=True):
            line_end = line_start + len(line)
            body = line.strip()
            if body and _is_heading(body):
                out.append(Sentence(line_start, line_end, p_index, True))
            elif body:
                out.extend(_split_line(text, line_start, line_end, p_index))
            line_start = line_end
    return _merge_continuations(text, out)


def _is_heading(line: str) -> bool:
    return len(line) <= 40 and not re.search(r"[。;；]|\.\s|\.$", line)


def _split_line(text: str, start: int, end: int, p_index: int) -> list[Sentence]:
    out, last = [], start
    for match in SENTENCE_END.finditer(text, start, end):
        if text[last:match.end()].strip():
            out.append(Sentence(last, match.end(), p_index, False, False))
        last = match.end()
    if text[last:end].strip():
        out.append(Sentence(last, end, p_index, False, True))
    return out


def _merge_continuations(text: str, items: list[Sentence]) -> list[Sentence]:
    """A line that does not end a sentence continues on the next line of the same paragraph (wrapped text)."""
    merged: list[Sentence] = []
    for item in items:
        prev = merged[-1] if merged else None
        if (prev and prev.line_end and not prev.heading and not item.heading and prev.paragraph == item.paragraph
                and not re.search(r"[。;；!?！？.]\s*$", text[max(prev.start, prev.end - 8):prev.end])):
            merged[-1] = Sentence(prev.start, item.end, prev.paragraph, False, item.line_end)
        else:
            merged.append(item)
    return merged


def year_mentions(text: str, start: int = 0, end: int | None = None,
                  comparison: re.Pattern | None = None) -> list[tuple[int, int]]:
    """(position, year) of years that can date a figure: not 'since 2018', not ranges like 2012-2021, and not a
    year quoted as the base of a comparison ('比2021年底增加811万人' is a change of the year the text is about)."""
    end = len(text) if end is None else end
    blocked: set[int] = set()
    for pattern in (YEAR_SINCE, YEAR_RANGE):
        for match in pattern.finditer(text, start, end):
            blocked.update(range(match.start(), match.end()))
    if comparison is not None:
        for match in comparison.finditer(text, start, end):
            blocked.add(match.start("year"))
    found = []
    for match in YEAR.finditer(text, start, end):
        if match.start(1) in blocked:
            continue
        after = text[match.end(1):match.end(1) + 3]
        before = text[match.start(1) - 1:match.start(1)] if match.start(1) else ""
        if not after.lstrip().startswith("年") and (re.match(r"\s*[\u4e00-\u9fff%]", after)
                                                    or re.match(r"[\u4e00-\u9fff]", before)):
            continue  # 2008家, 2008起: a count, not a year
        if re.match(r"\s*年?\s*\d{1,2}\s*月\s*\d{1,2}\s*日", after) or re.match(r"-\d{2}-\d{2}", after):
            continue  # a date stamp, not the period of a figure
        found.append((match.start(1), int(match.group(1))))
    return found


def year_after(text: str) -> int | None:
    """A year right after a figure in English ('1,462,500 in 2024')."""
    match = YEAR_AFTER.match(text)
    return int(match.group(1)) if match else None
