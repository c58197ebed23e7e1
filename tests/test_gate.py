"""The quality gate: the documents and facts suites quarantine exactly the rows they reject."""
from __future__ import annotations

import pandas as pd

from tasks.contract.catalogue import load_catalogue
from tasks.quality.gate import apply_gate, check_batch, publishable_facts, row_reasons
from tasks.contract.schema import columns
from tasks.quality.validate import ValidationResult

DOC_A, DOC_B = "6f1d39fb7c2bd3b1", "3785d4ff51e68f84"


def documents() -> pd.DataFrame:
    rows = [{"doc_id": d, "source_uri": f"seeds/{d}.txt", "sha256": d + "0" * 48, "language": "zh",
             "kind": "final_bulletin", "kind_reason": "names the bulletin", "title": "2024年公报",
             "official_ref": True, "status": "ok", "problems": "", "n_facts": 2, "release_year": 2024}
            for d in (DOC_A, DOC_B)]
    return pd.DataFrame(rows, columns=columns("documents"))


def fact(doc_id: str, indicator_id: str, value: float, unit: str, text: str) -> dict:
    return {"doc_id": doc_id, "indicator_id": indicator_id, "region": "CN", "period_year": 2024, "measure": "level",
            "value": value, "unit": unit, "text": text, "span_start": 10, "span_end": 20, "qualifier": "exact",
            "flags": "", "confidence": 0.9, "kind": "final_bulletin", "release_year": 2024}


def facts(*extra: dict) -> pd.DataFrame:
    rows = [fact(DOC_A, "bmi.participants", 1.32662e9, "persons", "13.27亿人"),
            fact(DOC_B, "bmi.coverage_rate", 95.0, "percent", "95%"), *extra]
    return pd.DataFrame(rows, columns=columns("facts"))


def test_clean_batch_passes_untouched():
    gated = check_batch(documents(), facts(), load_catalogue())
    assert all(c.success for c in gated.checks) and gated.alerts == []
    assert list(gated.documents["status"]) == ["ok", "ok"]
    assert len(publishable_facts(gated.facts, gated.documents)) == 2


def test_failing_facts_are_flagged_alerted_and_kept_out_of_publication():
    broken = facts(fact(DOC_A, "bmi.fund.revenue", 3.491337e16, "CNY", "34,913.37 trillion"),
                   fact(DOC_B, "no.such.indicator", 5.0, "count", "5个"))
    gated = check_batch(documents(), broken, load_catalogue())
    assert list(gated.facts["flags"]) == ["", "", "quarantined", "quarantined"]
    kept = publishable_facts(gated.facts, gated.documents)
    assert list(kept["indicator_id"]) == ["bmi.participants", "bmi.coverage_rate"]
    by_indicator = {a["indicator_id"]: a for a in gated.alerts}
    assert set(by_indicator) == {"bmi.fund.revenue", "no.such.indicator"}
    revenue = by_indicator["bmi.fund.revenue"]
    assert revenue["severity"] == "warning" and revenue["rule"].startswith("facts_suite:")
    assert "34,913.37 trillion" in revenue["evidence"] and revenue["release_year"] == 2024
    assert "indicator_id" in by_indicator["no.such.indicator"]["rule"]


def test_failing_document_is_quarantined_with_the_reason_and_its_facts_are_not_published():
    docs = documents()
    docs.loc[1, "sha256"] = "not-a-sha"
    gated = check_batch(docs, facts(), load_catalogue())
    assert list(gated.documents["status"]) == ["ok", "quarantined"]
    assert "failed documents suite: expect_column_values_to_match_regex(sha256)" in gated.documents.loc[1, "problems"]
    assert list(publishable_facts(gated.facts, gated.documents)["doc_id"]) == [DOC_A]
    assert [a["rule"] for a in gated.alerts] == ["quarantined_document"]
    assert gated.alerts[0]["doc_id"] == DOC_B and gated.alerts[0]["source"] == f"seeds/{DOC_B}.txt"


def test_row_reasons_use_per_failure_rows_when_given():
    result = ValidationResult("facts", False, 4, failures=[
        {"expectation": "expect_a", "columns": ["value"], "rows": [1]},
        {"expectation": "expect_b", "columns": ["unit", "indicator_id"], "rows": [1, 3]}], bad_rows=[1, 3])
    assert row_reasons(result, 4) == {1: "expect_a(value), expect_b(unit+indicator_id)",
                                      3: "expect_b(unit+indicator_id)"}


def test_table_level_failure_without_rows_becomes_one_alert():
    ok = ValidationResult("documents", True, 2)
    dup = ValidationResult("facts", False, 2, failures=[{"expectation": "expect_table_row_count_to_be_between",
                                                         "columns": [], "unexpected_count": None}])
    gated = apply_gate(documents(), facts(), ok, dup)
    assert [(a["rule"], a["release_year"]) for a in gated.alerts] == [
        ("facts_suite:expect_table_row_count_to_be_between", 0)]
    assert (gated.facts["flags"] == "").all()
