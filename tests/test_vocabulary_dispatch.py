"""Latin aliases are dispatched on their first letter: the scanner finds exactly what one plain alternation of every
alias (longest first, at word starts) finds, at the same places, under the same keys."""
from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from tasks.extraction import vocabulary
from tasks.extraction.scanner import Scanner

WORDS = ["employee medical insurance", "employees", "enrolment", "Medical Insurance Fund", "medical",
         "fund revenue", "revenue", "residents", "rural residents", "income", "people", "beneficiaries",
         "in-patient", "hospital", "cost", "costs", "x", "Ltd", "1,234.5", "亿元", "，", " ", " ", "-"]


def plain(groups):
    """The reference: every Latin alias in one alternation, longest first, tried where a word starts."""
    parts, keys = [], {}
    for n, (kind, key, words) in enumerate(groups):
        for m, word in enumerate(words):
            keys[f"g{n}_{m}"] = (kind, key)
            parts.append((vocabulary._match_length(word), f"(?P<g{n}_{m}>{word})"))
    parts.sort(key=lambda p: -p[0])
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(p for _, p in parts) + ")"), keys


def vocabulary_groups():
    import yaml

    data = yaml.safe_load(vocabulary.VOCABULARY_PATH.read_text(encoding="utf-8"))
    return [("concept", k, [w for w in vocabulary._lang(v) if vocabulary._is_latin(w)])
            for k, v in data["concepts"].items()] + \
           [(kind, k, [w for w in vocabulary._lang(v) if vocabulary._is_latin(w)])
            for kind, section in (("metric", "metrics"), ("scheme", "schemes"), ("direct", "direct"))
            for k, v in data[section].items()]


GROUPS = vocabulary_groups()
DISPATCHED = Scanner(None, {}, *vocabulary._named(GROUPS))
REFERENCE = Scanner(None, {}, *plain(GROUPS))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30).map("".join))
def test_dispatched_aliases_hit_what_the_plain_alternation_hits(text):
    assert DISPATCHED.hits(text) == REFERENCE.hits(text)


def test_an_alias_that_can_start_with_two_letters_is_found_under_either():
    groups = [("metric", "fund", ["(?i:(?:fund|money) in)"]), ("metric", "inflow", ["(?i:inflow)"])]
    scanner = Scanner(None, {}, *vocabulary._named(groups))
    assert [h[3] for h in scanner.hits("Money in, fund in, inflow")] == ["fund", "fund", "inflow"]
