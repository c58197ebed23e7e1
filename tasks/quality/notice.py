"""What an alert message says besides the findings: where it came from, what was published, what to do; and
which findings were already sent, so a rebuild with the same findings stays silent."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import yaml

REMEDIES_PATH = Path(__file__).with_name("alerts.yaml")
FINGERPRINTED = ("release_year", "severity", "rule", "indicator_id", "period_year", "measure", "doc_id", "source",
                 "evidence")


def fingerprint(record: dict) -> str:
    """The same finding in a later run has the same fingerprint (the run id is left out)."""
    key = json.dumps([str(record.get(k) if record.get(k) is not None else "") for k in FINGERPRINTED],
                     ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def unnotified(records: list[dict], ledger: dict[str, list[str]]) -> list[dict]:
    """Findings not yet delivered for their release."""
    return [r for r in records if fingerprint(r) not in set(ledger.get(str(r["release_year"]), ()))]


def ledger_after(ledger: dict[str, list[str]], current: list[dict], sent: list[dict],
                 rebuilt: set[int]) -> dict[str, list[str]]:
    """The ledger once `sent` is delivered: a rebuilt release keeps only the findings it still has (a finding
    that went away and comes back is news again); releases this run did not touch are kept as they were."""
    out = {y: list(v) for y, v in ledger.items()}
    still = {}
    for r in current:
        still.setdefault(str(r["release_year"]), set()).add(fingerprint(r))
    for year in {str(y) for y in rebuilt}:
        out[year] = sorted(set(out.get(year, ())) & still.get(year, set()))
    for r in sent:
        out.setdefault(str(r["release_year"]), []).append(fingerprint(r))
    return {y: sorted(set(v)) for y, v in out.items() if v}


@lru_cache(maxsize=1)
def remedies() -> dict[str, str]:
    """Rule (or rule prefix before ':') -> what the operator does about it (tasks/quality/alerts.yaml)."""
    return yaml.safe_load(REMEDIES_PATH.read_text(encoding="utf-8")).get("remedies", {})


def remedy(rule: str) -> str:
    """What to do about one rule, '' when the data file names nothing."""
    table = remedies()
    return table.get(rule) or table.get(rule.split(":")[0], "")


def context_lines(context: dict, chosen: list[dict]) -> list[str]:
    """Host, warehouse, Prefect run, and per release of the findings: published anyway or blocked, report link,
    and for a release that is not published what to do."""
    run = context.get("flow_run_url") or context.get("flow_run_id") or ""
    lines = [f"host `{context.get('host', '?')}`, warehouse `{context.get('warehouse', '?')}`"
             + (f", Prefect run {run}" if run else "")]
    releases = context.get("releases", {})
    for year in sorted({int(r["release_year"]) for r in chosen}):
        entry = releases.get(str(year)) or releases.get(year) or {}
        lines.append(_release_line(year, entry, [r for r in chosen if int(r["release_year"]) == year]))
    return lines


def _release_line(year: int, entry: dict, found: list[dict]) -> str:
    status = entry.get("status", "")
    report = f"; report {entry['report']}" if entry.get("report") else ""
    warnings = sum(r["severity"] == "warning" for r in found)
    if year == 0:
        return "inputs that could not be read (no release): " + _todo(found)
    if status == "published":
        return f"release {year} **published anyway** with {warnings} warning(s) flagged in its rows{report}"
    if status in ("blocked", "failed"):
        word = "**blocked**" if status == "blocked" else "**failed**"
        report = f"; report of the release published before {entry['report']}" if entry.get("report") else ""
        return (f"release {year} {word}: not published, what was published before stays{report}; "
                f"what to do: {_todo(found) or 'see the alerts below and the run log'}")
    return f"release {year}: {status or 'not built in this run'}{report}"


def _todo(found: list[dict]) -> str:
    """The remedies of the critical findings first, each once."""
    ordered = sorted(found, key=lambda r: r["severity"] != "critical")
    seen: list[str] = []
    for r in ordered:
        text = remedy(r["rule"])
        if text and text not in seen:
            seen.append(text)
    return "; ".join(seen)
