"""Bytes → text, language, document kind and release year: what a document is before any figure is read."""
from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tasks.ingest.kinds import classify  # noqa: F401  (re-exported: moved to tasks/ingest/kinds.py)
from tasks.ingest.raw import RawDocument

ENCODINGS = ("utf-8-sig", "gb18030")
# Byte-order marks, longest first (the UTF-32-LE mark starts with the UTF-16-LE one).
BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"))
WIDE = (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2))
PLAUSIBLE = 0.95    # share of characters of a text script (ASCII, Latin, CJK, punctuation) in a wide decoding
TEXT_RANGES = ((0x20, 0x7E), (0xA0, 0x24F), (0x2000, 0x206F), (0x2150, 0x218F), (0x3000, 0x303F), (0x3400, 0x4DBF),
               (0x4E00, 0x9FFF), (0xFF00, 0xFFEF))
NOT_TEXT = re.compile("[^\t\n\r" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in TEXT_RANGES) + "]")
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
    """Decode UTF-8 (with or without BOM), UTF-16/32 (by BOM or by content) or GB18030/GBK; HTML becomes text."""
    problems: list[str] = []
    wide = _wide_encoding(raw.data)
    if wide:
        encoding, offset = wide
        try:
            text = raw.data[offset:].decode(encoding)
        except UnicodeDecodeError as exc:
            raise DecodeError(f"{raw.source_uri}: not valid {encoding} text ({exc.reason})") from exc
        problems.append(f"encoding: decoded as {encoding}{' (byte-order mark)' if offset else ''}")
        return _finish(raw, text, problems)
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
    return _finish(raw, text, problems)


def _finish(raw: RawDocument, text: str, problems: list[str]) -> tuple[str, list[str]]:
    """HTML → text, one kind of line break, and a note when nothing is left (the gate alerts on it)."""
    if "\x00" in text:
        raise DecodeError(f"{raw.source_uri}: binary content (NUL bytes)")
    if _is_html(raw, text):
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems + (["empty: no text"] if not text.strip() else [])


def _wide_encoding(data: bytes) -> tuple[str, int] | None:
    """UTF-32/UTF-16 and the BOM length, from a byte-order mark or, without one, from the content: text that is
    not UTF-8 (or holds NUL bytes) and reads as a plausible script in exactly one wide encoding."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    if b"\x00" not in data and _is_utf8(data):
        return None
    for encoding, unit in WIDE:
        if len(data) % unit == 0 and _plausible(data, encoding):
            return encoding, 0
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _plausible(data: bytes, encoding: str) -> bool:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    if not text:
        return False
    return len(NOT_TEXT.findall(text)) <= (1 - PLAUSIBLE) * len(text)


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
    """The page's language code: tasks/ingest/language.py decides from scripts and function-word profiles (data)."""
    from tasks.ingest.language import detect_language as by_scripts_and_words

    return by_scripts_and_words(text)


TITLE_LINES = 15          # a page's headline stands among its first lines
TITLE_CHARS = 90          # longer lines are prose, not a headline
SITE_SUFFIX = re.compile(r"\s*(?:\||｜| - | — |_)\s*|\s{2,}|\s+(?=(?:19|20)\d{2}-\d{2}-\d{2})")  # site names, stamps


def title_of(text: str) -> str:
    """The page's headline: the first short line of its head about the topic, without a site name after '|', ' - '
    or '_' (spam and navigation lines name no topic); else the first substantial line."""
    from tasks.ingest.kinds import load_kind_rules   # kinds reads this module's text helpers; imported here to avoid a cycle

    rules = load_kind_rules()
    about = lambda part: rules.topic.search(part) or rules.official_ref.search(part)   # noqa: E731
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:TITLE_LINES]:
        parts = [p for p in SITE_SUFFIX.split(line) if p.strip()]
        head = next((p for p in parts if about(p)), "")
        if head and len(head) <= TITLE_CHARS:
            return head.strip()
    for line in lines:
        if len(line) >= 8 and re.search(r"[\u4e00-\u9fff]|[A-Za-z]{3}", line):
            return line[:120]
    return ""
