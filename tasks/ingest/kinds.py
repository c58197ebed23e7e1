"""Each document's kind and release year from evidence: what it says of itself and its date against the calendar."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from tasks.ingest.dates import event_month, published_date

KINDS_PATH = Path(__file__).with_name("kinds.yaml")
SCORED = ("final_bulletin", "quick_report", "monthly_release", "partial_year")   # tie order too
ALWAYS_CANDIDATES = ("final_bulletin", "quick_report")                          # annual texts are one of these


@dataclass(frozen=True)
class KindRules:
    """Compiled kinds.yaml."""

    kinds: tuple[str, ...]
    annual_kinds: tuple[str, ...]
    title_lines: int
    title_chars: int
    head_chars: int
    titles: dict[str, tuple[re.Pattern, ...]]
    words: dict[str, tuple[str, ...]]
    title_only_words: tuple[str, ...]
    full_year: re.Pattern
    official_ref: re.Pattern
    topic: re.Pattern
    year_context: re.Pattern
    calendar: dict[str, tuple[int, ...]]
    bulletin_from_month: int
    weights: dict[str, float]
    calendar_weights: dict[str, float]
    groups: dict[str, float]


@lru_cache(maxsize=4)
def load_kind_rules(path: str | None = None) -> KindRules:
    """Read kinds.yaml once per process."""
    data = yaml.safe_load(Path(path or KINDS_PATH).read_text(encoding="utf-8"))
    return KindRules(
        kinds=tuple(data["kinds"]), annual_kinds=tuple(data["annual_kinds"]),
        title_lines=int(data["title_lines"]), title_chars=int(data["title_chars"]),
        head_chars=int(data["head_chars"]), title_only_words=tuple(data["title_only_words"]),
        titles={k: tuple(re.compile(p) for p in v) for k, v in data["titles"].items()},
        words={k: tuple(w.lower() for w in v) for k, v in data["self_description"].items()},
        full_year=re.compile("|".join(f"(?:{p})" for p in data["full_year_spans"])),
        official_ref=re.compile(data["official_ref"]), topic=re.compile(data["topic"]),
        year_context=re.compile(data["year_context"]),
        calendar={k: tuple(v) for k, v in data["calendar"].items()},
        bulletin_from_month=int(data["bulletin_from_month"]),
        weights={k: float(v) for k, v in data["weights"].items() if not isinstance(v, dict)},
        calendar_weights={k: float(v) for k, v in data["weights"]["calendar_match"].items()},
        groups={k: float(v) for k, v in data["groups"].items()})


KINDS = load_kind_rules().kinds
ANNUAL_KINDS = load_kind_rules().annual_kinds


@dataclass
class KindVerdict:
    """A document's kind with every signal that chose it, how sure we are, its release and publication date."""

    kind: str
    reason: str
    evidence: list[str]
    confidence: float
    release_year: int
    official_ref: bool
    published_date: str
    scores: dict[str, float] = field(default_factory=dict)


def confidence_of(margin: float) -> float:
    """Confidence from the score margin over the runner-up: 0 margin is a coin toss, 3 points about 0.9."""
    return round(min(0.99, max(0.05, 1.0 - 0.5 ** max(margin, 0.0))), 2)


def judge_kind(clean_text: str, partial_year_pattern: re.Pattern, source_uri: str = "") -> KindVerdict:
    """Score every kind from the text's self-description, its spans and its date; the best one wins."""
    rules = load_kind_rules()
    weights = rules.weights
    official = bool(rules.official_ref.search(clean_text))
    head = clean_text[:rules.head_chars]
    named = _named(head, rules)
    years = _figure_years(clean_text, rules.year_context)
    pub = published_date(clean_text, source_uri)
    partial = len(partial_year_pattern.findall(clean_text))
    topic = bool(rules.topic.search(clean_text))
    if not named and (not topic or not (years or partial)):
        return KindVerdict("unrelated", "no medical-insurance statistics found", ["no official name, topic or "
                           "dated statistics"], 0.7 if topic else 0.9, 0, official, pub)
    scores = dict.fromkeys(SCORED, 0.0)
    evidence: list[str] = []

    def add(kind: str, weight: float, why: str) -> None:
        scores[kind] += weight
        evidence.append(f"{why} ({kind} {weight:+.2f})")

    credited: set[str] = set()
    title_text = _title(clean_text, rules)
    for rank, (_, kind, year, name) in enumerate(named):
        in_title = name in title_text
        weight = weights["title_in_title" if in_title else "title_in_head"] if rank == 0 else weights["word_in_body"]
        add(kind, weight, f"names the {name} {'in its title' if in_title else 'in its head'}"
            if rank == 0 else f"also mentions the {name}")
        credited.add(kind)
    release_year = named[0][2] if named else years.most_common(1)[0][0] if years else int(pub[:4] or 0)
    lowered = clean_text.lower()
    title = _title(lowered, rules)
    for kind, words in rules.words.items():
        if kind in credited:
            continue
        in_title = next((w for w in words if w in title), None)
        body = "" if kind in rules.title_only_words else lowered
        in_body = in_title or next((w for w in words if w in body), None)
        if in_title:
            add(kind, weights["word_in_title"], f"calls itself '{in_title}' in its title")
        elif in_body:
            add(kind, weights["word_in_body"], f"says '{in_body}'")
    if partial:
        add("partial_year", min(weights["partial_cap"], weights["partial_base"] + weights["partial_each"] * (partial - 1)),
            f"{partial} partial-year period(s) (e.g. 1-8月)")
    full = len(rules.full_year.findall(clean_text))
    if full:
        add("monthly_release", weights["full_year_span"], f"{full} full-year monthly span(s) (1-12月)")
    if not partial:
        release_year = _release_from_date(release_year, pub, years, named, evidence)
    if not _calendar(release_year, pub, 0 if partial else event_month(clean_text), rules, add, evidence):
        pub = ""
    add("final_bulletin", weights["default_bulletin"], "prior: annual figures are the bulletin's unless shown otherwise")
    return _verdict(scores, evidence, release_year, official, pub, partial)


