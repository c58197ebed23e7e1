"""Vintages (quick report, final bulletin, restatement) and revisions between them, on small frames."""
from __future__ import annotations

import pandas as pd
import pytest
from release_frames import documents, facts, published

from tasks.contract.schema import columns
from tasks.publish.vintages import build_revisions, latest_values, vintage_kind

QUICK, FINAL_2024, FINAL_2025 = "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"


def history() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Release 2024 (a quick report, then the bulletin) and release 2025 restating 2024."""
    docs = pd.concat([documents((QUICK, "quick_report", 2024), (FINAL_2024, "final_bulletin", 2024)),
                      documents((FINAL_2025, "final_bulletin", 2025))], ignore_index=True)
    stated = facts((QUICK, "bmi.fund.revenue", 2024, "level", 3.49e12, "quick_report", 2024, "3.49万亿元"),
                   (QUICK, "rbmi.fund.revenue", 2024, "level", 1.12e12, "quick_report", 2024, "1.12万亿元"),
                   (FINAL_2024, "bmi.fund.revenue", 2024, "level", 3491337e6, "final_bulletin", 2024),
                   (FINAL_2025, "bmi.fund.revenue", 2024, "level", 3491400e6, "final_bulletin", 2025))
    pub = pd.concat([
        published([("bmi.fund.revenue", 2024, "level", 3491337e6, {"sources": FINAL_2024}),
                   ("rbmi.fund.revenue", 2024, "level", 1.12e12, {"sources": FINAL_2024}),
                   ("derived.bmi.fund.balance", 2024, "level", 514934e6,
                    {"status": "derived", "vintage": "derived", "unit": "CNY"})], release_year=2024),
        published([("bmi.fund.revenue", 2024, "level", 3491400e6, {"sources": FINAL_2025}),
                   ("bmi.fund.revenue", 2025, "level", 3.6e12, {"sources": FINAL_2025})], release_year=2025),
    ], ignore_index=True)
    return stated, docs, pub


def test_each_vintage_in_release_order_with_its_revision():
    revisions = build_revisions(*history())
    assert list(revisions.columns) == columns("revisions")
    revenue = revisions[(revisions["indicator_id"] == "bmi.fund.revenue") & (revisions["period_year"] == 2024)]
    assert revenue[["release_year", "vintage", "value", "vintage_number"]].values.tolist() == [
        [2024, "quick_report", 3.49e12, 1], [2024, "final_bulletin", 3491337e6, 2], [2025, "restatement", 3491400e6, 3]]
    final, restated = revenue.iloc[1], revenue.iloc[2]
    assert final["previous_vintage"] == "quick_report" and final["revision"] == pytest.approx(1.337e9)
    assert restated["previous_release_year"] == 2024 and restated["revision"] == pytest.approx(63e6)
    assert restated["revision_pct"] == pytest.approx(100 * 63e6 / 3491337e6)
    assert revenue.iloc[0]["source_text"] == "3.49万亿元" and revenue.iloc[0]["sources"] == QUICK


def test_a_later_vintage_stating_the_same_value_is_no_revision():
    revisions = build_revisions(*history())
    resident = revisions[revisions["indicator_id"] == "rbmi.fund.revenue"]
    assert resident["vintage"].tolist() == ["quick_report"] and resident["vintage_number"].tolist() == [1]
    assert not (revisions["revision"] == 0).any()


def test_a_change_after_an_unchanged_vintage_is_numbered_in_order_and_revises_the_vintage_before_it():
    stated, docs, pub = history()
    pub.loc[(pub["release_year"] == 2025) & (pub["period_year"] == 2024), "value"] = 3491337e6   # restated as is
    later = published([("bmi.fund.revenue", 2024, "level", 3491500e6)], release_year=2026)
    revisions = build_revisions(stated, docs, pd.concat([pub, later], ignore_index=True))
    revenue = revisions[(revisions["indicator_id"] == "bmi.fund.revenue") & (revisions["period_year"] == 2024)]
    assert revenue[["release_year", "vintage_number"]].values.tolist() == [[2024, 1], [2024, 2], [2026, 3]]
    assert revenue.iloc[2]["previous_release_year"] == 2025 and revenue.iloc[2]["revision"] == pytest.approx(163e6)


def test_derived_rows_quarantined_documents_and_unknown_releases_are_not_vintages():
    stated, docs, pub = history()
    docs.loc[docs["doc_id"] == QUICK, "status"] = "quarantined"
    revisions = build_revisions(stated, docs, pub)
    assert "quick_report" not in set(revisions["vintage"])
    assert not revisions["indicator_id"].str.startswith("derived.").any()
    unknown = facts((QUICK, "bmi.fund.revenue", 2024, "level", 3.4e12, "quick_report", 0))
    assert build_revisions(unknown, documents((QUICK, "quick_report", 0)), pub.iloc[:0]).empty


def test_a_release_published_from_its_quick_report_is_not_counted_twice():
    stated = facts((QUICK, "bmi.fund.revenue", 2024, "level", 3.49e12, "quick_report", 2024))
    pub = published([("bmi.fund.revenue", 2024, "level", 3.49e12, {"status": "quick_report",
                                                                    "vintage": "quick_report"})])
    revisions = build_revisions(stated, documents((QUICK, "quick_report", 2024)), pub)
    assert revisions[["vintage", "vintage_number"]].values.tolist() == [["quick_report", 1]]


def test_quick_report_value_is_the_one_most_facts_state():
    stated = facts((QUICK, "bmi.fund.revenue", 2024, "level", 3.49e12, "quick_report", 2024),
                   ("dddddddddddddddd", "bmi.fund.revenue", 2024, "level", 3.49e12, "quick_report", 2024),
                   ("eeeeeeeeeeeeeeee", "bmi.fund.revenue", 2024, "level", 3.94e12, "quick_report", 2024))
    docs = documents((QUICK, "quick_report", 2024), ("dddddddddddddddd", "quick_report", 2024),
                     ("eeeeeeeeeeeeeeee", "quick_report", 2024))
    row = build_revisions(stated, docs, published([])).iloc[0]
    assert row["value"] == 3.49e12 and row["sources"] == f"{QUICK};dddddddddddddddd"


@pytest.mark.parametrize("vintage, period, release, kind", [
    ("final_bulletin", 2024, 2024, "final_bulletin"), ("final_bulletin", 2023, 2024, "restatement"),
    ("restatement", 2023, 2024, "restatement"), ("quick_report", 2024, 2024, "quick_report"),
    ("quick_report", 2023, 2024, "quick_report"), ("monthly_release", 2023, 2024, "monthly_release"),
])
def test_vintage_kind(vintage, period, release, kind):
    assert vintage_kind(vintage, period, release) == kind


def test_latest_values_prefer_stated_then_latest_release():
    _, _, pub = history()
    derived_2023 = published([("bmi.fund.revenue", 2023, "level", 3.35e12, {"status": "derived",
                                                                             "vintage": "derived"})])
    stated_2023 = published([("bmi.fund.revenue", 2023, "level", 3.3501e12)], release_year=2023)
    latest = latest_values(pd.concat([pub, derived_2023, stated_2023], ignore_index=True))
    revenue = latest[latest["indicator_id"] == "bmi.fund.revenue"].set_index("period_year")
    assert revenue.loc[2024, "value"] == 3491400e6 and revenue.loc[2024, "release_year"] == 2025
    assert revenue.loc[2023, "value"] == 3.3501e12       # stated in release 2023 beats derived in release 2024
    assert latest.duplicated(["indicator_id", "region", "period_year", "measure"]).sum() == 0


def test_monthly_release_figures_are_their_own_earliest_vintage_beside_the_bulletin():
    docs = documents(("mmmmmmmmmmmmmmmm", "monthly_release", 2024), (FINAL_2024, "final_bulletin", 2024))
    stated = facts(("mmmmmmmmmmmmmmmm", "bmi.fund.revenue", 2024, "level", 3.48e12, "monthly_release", 2024, "3.48万亿元"),
                   (FINAL_2024, "bmi.fund.revenue", 2024, "level", 3491337e6, "final_bulletin", 2024))
    pub = published([("bmi.fund.revenue", 2024, "level", 3491337e6, {"sources": FINAL_2024})])
    rows = build_revisions(stated, docs, pub)
    assert rows["vintage"].tolist() == ["monthly_release", "final_bulletin"]
    assert rows["revision"].iloc[1] == pytest.approx(3491337e6 - 3.48e12)
