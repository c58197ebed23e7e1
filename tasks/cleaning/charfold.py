"""Fold rare variant and look-alike characters to the common standard one, from Unicode's Unihan data and NFKC."""
from __future__ import annotations

import bz2
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).with_name("charfold.yaml")
VARIANTS_NAME = "Unihan_Variants.txt"


class UnihanMissing(FileNotFoundError):
    """Unicode's Unihan variant table is not installed on this machine."""


@dataclass(frozen=True)
class FoldRules:
    """Where the Unihan table is and what counts as a common character, from charfold.yaml."""

    data_files: tuple[str, ...]
    radical_files: tuple[str, ...]
    setup: str
    fields: tuple[str, ...]
    common_codecs: tuple[str, ...]
    big5_common: tuple[int, int]
    max_depth: int


@lru_cache(maxsize=1)
def load_rules() -> FoldRules:
    """Read charfold.yaml once."""
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    low, high = data["big5_common"]
    return FoldRules(tuple(data["data_files"]), tuple(data["radical_files"]), str(data["setup"]), tuple(data["fields"]),
                     tuple(data["common_codecs"]), (int(low), int(high)), int(data["max_depth"]))


def is_common(ch: str, rules: FoldRules | None = None) -> bool:
    """A character of GB2312 or of Big5's frequently-used block: never folded."""
    return _is_common(ch, rules or load_rules())


@lru_cache(maxsize=None)
def _is_common(ch: str, rules: FoldRules) -> bool:
    for codec in rules.common_codecs:
        try:
            ch.encode(codec)
            return True
        except UnicodeEncodeError:
            pass
    try:
        code = int.from_bytes(ch.encode("big5"), "big")
    except UnicodeEncodeError:
        return False
    return rules.big5_common[0] <= code <= rules.big5_common[1]


def find_data_file(candidates: tuple[str, ...]) -> Path:
    """The first installed of these Unicode data files, or a clear error naming them and the set-up command."""
    for name in candidates:
        if Path(name).is_file():
            return Path(name)
    raise UnihanMissing(f"Unicode data file {Path(candidates[0]).name} not found (looked in {', '.join(candidates)}); "
                        f"install it with: {load_rules().setup}")


def read_variants_text(path: Path) -> str:
    """The table's text, whether plain, bz2-compressed (Debian) or inside Unihan.zip."""
    if path.suffix == ".bz2":
        return bz2.decompress(path.read_bytes()).decode("utf-8")
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return archive.read(VARIANTS_NAME).decode("utf-8")
    return path.read_text(encoding="utf-8")


def parse_variants(text: str, fields: tuple[str, ...]) -> dict[str, list[tuple[int, int, str]]]:
    """Variant graph: char → [(field rank, 0 forward / 1 reverse, variant)], links read both ways."""
    rank = {name: i for i, name in enumerate(fields)}
    graph: dict[str, list[tuple[int, int, str]]] = {}
    for line in text.splitlines():
        parts = line.split("\t", 2)
        if len(parts) != 3 or parts[1] not in rank or not line.startswith("U+"):
            continue
        code, field, values = parts
        source = chr(int(code[2:], 16))
        for value in values.split():
            target = chr(int(value.partition("<")[0][2:], 16))
            if target != source:
                graph.setdefault(source, []).append((rank[field], 0, target))
                graph.setdefault(target, []).append((rank[field], 1, source))
    return graph


def parse_equivalents(text: str) -> dict[str, str]:
    """EquivalentUnifiedIdeograph.txt: radical look-alike (or range of them) → unified ideograph."""
    table: dict[str, str] = {}
    for line in text.splitlines():
        codes, sep, rest = line.partition(";")
        if not sep or line.startswith("#"):
            continue
        low, _, high = codes.strip().partition("..")
        target = chr(int(rest.split("#")[0].strip(), 16))
        for code in range(int(low, 16), int(high or low, 16) + 1):
            table[chr(code)] = target
    return table


def build_table(graph: dict[str, list[tuple[int, int, str]]], rules: FoldRules) -> dict[str, str]:
    """Rare character → its nearest common variant, preferring one that OpenCC t2s makes a GB2312 character."""
    table: dict[str, str] = {}
    for ch in graph:
        if is_common(ch, rules):
            continue
        target = _nearest_common(ch, graph, rules)
        if target:
            table[ch] = target
    return table


def _nearest_common(ch: str, graph: dict, rules: FoldRules) -> str | None:
    frontier, seen = [ch], {ch}
    for _ in range(rules.max_depth):
        found: list[tuple] = []
        following: list[str] = []
        for node in frontier:
            for field_rank, reverse, other in graph.get(node, ()):
                if other in seen:
                    continue
                if is_common(other, rules):
                    found.append((not in_gb2312(_t2s(other)), field_rank, reverse, ord(other), other))
                else:
                    following.append(other)
        if found:
            return min(found)[-1]
        seen.update(following)
        frontier = following
    return None


def in_gb2312(ch: str) -> bool:
    """A standard simplified hanzi: one GB2312 encodes (maintained data, via the codec)."""
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _t2s(ch: str) -> str:
    converted = _converter().convert(ch)
    return converted if len(converted) == 1 else ch


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def nfkc_char(ch: str) -> str:
    """NFKC of one character when it stays one character and does not turn a marker (①, ²) into a digit."""
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1 or folded == ch:
        return ch
    if folded.isdecimal() and not ch.isdecimal():
        return ch
    return folded


@lru_cache(maxsize=1)
def fold_table() -> dict[str, str]:
    """Rare character → common variant, parsed from the installed Unihan table once per process."""
    rules = load_rules()
    table = build_table(parse_variants(read_variants_text(find_data_file(rules.data_files)), rules.fields), rules)
    radicals = parse_equivalents(find_data_file(rules.radical_files).read_text(encoding="utf-8"))
    table.update({radical: table.get(unified, unified) for radical, unified in radicals.items()})
    return table


def fold_char(ch: str) -> str:
    """One character folded: NFKC compatibility form first, then a rare variant to its common character."""
    if ch.isascii():
        return ch
    ch = nfkc_char(ch)
    return fold_table().get(ch, ch)


def fold_text(text: str) -> str:
    """The text with every character folded one for one (same length, so offsets survive)."""
    if text.isascii():
        return text
    table = fold_table()
    return "".join(ch if ch.isascii() else table.get(n := nfkc_char(ch), n) for ch in text)