def _verdict(scores: dict[str, float], evidence: list[str], release_year: int, official: bool, pub: str,
             partial: int) -> KindVerdict:
    candidates = [k for k in SCORED if k in ALWAYS_CANDIDATES or scores[k] > 0]
    ranked = sorted(candidates, key=lambda k: (-scores[k], SCORED.index(k)))
    best, runner = ranked[0], ranked[1]
    margin = scores[best] - scores[runner]
    confidence = confidence_of(margin)
    positive = [e for e in evidence if f"({best} +" in e]
    reason = positive[0].rsplit(" (", 1)[0] if positive else "nothing else known"
    if best == "final_bulletin" and len(positive) == 1:
        reason = "no bulletin named or dated; annual figures assumed to be the bulletin's (low confidence)"
    evidence = [*evidence, f"chose {best} by {margin:.2f} over {runner}"]
    return KindVerdict(best, reason, evidence, confidence, release_year, official, pub,
                       {k: round(v, 2) for k, v in scores.items()})


def _release_from_date(release_year: int, pub: str, years: Counter, named: list, evidence: list[str]) -> int:
    """An annual report published in year Y is about Y-1: a page citing its own year most still belongs to Y-1."""
    if not pub or named:
        return release_year
    pub_year = int(pub[:4])
    if release_year >= pub_year and years.get(pub_year - 1):
        evidence.append(f"published {pub}: release year {pub_year - 1}, not {release_year}")
        return pub_year - 1
    return release_year


def _calendar(release_year: int, pub: str, event: int, rules: KindRules, add, evidence: list[str]) -> bool:
    """Date against the release calendar (months of the year after the period); False if the date is not believed."""
    month, source, believed = 0, "", True
    if pub:
        year = int(pub[:4])
        if year == release_year + 1:
            month, source = int(pub[5:7]), f"dated {pub}"
        elif year > release_year + 1:
            evidence.append(f"dated {pub}, a later repost: no calendar evidence from it")
        elif not event:
            for kind in rules.annual_kinds:
                add(kind, rules.weights["in_period"], f"dated {pub}, before release {release_year} ended")
            return True
        else:
            evidence.append(f"dated {pub}, inside the period while the text says it came out in month {event}: "
                            "not its publication date")
            believed = False
    if not month and event:
        month, source = event, f"filed or released in month {event} (of {release_year + 1} assumed)"
    if not month:
        return believed
    for kind, months in rules.calendar.items():
        if month in months:
            add(kind, rules.calendar_weights[kind], f"{source}: in the {kind} calendar")
    if month < rules.bulletin_from_month:
        add("final_bulletin", rules.weights["before_bulletin"], f"{source}: before the bulletin is published")
    return believed


def _title(text: str, rules: KindRules) -> str:
    """The first non-empty lines: where a page names itself."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines[:rules.title_lines])[:rules.title_chars]


def _named(head: str, rules: KindRules) -> list[tuple[int, str, int, str]]:
    """Official names with their year in the head, earliest first: a bulletin mentioning the quick report is a bulletin."""
    found = []
    for kind in ("quick_report", "final_bulletin"):
        hits = [m for p in rules.titles[kind] for m in [p.search(head)] if m]
        if hits:
            first = min(hits, key=lambda m: m.start())
            found.append((first.start(), kind, int(first.group(1)), first.group(0).strip()))
    return sorted(found)


def _figure_years(text: str, year_context: re.Pattern) -> Counter:
    """Years that date statements ('截至2020年底', 'in 2019'), most cited first."""
    counts: Counter = Counter()
    for match in year_context.finditer(text):
        year = int(match.group(1) or match.group(2))
        nearby = text[match.end():match.end() + 3]
        if re.match(r"\s*\d{1,2}\s*月", nearby) or re.match(r"-\d{2}-", text[match.end():match.end() + 4]):
            continue
        counts[year] += 1
    return counts


def classify(clean_text: str, partial_year_pattern: re.Pattern) -> tuple[str, str, int, bool]:
    """(kind, reason, release_year, official_ref): the short form of judge_kind for callers that need no evidence."""
    verdict = judge_kind(clean_text, partial_year_pattern)
    return verdict.kind, verdict.reason, verdict.release_year, verdict.official_ref
