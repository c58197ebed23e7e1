"""Bytes → text, language, document kind and release year: what a document is before any figure is read."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tasks.kinds import classify  # noqa: F401  (re-exported: moved to tasks/kinds.py)
from tasks.raw import RawDocument

ENCODINGS = ("utf-8-sig", "gb18030")
HTML_SUFFIXES = (".html", ".htm")


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


def title_of(text: str) -> str:
    """The first substantial line: a human handle for the document."""
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 8 and re.search(r"[\u4e00-\u9fff]|[A-Za-z]{3}", line):
            return line[:120]
    return ""
