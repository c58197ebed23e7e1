"""Documents are compared for vintages only when they share a figure key, in the order all pairs would be."""
from __future__ import annotations

from itertools import combinations

from hypothesis import given, strategies as st

from tasks.publish.vintage_groups import _sharing_pairs

KEYS = [("bmi.participants", region, 2020, "level") for region in ("CN", "110000", "440000", "310000")]


@given(st.dictionaries(st.text("abcdef0123", min_size=1, max_size=4),
                       st.sets(st.sampled_from(KEYS), max_size=3), max_size=12))
def test_sharing_pairs_are_the_pairs_with_a_common_key(docs):
    ids = sorted(docs)
    figures = {d: {k: [(1.0, 0.5)] for k in keys} for d, keys in docs.items()}
    expected = [(a, b) for a, b in combinations(ids, 2) if set(figures[a]) & set(figures[b])]
    assert _sharing_pairs(ids, figures) == expected


def test_provinces_are_not_compared_with_each_other():
    figures = {"a": {KEYS[1]: [(5.0, 0.1)]}, "b": {KEYS[2]: [(5.0, 0.1)]}, "c": {KEYS[1]: [(5.1, 0.1)]}}
    assert _sharing_pairs(["a", "b", "c"], figures) == [("a", "c")]
