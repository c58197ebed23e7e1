"""The quality gate: suite verdicts on documents and facts decide what is quarantined and what may be published."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tasks.quality import alerts
from tasks.contract.catalogue import Catalogue
from tasks.quality.validate import ValidationResult, validate_frame

QUARANTINE_FLAG = "quarantined"


@dataclass
class GateResult:
    """Documents and facts after the gate, the facts that may be published, and what the gate found."""

    documents: pd.DataFrame
    facts: pd.DataFrame             # every extracted fact; quarantined ones carry the 'quarantined' flag
    alerts: list[dict] = field(default_factory=list)
    checks: list[ValidationResult] = field(default_factory=list)
    unattributed: pd.DataFrame | None = None   # figures left out, with the reason (stored beside the facts)


def row_reasons(result: ValidationResult, n_rows: int) -> dict[int, str]:
    """Positional row -> names of the row-level expectations it failed (from a ValidationResult)."""
    names: dict[int, list[str]] = {}
    located = set()
    for failure in result.failures:
        rows = failure.get("rows")
        if rows is None:
            continue
        for pos in rows:
            names.setdefault(int(pos), []).append(_name(failure))
            located.add(int(pos))
    unlocated = [_name(f) for f in result.failures if f.get("rows") is None]
    for pos in result.bad_rows:
        if int(pos) not in located:
            names.setdefault(int(pos), []).extend(unlocated or ["row failed the suite"])
    return {pos: ", ".join(dict.fromkeys(v)) for pos, v in sorted(names.items()) if 0 <= pos < n_rows}


def _name(failure: dict) -> str:
    column = failure.get("column") or failure.get("columns") or ""
    column = "+".join(column) if isinstance(column, (list, tuple)) else column
    return f"{failure.get('expectation', '?')}({column})" if column else str(failure.get("expectation", "?"))


def check_batch(documents: pd.DataFrame, facts: pd.DataFrame, catalogue: Catalogue) -> GateResult:
    """Validate a batch's documents and facts (one suite run each) and apply the verdicts."""
    return apply_gate(documents, facts, validate_frame("documents", documents, catalogue),
                      validate_frame("facts", facts, catalogue))


def apply_gate(documents: pd.DataFrame, facts: pd.DataFrame, doc_check: ValidationResult,
               fact_check: ValidationResult) -> GateResult:
    """Quarantine the documents and facts the suites reject: they stay stored, flagged, out of publication."""
    documents = documents.reset_index(drop=True).copy()
    facts = facts.reset_index(drop=True).copy()
    doc_reasons = row_reasons(doc_check, len(documents))
    for pos, reason in doc_reasons.items():
        documents.loc[pos, "status"] = "quarantined"
        documents.loc[pos, "problems"] = _join(documents.loc[pos, "problems"], f"failed documents suite: {reason}")
    fact_reasons = row_reasons(fact_check, len(facts))
    bad_facts = facts.index.isin(list(fact_reasons))
    facts.loc[bad_facts, "flags"] = [_join(f, QUARANTINE_FLAG) for f in facts.loc[bad_facts, "flags"]]
    found = alerts.quarantine_alerts(documents) + alerts.document_alerts(documents)
    found += alerts.fact_alerts(facts, fact_reasons)
    found += _table_level(doc_check, "documents") + _table_level(fact_check, "facts")
    return GateResult(documents, facts, found, [doc_check, fact_check])


def publishable_facts(facts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Facts that may be published: not quarantined themselves, and from a document that is not quarantined."""
    ok_docs = set(documents.loc[documents["status"] == "ok", "doc_id"])
    flagged = facts["flags"].fillna("").str.split("; ").map(lambda flags: QUARANTINE_FLAG in flags)
    return facts[~flagged & facts["doc_id"].isin(ok_docs)].reset_index(drop=True)


def _table_level(result: ValidationResult, suite: str) -> list[dict]:
    """Failures that point at no row (e.g. a duplicate-key or row-count rule): alert on release 0."""
    if result.success or result.bad_rows:
        return []
    return alerts.suite_alerts(0, suite, result.failures, "warning")


def _join(existing, item: str) -> str:
    parts = [p for p in str(existing or "").split("; ") if p]
    return "; ".join(dict.fromkeys(parts + [item]))
