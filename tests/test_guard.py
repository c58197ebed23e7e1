"""Pure parts of 'nothing lost' (#10): the shrink guard, one document per sha256, moved sources, healing state."""
from __future__ import annotations

import pandas as pd

from tasks.ingest import collect

from tasks.ops import changes

from tasks.quality import guard
from tasks.ingest.raw import RawDocument

V1 = {"catalogue": "c1", "extractor": "1"}


def rows(*keys: tuple[str, int]) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_id": i, "region": "CN", "period_year": p, "measure": "level", "value": 1.0}
                         for i, p in keys], columns=["indicator_id", "region", "period_year", "measure", "value"])


def test_a_build_that_loses_rows_indicators_periods_and_documents_names_each():
    current = rows(("bmi.participants", 2024), ("bmi.participants", 2023), ("ebmi.fund.revenue", 2024))
    new = rows(("bmi.participants", 2024))
    shrink = guard.compare_builds(2024, current, new, {"aaaa": ["a.txt"], "bbbb": ["b.txt"]}, {"aaaa": ["a.txt"]})
    assert shrink.shrinks
    assert shrink.lost_indicators == ["ebmi.fund.revenue"] and shrink.lost_periods == [2023]
    assert shrink.lost_documents == ["bbbb"]
    text = shrink.describe()
    assert text.startswith("would remove 2 of 3 rows") and "indicators lost: ebmi.fund.revenue" in text
    assert "periods lost: 2023" in text and "documents lost: bbbb" in text
    alert = guard.shrink_alert(shrink)
    assert alert["severity"] == "critical" and alert["rule"] == guard.RULE and "--accept-shrink" in alert["evidence"]


def test_a_growing_or_equal_build_and_a_first_build_lose_nothing():
    current = rows(("bmi.participants", 2024))
    grown = rows(("bmi.participants", 2024), ("ebmi.fund.revenue", 2024))
    assert not guard.compare_builds(2024, current, grown, {"a": ["x"]}, {"a": ["x"], "b": ["y"]}).shrinks
    assert not guard.compare_builds(2024, current.iloc[:0], rows(), {"a": ["x"]}, {}).shrinks


def test_a_document_moved_or_edited_in_place_is_not_a_lost_document():
    current = rows(("bmi.participants", 2024))
    moved = guard.compare_builds(2024, current, current, {"aaaa": ["old/a.txt"]}, {"aaaa": ["new/a.txt"]})
    edited = guard.compare_builds(2024, current, current, {"aaaa": ["a.txt"]}, {"cccc": ["a.txt"]})
    assert not moved.shrinks and not edited.shrinks


def test_long_loss_lists_are_cut_with_a_count():
    many = [f"ind.{i:02d}" for i in range(12)]
    shrink = guard.compare_builds(2024, rows(*[(i, 2024) for i in many]), rows(), {}, {})
    assert "(+4 more)" in shrink.describe()


def test_feeding_documents_are_the_ok_ones_with_their_origins():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "status": ["ok", "quarantined", "ok"],
                         "origins": ["x.txt;y.txt", "z.txt", None], "source_uri": ["x.txt", "z.txt", "w.txt"]})
    assert guard.feeding_documents(docs) == {"a": ["x.txt", "y.txt"], "c": ["w.txt"]}


def test_the_same_bytes_under_two_addresses_are_one_input_with_both_origins():
    one = RawDocument("sources/b.txt", b"same bytes")
    two = RawDocument("http://example.org/a.html", b"same bytes")
    other = RawDocument("sources/c.txt", b"other bytes")
    unique, origins = collect.unique_by_content([one, other, two])
    assert [r.source_uri for r in unique] == ["http://example.org/a.html", "sources/c.txt"]
    assert collect.joined_origins(origins, one.sha256, one.source_uri) == "http://example.org/a.html;sources/b.txt"


def test_archived_snapshots_of_bytes_still_in_the_sources_never_re_enter():
    current = [RawDocument("new/a.txt", b"A")]
    archived = [RawDocument("old/a.txt", b"A"), RawDocument("old/gone.txt", b"G")]
    assert [r.source_uri for r in collect.merge_inputs(current, archived)] == ["new/a.txt", "old/gone.txt"]


STATE = {"inputs": {"old/a.txt": {"sha256": "A", "release_year": 2024}},
         "releases": {"2024": {"versions": V1, "status": "published"}}, "builds": {"2024": "f1"}}


def test_known_bytes_under_a_new_path_are_moved_not_new_and_rebuild_their_release():
    plan = changes.plan_changes(STATE, {"new/a.txt": "A"}, V1, {2024: "f1"})
    assert plan.moved == ["new/a.txt"] and not plan.new and not plan.nothing_to_do
    assert changes.releases_to_rebuild(plan, STATE, {}, {"new/a.txt": "A"}) == {2024}
    assert "under a new path" in plan.describe()


def test_a_release_whose_files_differ_from_the_recorded_build_is_healed():
    assert changes.plan_changes(STATE, {"old/a.txt": "A"}, V1, {2024: "f1"}).nothing_to_do
    half = changes.plan_changes(STATE, {"old/a.txt": "A"}, V1, {2024: "f2"})
    assert half.incomplete == {2024} and changes.releases_to_rebuild(half, STATE, {}) == {2024}
    no_record = {k: v for k, v in STATE.items() if k != "builds"}
    assert changes.plan_changes(no_record, {"old/a.txt": "A"}, V1, {2024: "f1"}).incomplete == {2024}


def test_the_state_keeps_build_fingerprints_and_the_documents_of_each_published_build():
    state = changes.with_builds(STATE, {2024: "f9"}, {2024: {"d1": ["a.txt"]}})
    assert state["builds"] == {"2024": "f9"} and changes.built_documents(state, 2024) == {"d1": ["a.txt"]}
    again = changes.next_state(state, V1, {"old/a.txt": ("A", 2024)}, {2024: "published"})
    assert again["builds"] == {"2024": "f9"} and changes.built_documents(again, 2023) is None
