"""What a run did, as plain data: the manifest record, its markdown summary and JSON-able release tables."""
from __future__ import annotations

import math
import uuid
from datetime import datetime, timezone

import pandas as pd

from tasks.quality.validate import ValidationResult


def new_run_id(flow_run_id: str | None = None) -> str:
    """Sortable run id: UTC start time plus 8 hex digits of the Prefect flow run id (or a random one)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{(flow_run_id or uuid.uuid4().hex).replace('-', '')[:8]}"


def check_summary(result: ValidationResult) -> dict:
    """A suite verdict without the GX object: suite, success, rows, failures, and every expectation's result."""
    return {"suite": result.suite, "success": bool(result.success), "n_rows": int(result.n_rows),
            "failures": result.failures, "bad_rows": len(result.bad_rows), "expectations": result.expectations}


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-able dicts (NaN/NA become None), for artifacts and manifests."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({k: _plain(v) for k, v in row.items()})
    return out


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def run_markdown(record: dict) -> str:
    """The run summary people read in the Prefect UI: inputs, releases, alerts, deliveries."""
    lines = [f"# bulletin-etl {record['kind']} run `{record['run_id']}`", "",
             f"- warehouse: `{record['warehouse']}`", f"- sources: `{record.get('sources', '')}`",
             f"- outcome: **{record.get('outcome', record.get('status', ''))}**",
             f"- versions: {', '.join(f'{k} {v}' for k, v in record.get('versions', {}).items())}", ""]
    if record.get("message"):
        lines += [record["message"], ""]
    releases = record.get("releases", {})
    if releases:
        lines += ["| release | status | documents | facts | published rows | row statuses | alerts |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for year, rel in sorted(releases.items(), key=lambda kv: int(kv[0])):
            statuses = ", ".join(f"{k} {v}" for k, v in rel.get("status_counts", {}).items())
            alerts = ", ".join(f"{k} {v}" for k, v in rel.get("alerts", {}).items()) or "none"
            lines.append(f"| {year} | {rel.get('status', '')} | {rel.get('documents', 0)} | {rel.get('facts', 0)} | "
                         f"{rel.get('published_rows', 0)} | {statuses} | {alerts} |")
        lines.append("")
    errors = record.get("ingest_errors", [])
    if errors:
        lines += ["## Inputs that could not be used", ""] + [f"- `{e['source']}`: {e['reason']}" for e in errors]
        lines.append("")
    failed = [c for c in record.get("checks", []) if not c["success"]]
    if failed:
        lines += ["## Failed expectation suites", ""]
        lines += [f"- {c['suite']}: {len(c['failures'])} expectations failed on {c['bad_rows']} rows" for c in failed]
        lines.append("")
    for d in record.get("deliveries", []):
        state = "delivered" if d["delivered"] else f"NOT delivered ({d['error']})"
        lines.append(f"- alert notification to {d['target']}: {state} after {d['attempts']} attempt(s)")
    return "\n".join(lines).rstrip() + "\n"


def release_row(documents: pd.DataFrame, facts: pd.DataFrame, year: int) -> dict:
    """Counts of one release's stored inputs for the run record."""
    docs = documents[documents["release_year"] == year]
    return {"documents": int(len(docs)), "quarantined_documents": int((docs["status"] == "quarantined").sum()),
            "facts": int((facts["release_year"] == year).sum())}
