"""Find vocabulary words in text fast and longest-first: plain words through a character trie (one pass, no
backtracking over hundreds of alternatives), regex words through one alternation; the longer match wins."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

META = re.compile(r"[\\.^$*+?{}\[\]|()]")


@dataclass(frozen=True)
class Scanner:
    """Words of several (kind, key) families compiled for scanning."""

    literal: re.Pattern | None              # trie of plain words; the matched text names its family
    literal_keys: dict[str, tuple[str, str]]
    regex: re.Pattern | None                 # the other words, one named group each
    regex_keys: dict[str, tuple[str, str]]

    def hits(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, kind, key) of every word, left to right, the longest where matches overlap."""
        found: list[tuple[int, int, str, str]] = []
        if self.literal is not None:
            for m in self.literal.finditer(text):
                found.append((m.start(), m.end(), *self.literal_keys[m.group(0)]))
        if self.regex is not None:
            for m in self.regex.finditer(text):
                found.append((m.start(), m.end(), *self.regex_keys[m.lastgroup]))
        found.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out, end = [], -1
        for hit in found:
            if hit[0] >= end and hit[1] > hit[0]:
                out.append(hit)
                end = hit[1]
        return out


def build_scanner(groups: list[tuple[str, str, list[str]]], regex_of: Callable[[list], str],
                  is_latin: Callable[[str], bool]) -> Scanner:
    """Plain non-Latin words go into the trie (first family wins a word named twice); `regex_of` compiles the
    rest (named groups g<n>_<m>, as tasks.extraction.vocabulary does)."""
    literal_keys: dict[str, tuple[str, str]] = {}
    rest: list[tuple[str, str, list[str]]] = []
    for kind, key, words in groups:
        keep = []
        for word in words:
            if not META.search(word) and not is_latin(word):
                literal_keys.setdefault(word, (kind, key))
            else:
                keep.append(word)
        rest.append((kind, key, keep))
    regex, regex_keys = regex_of(rest) if any(w for _, _, w in rest) else (None, {})
    literal = re.compile(trie_pattern(sorted(literal_keys))) if literal_keys else None
    return Scanner(literal, literal_keys, regex, regex_keys)


def trie_pattern(words: list[str], char=re.escape) -> str:
    """A regex matching any of `words`, longest first at each position, factored by common prefixes (`char` writes
    one character as regex, e.g. to let an apostrophe match both ' and ’)."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _pattern(tree, char)


def _pattern(node: dict, char) -> str:
    branches = [char(ch) + _pattern(child, char) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body   # longest first: the optional tail is tried before stopping
