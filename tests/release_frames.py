"""Small hand-made release frames (numbers from the 2024 seed bulletin) shared by the publishing tests."""
from __future__ import annotations

import pandas as pd

from tasks.contract.catalogue import load_catalogue
from tasks.publish.derive import catalogue_with_derived
from tasks.extraction.numbers import resolution_of
from tasks.contract.schema import columns

# (indicator_id, period_year, measure, value) as the 2024 bulletin states them (shared/seeds/expected_release_2024.csv).
SEED_2024 = [
    ("bmi.participants", 2024, "level", 1326620000.0),
    ("bmi.fund.revenue", 2024, "level", 3491337000000.0),
    ("bmi.fund.revenue", 2024, "yoy_pct", 4.2),
    ("bmi.fund.revenue", 2024, "yoy_abs", 141237000000.0),
    ("bmi.fund.expenditure", 2024, "level", 2976403000000.0),
    ("bmi.fund.expenditure", 2024, "yoy_pct", 5.5),
    ("ebmi.fund.revenue", 2024, "level", 2373247000000.0),
    ("ebmi.fund.revenue", 2024, "yoy_pct", 3.5),
    ("ebmi.fund.expenditure", 2024, "level", 1910254000000.0),
    ("rbmi.fund.revenue", 2024, "level", 1120000000000.0),
    ("rbmi.fund.expenditure", 2024, "level", 1070000000000.0),
    ("rbmi.fund.current_balance", 2024, "level", 51942000000.0),
    ("rbmi.fund.current_balance", 2024, "yoy_abs", 40736000000.0),
    ("rbmi.fund.current_balance", 2023, "level", 11206000000.0),
    ("ebmi.benefit_visits", 2024, "level", 5308000000.0),
    ("rbmi.benefit_visits", 2024, "level", 3035000000.0),
    ("ebmi.inpatient_reimbursement_ratio", 2024, "level", 84.8),
    ("ebmi.inpatient_reimbursement_ratio", 2024, "yoy_pp", 0.2),
    ("ebmi.inpatient_reimbursement_ratio.tier3", 2024, "level", 83.8),
    ("ebmi.inpatient_reimbursement_ratio.tier2", 2024, "level", 87.6),
    ("ebmi.inpatient_reimbursement_ratio.tier1", 2024, "level", 89.9),
    ("cross_region.visits", 2024, "level", 397000000.0),
    ("cross_region.visits", 2024, "yoy_pct", 63.4),
    ("cross_region.visits.ebmi", 2024, "level", 262000000.0),
    ("cross_region.visits.rbmi", 2024, "level", 134000000.0),
    ("ltc.fund.revenue", 2024, "level", 24415000000.0),
    ("ltc.fund.expenditure", 2024, "level", 13108000000.0),
    ("ltc.fund.balance_rate", 2024, "level", 46.3),
]


def unit_of(indicator_id: str, measure: str) -> str:
    """The unit a published row of this measure carries."""
    if measure in ("yoy_pct", "yoy_pp"):
        return "percent"
    return catalogue_with_derived(load_catalogue())[indicator_id].unit


def published(rows: list[tuple], release_year: int = 2024, **overrides) -> pd.DataFrame:
    """Published rows (indicator_id, period_year, measure, value[, extra columns dict]) with contract columns."""
    records = []
    for row in rows:
        indicator_id, period_year, measure, value = row[:4]
        record = {"indicator_id": indicator_id, "region": "CN", "period_year": period_year, "measure": measure,
                  "value": float(value), "unit": unit_of(indicator_id, measure), "status": "single_source",
                  "n_sources": 1, "sources": "6f1d39fb7c2bd3b1", "qualifier": "exact", "vintage": "final_bulletin",
                  "note": "", "source_text": f"{value}", "release_year": release_year,
                  "resolution": resolution_of(f"{float(value):.15g}", float(value)),   # as the bulletin rounds it
                  "input_status": "single_source", "evidence": "", **overrides}
        record.update(row[4] if len(row) > 4 else {})
        records.append(record)
    return pd.DataFrame(records, columns=columns("published"))


