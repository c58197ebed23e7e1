"""Incremental planning: which inputs are new or changed, which releases to rebuild, the next state."""
from __future__ import annotations

import pandas as pd
import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.ops.changes import (current_versions, extractor_version, finished_releases, has_final_bulletin,
                           inputs_of, next_state, plan_changes, releases_to_rebuild)

V1 = {"catalogue": "c1", "extractor": "1"}
STATE = {"inputs": {"a.txt": {"sha256": "A", "release_year": 2023}, "b.txt": {"sha256": "B", "release_year": 2024},
                    "c.txt": {"sha256": "C", "release_year": 2024}},
         "releases": {"2023": {"versions": V1, "status": "published"},
                      "2024": {"versions": V1, "status": "published"}}}


def test_versions_come_from_the_catalogue_and_the_computed_fingerprints():
    from tasks.ops import fingerprint

    assert current_versions(load_catalogue()) == {"catalogue": load_catalogue().version,
                                                  "extractor": fingerprint.extractor_fingerprint(),
                                                  "release": fingerprint.release_fingerprint()}
    assert extractor_version() == fingerprint.extractor_fingerprint()


@pytest.mark.parametrize("inputs, versions, new, changed, stale", [
    ({"a.txt": "A", "b.txt": "B", "c.txt": "C"}, V1, [], [], set()),
    ({"a.txt": "A", "b.txt": "B"}, V1, [], [], set()),                      # a vanished input is not a change
    ({"a.txt": "A", "b.txt": "B2", "c.txt": "C", "d.txt": "D"}, V1, ["d.txt"], ["b.txt"], set()),
    ({"a.txt": "A"}, {**V1, "extractor": "2"}, [], [], {2023, 2024}),
])
def test_plan_changes(inputs, versions, new, changed, stale):
    plan = plan_changes(STATE, inputs, versions)
    assert (plan.new, plan.changed, plan.stale_releases) == (new, changed, stale)
    assert plan.nothing_to_do == (not new and not changed and not stale)


def test_no_state_means_everything_is_new():
    plan = plan_changes(None, {"x": "X"}, V1)
    assert plan.new == ["x"] and "1 new" in plan.describe()


def test_releases_to_rebuild_follow_inputs_where_they_go_and_where_they_were():
    plan = plan_changes(STATE, {"a.txt": "A", "b.txt": "B2", "d.txt": "D"}, V1)
    # b.txt changed and now belongs to 2025; it used to be in 2024. d.txt is new, release unknown (0).
    years = releases_to_rebuild(plan, STATE, {"b.txt": 2025, "d.txt": 0})
    assert years == {0, 2024, 2025}
    assert inputs_of(STATE, years, plan) == {"b.txt", "c.txt", "d.txt"}


def test_next_state_replaces_only_the_rebuilt_releases():
    built = {"b.txt": ("B2", 2025), "c.txt": ("C", 2024)}
    state = next_state(STATE, V1, built, {2024: "published", 2025: "blocked"})
    assert state["inputs"] == {"a.txt": {"sha256": "A", "release_year": 2023},
                               "b.txt": {"sha256": "B2", "release_year": 2025},
                               "c.txt": {"sha256": "C", "release_year": 2024}}
    assert state["releases"]["2025"] == {"versions": V1, "status": "blocked"}
    assert list(state["releases"]) == ["2023", "2024", "2025"]
    assert plan_changes(state, {"a.txt": "A", "b.txt": "B2", "c.txt": "C"}, V1).nothing_to_do


def test_next_state_for_one_release_keeps_inputs_of_others():
    built = {"a.txt": ("A", 2023), "c.txt": ("C", 2024)}
    state = next_state(None, V1, built, {2024: "published"})
    assert state["inputs"] == {"c.txt": {"sha256": "C", "release_year": 2024}}
    state = next_state(state, V1, built, {2023: "published"})
    assert set(state["inputs"]) == {"a.txt", "c.txt"}


def test_finished_releases_need_published_status_current_versions_and_a_partition():
    state = next_state(STATE, {**V1, "extractor": "2"}, {"c.txt": ("C", 2024)}, {2024: "published"})
    state["releases"]["2022"] = {"versions": {**V1, "extractor": "2"}, "status": "blocked"}
    assert finished_releases(state, {**V1, "extractor": "2"}, [2022, 2023, 2024]) == {2024}
    assert finished_releases(state, {**V1, "extractor": "2"}, [2023]) == set()


@pytest.mark.parametrize("vintages, final", [([], False), (["quick_report"], False),
                                             (["quick_report", "final_bulletin"], True)])
def test_has_final_bulletin(vintages, final):
    assert has_final_bulletin(pd.DataFrame({"vintage": vintages}, dtype=object)) is final
