"""Consensus checks work out each figure's backers once per key: the same verdicts as asking, for every document,
which figure a majority of the other sources state (the reference below)."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from tasks.publish.trust import _agree, _consensus_checks, _ten_fold, _best


def reference_checks(figures: dict[str, list[dict]]) -> dict[str, list]:
    """The plain definition: for each document, the majority of the other sources, computed from scratch."""
    by_key: dict[tuple, dict[str, list[dict]]] = {}
    for doc_id, items in figures.items():
        for f in items:
            by_key.setdefault((*f["key"], f["kind"]), {}).setdefault(doc_id, []).append(f)
    checks: dict[str, list] = {}
    for key, per_doc in sorted(by_key.items()):
        for doc_id, mine in sorted(per_doc.items()):
            others: dict[str, list[dict]] = {}
            for figs in per_doc.values():
                if figs[0]["source"] != mine[0]["source"]:
                    others.setdefault(figs[0]["source"], []).extend(figs)
            anchor = None
            if len(others) >= 2:
                for f in sorted((f for figs in others.values() for f in figs),
                                key=lambda f: (f["resolution"], f["value"])):
                    backers = sum(any(_agree(f, g) for g in figs) for figs in others.values())
                    if 2 * backers > len(others) and backers >= 2:
                        anchor = f
                        break
            if anchor is None:
                continue
            entry = checks.setdefault(doc_id, [0, 0, []])
            if any(_agree(m, anchor) for m in mine):
                entry[0] += 1
            elif not any(_ten_fold(m, anchor) for m in mine):
                entry[1] += 1
                entry[2].append(f"{key[0]} {key[2]} {key[3]}: {_best(mine)['value']:g} against the "
                                f"{anchor['value']:g} most other sources state")
    return checks


figure = st.fixed_dictionaries({
    "key": st.tuples(st.sampled_from(["a.fund", "b.people"]), st.just("CN"), st.sampled_from([2022, 2023]),
                     st.just("level")),
    "value": st.sampled_from([100.0, 100.4, 101.0, 1000.0, 10.0, 99.0]),
    "resolution": st.sampled_from([0.1, 1.0, 10.0]),
    "qualifier": st.sampled_from(["exact", "exact", "approx", "lower_bound"]),
    "kind": st.sampled_from(["bulletin", "reprint"]),
    "damaged": st.booleans(),
    "source": st.sampled_from(["s1", "s2", "s3", "s4", "s5"]),
})


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([f"d{i}" for i in range(8)]), st.lists(figure, min_size=1, max_size=4),
                       max_size=8))
def test_consensus_checks_match_the_plain_definition(figures):
    for doc_id, items in figures.items():        # a document has one source, whatever its figures say
        for f in items:
            f["source"] = items[0]["source"]
    assert _consensus_checks(figures) == reference_checks(figures)


def test_a_lone_dissenter_is_counted_against_and_the_majority_for():
    def fig(value, source):
        return {"key": ("a.fund", "CN", 2023, "level"), "value": value, "resolution": 0.1, "qualifier": "exact",
                "kind": "reprint", "damaged": False, "source": source}
    figures = {"d1": [fig(100.0, "s1")], "d2": [fig(100.0, "s2")], "d3": [fig(100.0, "s3")],
               "d4": [fig(250.0, "s4")]}
    checks = _consensus_checks(figures)
    assert checks["d4"][:2] == [0, 1] and "250 against the 100" in checks["d4"][2][0]
    assert [checks[d][:2] for d in ("d1", "d2", "d3")] == [[1, 0]] * 3