def documents(*specs: tuple[str, str, int], status: str = "ok") -> pd.DataFrame:
    """Documents (doc_id, kind, release_year) with contract columns."""
    rows = [{"doc_id": doc_id, "source_uri": f"seeds/{doc_id}.txt", "sha256": doc_id * 4, "language": "zh",
             "kind": kind, "kind_reason": "", "title": f"bulletin {release}", "official_ref": True, "status": status,
             "problems": "", "n_facts": 1, "release_year": release} for doc_id, kind, release in specs]
    return pd.DataFrame(rows, columns=columns("documents"))


def facts(*specs: tuple) -> pd.DataFrame:
    """Facts (doc_id, indicator_id, period_year, measure, value, kind, release_year[, text]) with contract columns."""
    rows = []
    for spec in specs:
        doc_id, indicator_id, period_year, measure, value, kind, release = spec[:7]
        rows.append({"doc_id": doc_id, "indicator_id": indicator_id, "region": "CN", "period_year": period_year,
                     "measure": measure, "value": float(value), "unit": unit_of(indicator_id, measure),
                     "text": spec[7] if len(spec) > 7 else f"{float(value):.15g}", "span_start": 0, "span_end": 5,
                     "qualifier": "exact", "flags": "", "confidence": 0.9, "kind": kind, "release_year": release})
    return pd.DataFrame(rows, columns=columns("facts"))


SEED_DOCS = ("6f1d39fb7c2bd3b1", "3785d4ff51e68f84")
SCRIPT = "<script>alert(1)</script>"


def seed_bundle(quote: str = f"较上年增长63.4% {SCRIPT}"):
    """A release-2024 bundle: seed figures, derived rows, identities, one conflict whose quote is `quote`."""
    from tasks.publish.derive import derive_indicators, identity_checks
    from tasks.present.report import ReleaseBundle

    catalogue = load_catalogue()
    stated = published(SEED_2024, sources=SEED_DOCS[0])
    conflict = (stated["indicator_id"] == "cross_region.visits") & (stated["measure"] == "yoy_pct")
    stated.loc[conflict, ["status", "n_sources", "sources", "note", "source_text"]] = [
        "conflict", 2, ";".join(SEED_DOCS), "conflict: 63.2 in 3785d4ff51e68f84", quote]
    docs = documents((SEED_DOCS[0], "final_bulletin", 2024), (SEED_DOCS[1], "final_bulletin", 2024))
    docs["source_uri"] = ["seeds/000_6f1d39fb7c2bd3b1.txt", "https://example.org/bulletin?a=1&b=2"]
    docs["title"] = ["2024年全国医疗保障事业发展统计公报", "Xin Jing Bao"]
    candidates = facts((SEED_DOCS[0], "cross_region.visits", 2024, "yoy_pct", 63.4, "final_bulletin", 2024, "63.4%"),
                       (SEED_DOCS[1], "cross_region.visits", 2024, "yoy_pct", 63.2, "final_bulletin", 2024,
                        f"up 63.2% {SCRIPT}"))
    full = pd.concat([stated, derive_indicators(stated, catalogue)], ignore_index=True)
    return ReleaseBundle(
        release_year=2024, published=full, facts=candidates, documents=docs,
        identities=identity_checks(stated, catalogue),
        validations=[{"suite": "published", "success": True, "failures": []},
                     {"suite": "facts", "success": False, "failures": [
                         {"expectation": "expect_column_values_to_be_in_set", "columns": ["unit"],
                          "unexpected_count": 1, "sample": [f"yuan {SCRIPT}"]}]}],
        data_docs=["validation.html"], catalogue=catalogue,
        raw_records=[{"sha256": docs["sha256"][0], "fetched_at": "2025-07-20T08:00:00+00:00"}])
