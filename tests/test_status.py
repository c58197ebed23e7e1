"""`bulletin-etl status`: per release what is published, from which documents, when, fresh or stale, critical alerts."""
from __future__ import annotations

import json

import pandas as pd

from flows.cli import main
from tasks.ops import changes
from tasks.present.status import format_status, gather, release_status
from tasks.quality import alerts
from tasks.store.warehouse import Warehouse

VERSIONS = {"catalogue": "c1", "extractor": "e1"}


def _published(year: int, n: int) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_id": f"ind.{i % 3}", "region": "CN", "period_year": year, "measure": "level",
                          "value": 1.0 + i, "unit": "CNY", "status": "derived" if i == 0 else "agreed",
                          "vintage": "final_bulletin", "release_year": year} for i in range(n)])


def _documents(year: int) -> pd.DataFrame:
    return pd.DataFrame([{"doc_id": "d1", "kind": "final_bulletin", "title": "Bulletin", "source_uri": "a.txt",
                          "status": "ok", "release_year": year},
                         {"doc_id": "d2", "kind": "unrelated", "title": "spam", "source_uri": "b.txt",
                          "status": "quarantined", "release_year": year}])


def _state(years: dict[int, dict]) -> dict:
    return {"inputs": {"a.txt": {"sha256": "s1", "release_year": 2024}, "c.txt": {"sha256": "s3", "release_year": 2023}},
            "releases": {str(y): {"versions": v, "status": "published"} for y, v in years.items()},
            "builds": {"2023": "f23", "2024": "f24"}}


def test_release_status_reports_published_documents_build_freshness_and_critical_alerts():
    published = pd.concat([_published(2023, 4), _published(2024, 6)], ignore_index=True)
    documents = pd.concat([_documents(2023), _documents(2024)], ignore_index=True)
    found = alerts.alerts_frame([alerts.make_alert(2023, "critical", "release_shrink", "would remove 3 of 4 rows"),
                                 alerts.make_alert(2024, "warning", "conflict", "x")], "r2")
    runs = [{"run_id": "r1", "finished_at": "2026-01-01T00:00:00Z", "releases": {"2023": {"status": "published"},
                                                                                  "2024": {"status": "published"}}},
            {"run_id": "r2", "finished_at": "2026-01-02T00:00:00Z", "releases": {"2023": {"status": "blocked"}}}]
    state = _state({2023: VERSIONS, 2024: {"catalogue": "c0", "extractor": "e1"}})
    out = release_status(published, documents, found, state, VERSIONS, {2023: "f23", 2024: "f24"}, runs,
                         inputs={"a.txt": "s1", "c.txt": "CHANGED", "new.txt": "s9"})
    r23, r24 = out["releases"]
    assert (r23["rows"], r23["indicators"], r23["derived_rows"]) == (4, 3, 1)
    assert [d["doc_id"] for d in r23["documents"]] == ["d1"] and r23["documents_set_aside"] == 1
    assert r23["built_by_run"] == "r1" and r23["last_attempt"]["status"] == "blocked"
    assert r23["critical_alerts"] == [{"rule": "release_shrink", "evidence": "would remove 3 of 4 rows", "run_id": "r2"}]
    assert not r23["fresh"] and r23["stale_reasons"] == ["input changed: c.txt"]
    assert not r24["fresh"] and "catalogue (c0 -> c1)" in r24["stale_reasons"][0] and r24["warnings"] == 1
    assert out["new_inputs"] == ["new.txt"]
    text = format_status(out, width=400)
    assert "stale: input changed: c.txt" in text and "release_shrink: would remove 3 of 4 rows" in text
    assert "last run blocked (r2)" in text and "1 new inputs not built" in text
    assert json.loads(format_status(out, "json"))["releases"][0]["rows"] == 4


def test_a_release_built_with_the_current_versions_and_inputs_is_fresh():
    state = _state({2024: VERSIONS})
    out = release_status(_published(2024, 2), _documents(2024), alerts.alerts_frame([], "r"), state, VERSIONS,
                         {2024: "f24"}, [], inputs={"a.txt": "s1"})
    assert out["releases"][0]["fresh"] and out["releases"][0]["stale_reasons"] == []
    half_written = release_status(_published(2024, 2), _documents(2024), alerts.alerts_frame([], "r"), state,
                                  VERSIONS, {2024: "other"}, [])
    assert "mid-release" in half_written["releases"][0]["stale_reasons"][0]


def test_status_command_reads_the_warehouse(tmp_path, capsys, monkeypatch):
    wh = Warehouse(tmp_path / "wh")
    wh.write_partition("published", 2024, _published(2024, 3))
    wh.write_partition("documents", 2024, _documents(2024))
    versions = changes.current_versions(__import__("tasks.contract.catalogue", fromlist=["x"]).load_catalogue())
    wh.write_json(changes.STATE_FILE, {"inputs": {}, "releases": {"2024": {"versions": versions,
                                                                           "status": "published"}},
                                       "builds": {str(y): f for y, f in wh.build_fingerprints().items()}})
    wh.write_run_manifest({"run_id": "r1", "finished_at": "2026-01-01T00:00:00Z",
                           "releases": {"2024": {"status": "published"}}})
    assert gather(wh.root)["releases"][0]["fresh"]
    assert main(["status", "--warehouse", str(wh.root), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)["releases"][0]
    assert (shown["rows"], shown["built_by_run"], shown["fresh"]) == (3, "r1", True)


def test_an_empty_warehouse_says_so(tmp_path):
    shown = format_status(gather(tmp_path / "nothing"))
    assert "no release in" in shown and "bulletin-etl run" in shown
