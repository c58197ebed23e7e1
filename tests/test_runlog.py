"""Run records: ids, JSON-able rows and the markdown summary shown in the Prefect UI."""
from __future__ import annotations

import math
import re

import pandas as pd

from tasks.ops.runlog import new_run_id, records, release_row, run_markdown

RECORD = {
    "run_id": "20250801T023000Z-1a2b3c4d", "kind": "nightly", "warehouse": "/data/wh", "sources": "sources.yml",
    "outcome": "completed with blocked releases", "versions": {"catalogue": "abc", "extractor": "1"},
    "releases": {"2024": {"status": "blocked", "documents": 2, "facts": 121, "published_rows": 135,
                          "status_counts": {"agreed": 13}, "alerts": {"critical": 1}},
                 "2023": {"status": "published", "documents": 1, "facts": 72, "published_rows": 106,
                          "status_counts": {"single_source": 72}, "alerts": {}}},
    "ingest_errors": [{"source": "https://example.org/b.html", "reason": "HTTP 500 (after 4 attempts)"}],
    "checks": [{"suite": "facts", "success": False, "failures": [{"expectation": "x"}], "bad_rows": 3}],
    "deliveries": [{"target": "json://hooks.example.org", "delivered": False, "attempts": 3, "error": "refused"}],
}


def test_run_id_sorts_by_time_and_carries_the_flow_run_id():
    assert re.fullmatch(r"\d{8}T\d{6}Z-1a2b3c4d", new_run_id("1a2b3c4d-0000-0000-0000-000000000000"))
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", new_run_id(None))


def test_records_are_json_able():
    frame = pd.DataFrame({"a": [1.5, math.nan], "b": pd.array([2, None], dtype="Int64"), "c": ["x", None]})
    assert records(frame) == [{"a": 1.5, "b": 2, "c": "x"}, {"a": None, "b": None, "c": None}]


def test_markdown_summary_lists_releases_in_order_errors_failed_suites_and_deliveries():
    text = run_markdown(RECORD)
    assert text.index("| 2023 | published |") < text.index("| 2024 | blocked |")
    assert "critical 1" in text and "`https://example.org/b.html`: HTTP 500" in text
    assert "facts: 1 expectations failed on 3 rows" in text
    assert "json://hooks.example.org: NOT delivered (refused) after 3 attempt(s)" in text


def test_release_row_counts_documents_and_facts_of_one_release():
    docs = pd.DataFrame({"release_year": [2024, 2024, 0], "status": ["ok", "quarantined", "ok"]})
    facts = pd.DataFrame({"release_year": [2024] * 3 + [0]}, columns=["release_year"])
    assert release_row(docs, facts, 2024) == {"documents": 2, "quarantined_documents": 1, "facts": 3}
