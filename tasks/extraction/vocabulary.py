"""Compile vocabulary.yaml into token scanners, so extraction code holds no words of its own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from tasks.extraction.scanner import Scanner, build_scanner

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.yaml")


@dataclass(frozen=True)
class Token:
    """A vocabulary hit in clean text: its kind (scheme, metric, direct, ignore ...) and key."""

    start: int
    end: int
    kind: str
    key: str


@dataclass(frozen=True)
class Part:
    """A part of a fund (pooled, personal account) that narrows a fund metric."""

    key: str
    metrics: dict[str, str]
    scheme: str = ""


@dataclass(frozen=True)
class Signature:
    """What a figure of one indicator is about: concepts that must be around it, and ones that must not."""

    indicator_id: str
    all: tuple[str, ...]
    none: tuple[str, ...] = ()
    scheme: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """Compiled scanners for every token family."""

    tokens: Scanner               # schemes, metrics, direct indicators, parts, ignore-phrases
    after: re.Pattern             # aliases that may follow a number
    after_keys: dict[str, tuple[str, str]]
    up: re.Pattern
    down: re.Pattern
    after_change: re.Pattern
    quals_before: dict[str, re.Pattern]
    quals_after: dict[str, re.Pattern]
    blockers: re.Pattern
    sentence_blockers: re.Pattern
    partial_year: re.Pattern
    parts: dict[str, Part]
    part_reset: re.Pattern         # a head noun that makes a metric name its own fund ('基金支出')
    concepts: Scanner              # concept words, scanned apart from the tokens
    signatures: tuple[Signature, ...]
    metric_by_unit: dict[str, dict[str, str]]
    temporal_concepts: frozenset[str]
    implied_tiers: tuple[tuple[str, ...], re.Pattern]   # tier order of a list that names none, and what implies it
    asides: re.Pattern             # qualifiers read as blanks ('(including maternity insurance)')
    comparison_year: re.Pattern   # a year named as the base of a comparison; group 'year' is the year itself

    def scan(self, text: str) -> list[Token]:
        """All scheme/metric/direct/ignore tokens, longest match first at each position."""
        return [Token(start, end, kind, key) for start, end, kind, key in self.tokens.hits(text)]

    def metric_for_unit(self, metric: str, unit_kind: str) -> str:
        """The metric a figure's unit says it is: '1.46 million people received benefits' counts beneficiaries."""
        return self.metric_by_unit.get(metric, {}).get(unit_kind, metric)

    def concept_hits(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, concept) of every concept word in a text."""
        return [(start, end, key) for start, end, _, key in self.concepts.hits(text)]

    def token_after(self, text: str) -> tuple[str, str, int] | None:
        """(kind, key, end) of the alias standing right at the start of `text` (after a number), if any."""
        match = self.after.match(text)
        return (*self.after_keys[match.lastgroup], match.end()) if match else None


def _alternation(words: list[str]) -> str:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(f"(?:{w})" for w in ordered)


def _lang(entry: dict, field: str = "") -> list[str]:
    zh = entry.get(f"{field}zh", []) or []
    en = entry.get(f"{field}en", []) or []
    return list(zh) + [f"(?i:{w})" + ("" if w.endswith(")") else r"\b") if w[:1].isalpha() else f"(?i:{w})"
                       for w in en]


@lru_cache(maxsize=2)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    """Read vocabulary.yaml and compile it once per process."""
    data = yaml.safe_load(Path(path or VOCABULARY_PATH).read_text(encoding="utf-8"))
    groups: list[tuple[str, str, list[str]]] = []
    for key, entry in data["schemes"].items():
        groups.append(("scheme", key, _lang(entry)))
    for key, entry in data["metrics"].items():
        groups.append(("ignore" if key == "ignore" else "metric", key, _lang(entry)))
    for key, entry in data["direct"].items():
        groups.append(("direct", key, _lang(entry)))
    for key, entry in data["parts"].items():
        groups.append(("part", key, _lang(entry)))
    tokens = build_scanner(groups, _named, _is_latin)
    after_groups = [(kind, key, _lang(entry, "after_"))
                    for kind, section in (("metric", "metrics"), ("direct", "direct"))
                    for key, entry in data[section].items()]
    after, after_keys = _named(after_groups, prefix=r"\s*(?:(?:new|types of|kinds of)\s+)?")
    concepts = build_scanner([("concept", k, _lang(v)) for k, v in data["concepts"].items()], _named, _is_latin)
    trig = data["triggers"]
    quals = data["qualifiers"]
    return Vocabulary(
        tokens=tokens, after=after, after_keys=after_keys,
        up=re.compile(_alternation(_lang(trig["up"]))),
        down=re.compile(_alternation(_lang(trig["down"]))),
        after_change=re.compile(r"\s*(?i:" + _alternation(trig["after_en"]) + r")\b"),
        quals_before={k: re.compile("(?:" + _alternation(_lang({"zh": v["before"]})) + r")\s*$", re.I)
                      for k, v in quals.items()},
        quals_after={k: re.compile(r"^\s*(?:" + _alternation(v["after"]) + ")") for k, v in quals.items()},
        blockers=re.compile(_alternation(_lang(data["blockers"]))),
        sentence_blockers=re.compile(_alternation(_lang(data["sentence_blockers"]))),
        partial_year=re.compile("|".join(f"(?:{p})" for p in data["partial_year"])),
        comparison_year=_comparison_year(data["comparison_year"]),
        parts={k: Part(k, dict(v["metrics"]), v.get("scheme", "")) for k, v in data["parts"].items()},
        part_reset=re.compile(_alternation(_lang(data["part_reset"]))),
        concepts=concepts,
        signatures=tuple(Signature(ind, tuple(alt["all"]), tuple(alt.get("none", ())), alt.get("scheme", ""))
                         for ind, alts in data["signatures"].items() for alt in alts),
        metric_by_unit={k: dict(v) for k, v in data["metric_by_unit"].items()},
        temporal_concepts=frozenset(data["temporal_concepts"]),
        implied_tiers=(tuple(data["implied_tiers"]["order"]), re.compile(_alternation(_lang(data["implied_tiers"])))),
        asides=re.compile(_alternation(_lang(data["asides"]))),
    )


def _comparison_year(entry: dict) -> re.Pattern:
    """One pattern whose 'year' group is a year quoted as a comparison base ('比2021年底', 'compared with 2021')."""
    year = r"(?P<year>(?:19|20)\d{2})"
    before = "(?:" + _alternation(_lang({"zh": entry["before"]})) + r")\s*(?:the\s+(?:end\s+of\s+)?)?(?=(?:19|20)\d{2})"
    arounds = [w.replace("$YEAR", r"(?:19|20)\d{2}") for w in entry["around"]]
    around = "(?=" + "|".join(f"(?:{w})" for w in arounds) + r")(?:与|和)\s*"
    return re.compile(f"(?:{before}|{around}){year}", re.I)


LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
LOOKAROUND = re.compile(r"\(\?<?[=!](?:[^()]|\([^()]*\))*\)")
FLAGS = re.compile(r"\(\?[aiLmsux]+:|\\b")


def _match_length(word: str) -> int:
    """How long a text an alias matches (lookarounds and flags match nothing): longer words are tried first, so
    '(?<!住院)异地就医' never shadows '异地就医费用'."""
    return len(FLAGS.sub("", LOOKAROUND.sub("", word)))


def _first_chars(word: str) -> set[str] | None:
    """Characters a match of `word` can start with (both cases), or None when any character could."""
    try:
        ops = list(re._parser.parse(word))   # the stdlib's own regex parser
    except re.error:
        return None
    return _first_of(ops, ignore_case=False)


def _first_of(ops: list, ignore_case: bool) -> set[str] | None:
    c = re._constants
    found: set[str] = set()
    for op, arg in ops:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue            # \b, lookarounds match no character
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            first = _first_of(list(arg[2]), ignore_case)
            if first is None:
                return None
            found |= first
            if arg[0] >= 1:
                return found
            continue            # optional: the match may start with what follows too
        first = _first_op(op, arg, ignore_case)
        return None if first is None else found | first
    return None


def _first_op(op, arg, ignore_case: bool) -> set[str] | None:
    c = re._constants
    both = (lambda chars: chars | {x.upper() for x in chars} | {x.lower() for x in chars}) if ignore_case else (
        lambda chars: chars)
    if op is c.LITERAL:
        return both({chr(arg)})
    if op is c.IN:
        chars: set[str] = set()
        for kind, value in arg:
            if kind is c.LITERAL:
                chars.add(chr(value))
            elif kind is c.RANGE and value[1] - value[0] < 300:
                chars |= {chr(v) for v in range(value[0], value[1] + 1)}
            elif kind is c.CATEGORY and value is c.CATEGORY_DIGIT:
                chars |= set("0123456789")
            else:
                return None
        return both(chars)
    if op is c.SUBPATTERN:
        _, add_flags, _, sub = arg
        return _first_of(list(sub), ignore_case or bool(add_flags & re.I))
    if op is c.BRANCH:
        found: set[str] = set()
        for branch in arg[1]:
            first = _first_of(list(branch), ignore_case)
            if first is None:
                return None
            found |= first
        return found
    return None


def _prefilter(words: list[str]) -> str:
    """A lookahead on the first characters any alias can start with, so most positions fail at once."""
    chars: set[str] = set()
    for word in words:
        first = _first_chars(word)
        if first is None:
            return ""
        chars |= first
    return "(?=[" + "".join(re.escape(ch) for ch in sorted(chars)) + "])" if chars else ""


def _named(groups: list[tuple[str, str, list[str]]], prefix: str = "") -> tuple[re.Pattern, dict]:
    """One regex with a named group per (kind, key); alternatives ordered so longer words win."""
    parts: list[tuple[int, str, str]] = []
    keys: dict[str, tuple[str, str]] = {}
    for n, (kind, key, words) in enumerate(groups):
        for m, word in enumerate(words):
            name = f"g{n}_{m}"
            keys[name] = (kind, key)
            parts.append((_match_length(word), word, name))
    parts.sort(key=lambda p: -p[0])
    if prefix:
        alternatives = "|".join(f"(?P<{name}>{word})" for _, word, name in parts)
        return re.compile(prefix + "(?:" + (alternatives or "(?!x)x") + ")"), keys
    return re.compile(_dispatch(parts, keys)), keys


def _is_latin(word: str) -> bool:
    """An English alias (wrapped in (?i:…) by _lang, or starting with a Latin letter)."""
    return word.startswith("(?i:") or (_first_chars(word) or {"\x00"}) <= set(LATIN)


def _dispatch(parts: list[tuple[int, str, str]], keys: dict[str, tuple[str, str]]) -> str:
    """Latin-script aliases are tried only where a word starts, and only those that can start with its letter; the
    others only at their first characters: most positions of a text fail at once, and a word start tries a few
    aliases, not all of them, so scanning stays fast on long texts. An alias that can start with several letters is
    in each of their branches (under one more group name, same key); within a branch the order stays longest first."""
    first = {name: _first_chars(word) for _, word, name in parts}
    latin = [(w, n) for _, w, n in parts if (first[n] or {"\x00"}) <= LATIN]
    other = [(w, n) for _, w, n in parts if not (first[n] or {"\x00"}) <= LATIN]
    branches, named = [], set()
    for letter in sorted({ch.lower() for _, n in latin for ch in first[n]}):
        alternatives = []
        for word, name in ((w, n) for w, n in latin if first[n] & {letter, letter.upper()}):
            alias = f"{name}_{letter}" if name in named else name
            keys[alias] = keys[name]
            named.add(alias)
            alternatives.append(f"(?P<{alias}>{word})")
        branches.append(f"(?=[{letter}{letter.upper()}])(?:" + "|".join(alternatives) + ")")
    dispatched = [r"(?<![A-Za-z])(?:" + "|".join(branches) + ")"] if branches else []
    if other:
        dispatched.append(_prefilter([w for w, _ in other]) + "(?:" + "|".join(f"(?P<{n}>{w})" for w, n in other) + ")")
    return "|".join(dispatched) or "(?!x)x"
