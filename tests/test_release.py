"""Building one release: reconcile, derive, validate; a failing published suite blocks it."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from release_frames import SEED_2024, documents, facts
from tasks.contract.catalogue import load_catalogue
from tasks.publish.derive import IDENTITY_COLUMNS
from tasks.publish.release import build_release, checks_files, identity_alerts

DOCS = documents(("6f1d39fb7c2bd3b1", "final_bulletin", 2024), ("3785d4ff51e68f84", "final_bulletin", 2024))
FACTS = facts(*[(doc, i, p, m, v, "final_bulletin", 2024) for doc in ("6f1d39fb7c2bd3b1", "3785d4ff51e68f84")
                for i, p, m, v in SEED_2024])


@pytest.fixture(scope="module")
def built():
    return build_release(2024, FACTS, DOCS, load_catalogue())


def test_release_is_published_with_derived_rows_and_checked(built):
    assert not built.blocked and built.release_year == 2024
    assert built.status_counts["agreed"] == len(SEED_2024) and built.status_counts["derived"] > 0
    assert [c.suite for c in built.checks] == ["published", "identities"] and all(c.success for c in built.checks)
    assert len(built.identities) > 0 and built.alerts == []


def test_failing_published_suite_blocks_with_critical_alerts(monkeypatch):
    import tasks.publish.reconcile

    original = tasks.publish.reconcile.publish_release

    def negative_coverage(*args, **kwargs):
        table = original(*args, **kwargs)
        table.loc[table["indicator_id"] == "bmi.participants", "value"] = -1.0
        return table

    monkeypatch.setattr(tasks.publish.reconcile, "publish_release", negative_coverage)
    blocked = build_release(2024, FACTS, DOCS, load_catalogue())
    assert blocked.blocked
    critical = [a for a in blocked.alerts if a["severity"] == "critical"]
    assert critical and all(a["rule"].startswith("published_suite:") for a in critical)


def test_identity_residuals_beyond_rounding_are_warnings():
    rows = pd.DataFrame([{"identity": "participants.total", "indicator_id": "bmi.participants", "region": "CN",
                          "period_year": 2024, "formula": "ebmi + rbmi = bmi", "lhs": 1.33e9, "rhs": 1.30e9,
                          "residual": 3e7, "tolerance": 5e5, "within_tolerance": False, "inputs": "", "release_year": 2024},
                         {"identity": "ok.one", "indicator_id": "x", "region": "CN", "period_year": 2024,
                          "formula": "a = b", "lhs": 1.0, "rhs": 1.0, "residual": 0.0, "tolerance": 0.1,
                          "within_tolerance": True, "inputs": "", "release_year": 2024}], columns=IDENTITY_COLUMNS)
    [alert] = identity_alerts(rows)
    assert (alert["severity"], alert["rule"], alert["indicator_id"]) == ("warning", "identity:participants.total",
                                                                       "bmi.participants")
    assert "residual 3e+07 beyond tolerance 500000" in alert["evidence"]


def test_checks_files_keep_every_verdict_and_the_validation_page(built):
    files = checks_files(built, [{"suite": "facts", "success": True, "n_rows": 56, "failures": [], "bad_rows": 0}])
    record = json.loads(files["validation.json"])
    assert [c["suite"] for c in record["checks"]] == ["facts", "published", "identities"]
    assert record["data_docs"] == ["validation.html"] and sorted(files) == ["validation.html", "validation.json"]
    assert all(len(c["expectations"]) > 10 for c in record["checks"][1:])
    page = files["validation.html"].decode("utf-8")
    assert 'id="suite-published"' in page and 'id="suite-facts"' in page and "expect_column_values" in page


def test_earlier_releases_back_a_repair_and_figures_left_out_are_an_info_alert_per_document():
    from release_frames import published
    from tasks.contract.schema import columns

    doc = "6f1d39fb7c2bd3b1"
    wrong = facts((doc, "bmi.fund.revenue", 2024, "level", 3.491337e13, "final_bulletin", 2024, "349133.7亿元"))
    previous = published([("bmi.fund.revenue", 2023, "level", 3.3501e12)], release_year=2023, status="agreed")
    left = pd.DataFrame([{"doc_id": doc, "text": "120亿元", "span_start": 3, "span_end": 9, "value": 1.2e10,
                          "unit_kind": "money", "reason": "no metric word", "context": "……120亿元……",
                          "region": "CN", "release_year": 2024},
                         {"doc_id": doc, "text": "7.5亿人次", "span_start": 20, "span_end": 26, "value": 7.5e8,
                          "unit_kind": "person_times", "reason": "partial year", "context": "1-6月",
                          "region": "CN", "release_year": 2024}], columns=columns("unattributed"))
    build = build_release(2024, wrong, DOCS.iloc[:1], load_catalogue(), previous=previous, unattributed=left)
    revenue = build.published[build.published["indicator_id"] == "bmi.fund.revenue"].iloc[0]
    assert revenue["status"] == "repaired" and "release 2023" in revenue["note"]
    assert build_release(2024, wrong, DOCS.iloc[:1], load_catalogue()).published.iloc[0]["status"] == "suspect"
    [alert] = [a for a in build.alerts if a["rule"] == "figures_left_out"]
    assert alert["severity"] == "info" and alert["doc_id"] == doc
    assert "2 figure(s)" in alert["evidence"] and "no metric word x1" in alert["evidence"]
