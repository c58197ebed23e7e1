"""Bytes → text, language, document kind and release year: what a document is before any figure is read."""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tasks.raw import RawDocument

ENCODINGS = ("utf-8-sig", "gb18030")
HTML_SUFFIXES = (".html", ".htm")
TITLE_BULLETIN = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:度)?\s*(?:全国)?\s*(?:医疗保障|医保)(?:事业)?(?:发展)?\s*统计公报")
TITLE_QUICK = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:度)?\s*(?:全国)?\s*(?:医疗保障|医保)(?:事业)?(?:发展)?\s*统计快报")
EN_BULLETIN = re.compile(r"((?:19|20)\d{2})\s+(?:National\s+)?(?:Medical|Health\s*care|Healthcare)\s+(?:Security\s+)?"
                         r"Development\s+Statistic(?:s|al)\s+(?:Bulletin|Communiqu[eé]|Report)", re.I)
EN_QUICK = re.compile(r"((?:19|20)\d{2})\s+(?:National\s+)?(?:Medical|Health\s*care|Healthcare)\s+(?:Security\s+)?"
                      r"Development\s+Statistic(?:s|al)\s+(?:Express|Quick\s+Report|Flash)", re.I)
OFFICIAL_REF = re.compile(r"统计公报|统计快报|《公报》|公报显示|statistical bulletin|communiqu[eé]|statistics report|"
                          r"statistics express|statistical report", re.I)
TOPIC = re.compile(r"医保|医疗保险|医疗保障|medical insurance|health insurance|medical security|healthcare security", re.I)
YEAR_CONTEXT = re.compile(r"(?:截至|截止)?((?:19|20)\d{2})\s*年(?:底|末|全年)?|(?:in|of|for|end of)\s+((?:19|20)\d{2})\b", re.I)


@dataclass
class DocumentInfo:
    """What a document is: decoded text, language, kind, release year, and how sure we are."""

    text: str
    language: str
    kind: str
    kind_reason: str
    release_year: int          # 0 when unknown
    title: str
    official_ref: bool
    problems: list[str] = field(default_factory=list)


class DecodeError(ValueError):
    """The bytes are not text in any supported encoding."""


def decode(raw: RawDocument) -> tuple[str, list[str]]:
    """Decode UTF-8 (with or without BOM) or GB18030/GBK; HTML becomes text."""
    problems: list[str] = []
    for encoding in ENCODINGS:
        try:
            text = raw.data.decode(encoding)
            if encoding != "utf-8-sig":
                problems.append(f"encoding: decoded as {encoding}")
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.data.decode("utf-8", errors="replace")
        if text.count("\ufffd") > max(20, len(text) // 20):
            raise DecodeError(f"{raw.source_uri}: not UTF-8 or GB18030 text")
        problems.append("encoding: undecodable bytes replaced")
    if "\x00" in text:
        raise DecodeError(f"{raw.source_uri}: binary content (NUL bytes)")
    if _is_html(raw, text):
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n"), problems


def _is_html(raw: RawDocument, text: str) -> bool:
    uri = raw.source_uri.lower().split("?")[0]
    return uri.endswith(HTML_SUFFIXES) or "html" in raw.content_type.lower() or bool(
        re.match(r"\s*(?:<!doctype html|<html)", text[:200], re.I))


class _TextExtractor(HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "title",
             "table", "ul", "ol", "header", "footer"}
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page, block elements on their own lines."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return re.sub(r"\n\s*\n\s*\n+", "\n\n", text).strip() + "\n"


def detect_language(text: str) -> str:
    """The page's language code: tasks/language.py decides from scripts and function-word profiles (data)."""
    from tasks.language import detect_language as by_scripts_and_words

    return by_scripts_and_words(text)


def classify(clean_text: str, partial_year_pattern: re.Pattern) -> tuple[str, str, int, bool]:
    """(kind, reason, release_year, official_ref) from what the text says about itself."""
    head = clean_text[:3000]
    official = bool(OFFICIAL_REF.search(clean_text))
    for pattern, kind in ((TITLE_QUICK, "quick_report"), (EN_QUICK, "quick_report"),
                          (TITLE_BULLETIN, "final_bulletin"), (EN_BULLETIN, "final_bulletin")):
        found = pattern.search(head)
        if found and _first(head, found, kind):
            return kind, f"names the {found.group(0).strip()}", int(found.group(1)), True
    years = _figure_years(clean_text)
    partial = len(partial_year_pattern.findall(clean_text))
    if partial:
        year = years.most_common(1)[0][0] if years else 0
        return "partial_year", f"{partial} partial-year period(s) (e.g. 1-8月) and no annual bulletin named", year, official
    if not TOPIC.search(clean_text) or not years:
        return "unrelated", "no medical-insurance statistics found", 0, official
    year = years.most_common(1)[0][0]
    reason = "refers to the annual statistics" if official else "no bulletin named; annual figures assumed"
    return "final_bulletin", f"{reason}; release year from the most cited year {year}", year, official


def _first(head: str, found: re.Match, kind: str) -> bool:
    """A bulletin page that mentions the quick report in passing is still a bulletin: the earliest title wins."""
    other = TITLE_BULLETIN if kind == "quick_report" else TITLE_QUICK
    rival = other.search(head)
    return rival is None or found.start() <= rival.start()


def _figure_years(text: str) -> Counter:
    """Years that date statements ('截至2020年底', 'in 2019'), most cited first."""
    counts: Counter = Counter()
    for match in YEAR_CONTEXT.finditer(text):
        year = int(match.group(1) or match.group(2))
        nearby = text[match.end():match.end() + 3]
        if re.match(r"\s*\d{1,2}\s*月", nearby) or re.match(r"-\d{2}-", text[match.end():match.end() + 4]):
            continue
        counts[year] += 1
    return counts


def title_of(text: str) -> str:
    """The first substantial line: a human handle for the document."""
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 8 and re.search(r"[\u4e00-\u9fff]|[A-Za-z]{3}", line):
            return line[:120]
    return ""
