"""DuckDB views over a warehouse written by tasks.store.warehouse, and the terminal view of a release."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from release_frames import SEED_2024, facts, documents, published

from tasks.contract.catalogue import load_catalogue
from tasks.publish.derive import derive_indicators
from tasks.present.query import QueryError, dataset_files, format_result, run_query, show_release
from tasks.publish.vintages import build_revisions
from tasks.store.warehouse import Warehouse


@pytest.fixture
def warehouse(tmp_path):
    """Releases 2024 (seed figures + derived rows, quick report first) and 2025 (restating 2024)."""
    stated = published(SEED_2024)
    release_2024 = pd.concat([stated, derive_indicators(stated, load_catalogue())], ignore_index=True)
    release_2025 = published([("bmi.fund.revenue", 2024, "level", 3491400e6),
                              ("bmi.fund.revenue", 2025, "level", 3.6e12)], release_year=2025)
    quick = facts(("aaaaaaaaaaaaaaaa", "bmi.fund.revenue", 2024, "level", 3.49e12, "quick_report", 2024))
    docs = documents(("aaaaaaaaaaaaaaaa", "quick_report", 2024))
    everything = pd.concat([release_2024, release_2025], ignore_index=True)
    store = Warehouse(tmp_path / "wh")
    for year, rows in everything.groupby("release_year"):
        store.write_partition("published", int(year), rows)
    for year, rows in build_revisions(quick, docs, everything).groupby("release_year"):
        store.write_partition("revisions", int(year), rows)
    store.write_partition("facts", 2024, quick)
    return store.root


def test_one_view_per_dataset(warehouse):
    assert set(dataset_files(warehouse)) == {"facts", "published", "revisions"}
    counts = run_query(warehouse, "SELECT release_year, count(*) AS n FROM published GROUP BY 1 ORDER BY 1")
    assert counts["release_year"].tolist() == [2024, 2025] and counts["n"].iloc[1] == 2


def test_quick_report_versus_final_bulletin_and_restatements_are_one_query(warehouse):
    rows = run_query(warehouse, """
        SELECT release_year, vintage, value, revision FROM revisions
        WHERE indicator_id = 'bmi.fund.revenue' AND period_year = 2024 AND measure = 'level'
        ORDER BY vintage_number""")
    assert rows["vintage"].tolist() == ["quick_report", "final_bulletin", "restatement"]
    assert rows["release_year"].tolist() == [2024, 2024, 2025]
    assert rows["revision"].iloc[1] == pytest.approx(1.337e9) and rows["revision"].iloc[2] == pytest.approx(63e6)


def test_latest_view_shows_the_latest_vintage(warehouse):
    latest = run_query(warehouse, "SELECT period_year, value, release_year FROM latest "
                                  "WHERE indicator_id = 'bmi.fund.revenue' AND measure = 'level' ORDER BY 1")
    assert latest.values.tolist() == [[2023, 3350100e6, 2024], [2024, 3491400e6, 2025], [2025, 3.6e12, 2025]]


def test_errors_name_the_views(warehouse, tmp_path):
    with pytest.raises(QueryError, match="views over .*: facts, latest, published, revisions"):
        run_query(warehouse, "SELECT * FROM nosuch")
    with pytest.raises(QueryError, match="empty warehouse"):
        run_query(tmp_path / "empty", "SELECT * FROM published")


def test_show_release_is_a_readable_table(warehouse):
    text = show_release(warehouse, 2024)
    assert "Release 2024" in text and "CNY 3,491.337 bn" in text and "+4.2%" in text
    assert "derived.bmi.fund.balance" in text and "BMI fund total revenue" in text
    assert "derived.bmi.fund.balance" not in show_release(warehouse, 2024, include_derived=False)
    with pytest.raises(QueryError, match="no published release 2019"):
        show_release(warehouse, 2019)


def test_result_formats(warehouse):
    frame = run_query(warehouse, "SELECT indicator_id, value FROM published WHERE release_year = 2025 ORDER BY 2")
    assert format_result(frame, "csv") == "indicator_id,value\nbmi.fund.revenue,3491400000000\n" \
                                          "bmi.fund.revenue,3600000000000\n"
    assert [r["value"] for r in json.loads(format_result(frame, "json"))] == [3.4914e12, 3.6e12]
    assert json.loads(format_result(frame, "jsonl").splitlines()[1])["value"] == 3.6e12
    assert "2 row(s)" in format_result(frame, "table")
    with pytest.raises(ValueError):
        format_result(frame, "xml")
