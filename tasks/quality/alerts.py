"""Data-quality alerts: one record per finding, and best-effort delivery to Apprise URLs that never fails a run."""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import yaml

from tasks.contract import schema
from tasks.present.display import format_change, format_value
from tasks.quality import notice

log = logging.getLogger(__name__)
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
FLAGGED_STATUSES = {"conflict": "conflict", "repaired": "repaired_value",       # published status -> alert rule
                    "suspect": "suspect_value", "unconfirmed": "unconfirmed_value"}
WEBHOOK_SCHEMES = {"json", "jsons", "xml", "xmls", "form", "forms"}    # Apprise URLs whose host is a host
MAX_LINES = 40                                                           # alert lines in one notification
RULES_PATH = Path(__file__).with_name("alerts.yaml")


def make_alert(release_year: int, severity: str, rule: str, evidence: str, *, indicator_id: str = "",
               period_year: int | None = None, measure: str = "", doc_id: str = "", source: str = "") -> dict:
    """One alert record with the alerts dataset's columns (run_id is added when the run stores them)."""
    if severity not in SEVERITY_RANK:
        raise ValueError(f"unknown severity {severity!r}")
    return {"severity": severity, "rule": rule, "indicator_id": indicator_id or "",
            "period_year": None if period_year is None or pd.isna(period_year) else int(period_year),
            "measure": measure or "", "doc_id": doc_id or "", "source": source or "",
            "evidence": str(evidence), "run_id": "", "release_year": int(release_year)}


def ingest_alerts(errors: Iterable) -> list[dict]:
    """Inputs that could not be read or fetched (release unknown: 0)."""
    return [make_alert(0, "warning", "ingest_error", e.reason, source=e.source) for e in errors]


def quarantine_alerts(documents: pd.DataFrame) -> list[dict]:
    """Every quarantined document, with the reasons it was set aside."""
    rows = documents[documents["status"] == "quarantined"]
    return [make_alert(r.release_year, "warning", "quarantined_document", r.problems or "quarantined",
                       doc_id=r.doc_id, source=r.source_uri) for r in rows.itertuples()]


@lru_cache(maxsize=1)
def document_rules() -> dict:
    """Phrases of document problems that alert, and the kinds that must state figures (tasks/quality/alerts.yaml)."""
    return yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


def document_alerts(documents: pd.DataFrame) -> list[dict]:
    """Kept documents a person should look at: empty ones, figure-less bulletins, implausible figures dropped."""
    rules = document_rules()
    out = []
    for r in documents[documents["status"] == "ok"].itertuples():
        problems = str(r.problems or "")
        for rule, phrase in rules["document_problems"].items():
            if phrase in problems:
                out.append(make_alert(r.release_year, "warning", rule, _part(problems, phrase), doc_id=r.doc_id,
                                      source=r.source_uri))
        if r.kind in rules["kinds_with_figures"] and not r.n_facts:
            out.append(make_alert(r.release_year, "warning", "no_figures",
                                  f"{r.kind} {r.title or ''!r} states no catalogued figure", doc_id=r.doc_id,
                                  source=r.source_uri))
    return out


def _part(problems: str, phrase: str) -> str:
    return next(p for p in problems.split("; ") if phrase in p) if phrase in problems else problems


def fact_alerts(facts: pd.DataFrame, reasons: dict[int, str]) -> list[dict]:
    """Facts that failed the facts suite (positional row -> failing expectations): not published."""
    out = []
    for pos, reason in sorted(reasons.items()):
        f = facts.iloc[pos]
        out.append(make_alert(f.release_year, "warning", f"facts_suite:{reason}",
                              f"{f.text!r} -> {readable(f.value, f.unit, f.measure)} ({f.measure}); fact not published",
                              indicator_id=f.indicator_id, period_year=f.period_year, measure=f.measure,
                              doc_id=f.doc_id))
    return out


def published_alerts(published: pd.DataFrame) -> list[dict]:
    """Conflicts, repaired, suspect and unconfirmed values: published, but flagged so a person looks at them."""
    rows = published[published["status"].isin(list(FLAGGED_STATUSES))]
    return [make_alert(r.release_year, "warning", FLAGGED_STATUSES[r.status],
                       f"published {readable(r.value, r.unit, r.measure)}; {r.note or ''} | quote: {r.source_text or ''}"
                       .strip(),
                       indicator_id=r.indicator_id, period_year=r.period_year, measure=r.measure,
                       doc_id=str(r.sources or "").split(";")[0]) for r in rows.itertuples()]


def readable(value: float | None, unit: str, measure: str) -> str:
    """A value as people read it (CNY 3,862.852 bn, +4.2%), not 3862852000000.0 CNY."""
    return format_value(value, unit) if measure == "level" else format_change(value, measure, unit)


def suite_alerts(release_year: int, suite: str, failures: list[dict], severity: str) -> list[dict]:
    """One alert per failed expectation of a suite run over a whole table."""
    return [make_alert(release_year, severity, f"{suite}_suite:{f.get('expectation', '?')}", describe_failure(f))
            for f in failures]


def describe_failure(failure: dict) -> str:
    """A failed expectation in one line: columns, how many rows, a sample of the bad values."""
    column = failure.get("column") or failure.get("columns") or ""
    parts = [f"column {column}" if column else "", f"{failure.get('unexpected_count', '?')} unexpected",
             f"sample {failure.get('sample')}" if failure.get("sample") not in (None, [], "") else ""]
    return "; ".join(p for p in parts if p)


def alerts_frame(records: list[dict], run_id: str) -> pd.DataFrame:
    """Alert records as a frame with the alerts dataset's columns, stamped with the run id."""
    frame = pd.DataFrame(records, columns=schema.columns("alerts"))
    frame["run_id"] = run_id
    return frame.astype({"period_year": "Int64", "release_year": "int64"})


def severity_counts(records: Iterable[dict]) -> dict[str, int]:
    """How many alerts of each severity (critical first)."""
    counts = Counter(r["severity"] for r in records)
    return {s: counts[s] for s in sorted(SEVERITY_RANK, key=SEVERITY_RANK.get, reverse=True) if counts[s]}


def at_least(records: list[dict], min_severity: str) -> list[dict]:
    """The alerts a notification with this floor carries."""
    return [r for r in records if SEVERITY_RANK[r["severity"]] >= SEVERITY_RANK[min_severity]]


def notification(records: list[dict], run_id: str, min_severity: str = "warning",
                 context: dict | None = None) -> tuple[str, str] | None:
    """Title and markdown body of the one message a run sends, or None when nothing reaches min_severity; with a
    context (host, warehouse, Prefect run, release outcomes and reports) the body starts with where and what."""
    chosen = at_least(records, min_severity)
    if not chosen:
        return None
    chosen.sort(key=lambda r: (-SEVERITY_RANK[r["severity"]], r["release_year"], r["rule"], r["indicator_id"]))
    counts = ", ".join(f"{n} {s}" for s, n in severity_counts(chosen).items())
    title = f"bulletin-etl: {counts} (run {run_id})"
    lines = [f"- **{r['severity']}** release {r['release_year']} `{r['rule']}` "
             f"{r['indicator_id'] or r['source'] or r['doc_id']}: {r['evidence']}" for r in chosen[:MAX_LINES]]
    if len(chosen) > MAX_LINES:
        lines.append(f"- … and {len(chosen) - MAX_LINES} more (see the alerts/ dataset)")
    head = "".join(f"{line}\n\n" for line in notice.context_lines(context, chosen)) if context else ""
    return title, head + "\n".join(lines)


def redact(url: str) -> str:
    """A notification URL without its secrets: scheme://host for plain webhooks, only scheme:// for services
    whose 'host' is itself a token (slack://TOKEN/...), so tokens never reach logs or manifests."""
    parts = urlsplit(url)
    if parts.scheme not in WEBHOOK_SCHEMES:
        return f"{parts.scheme}://…"
    return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}"


def deliver(records: list[dict], urls: list[str], run_id: str, min_severity: str = "warning", retries: int = 2,
            backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep,
            context: dict | None = None) -> list[dict]:
    """Send the run's alerts to every Apprise URL; failures are retried, logged and reported, never raised."""
    message = notification(records, run_id, min_severity, context)
    if message is None or not urls:
        return []
    return [_deliver_one(url, *message, _notify_type(records), retries, backoff, sleep) for url in urls]


def _notify_type(records: list[dict]) -> str:
    return "failure" if any(r["severity"] == "critical" for r in records) else "warning"


def _deliver_one(url: str, title: str, body: str, notify_type: str, retries: int, backoff: float,
                 sleep: Callable[[float], None]) -> dict:
    import apprise   # imported here: only runs that send something pay for it

    target = apprise.Apprise()
    if not target.add(url):
        log.error("alert delivery to %s: not a valid Apprise URL", redact(url))
        return {"target": redact(url), "delivered": False, "attempts": 0, "error": "invalid Apprise URL"}
    error = ""
    for attempt in range(1, retries + 2):
        try:
            if target.notify(body=body, title=title, notify_type=notify_type,
                             body_format=apprise.NotifyFormat.MARKDOWN):
                return {"target": redact(url), "delivered": True, "attempts": attempt, "error": ""}
            error = "notification service refused or was unreachable"
        except Exception as exc:   # a notifier bug must never fail the data run
            error = f"{type(exc).__name__}: {exc}"
        log.warning("alert delivery to %s failed (attempt %d/%d): %s", redact(url), attempt, retries + 1, error)
        if attempt <= retries:
            sleep(backoff * 2 ** (attempt - 1))
    log.error("alert delivery to %s gave up after %d attempts: %s", redact(url), retries + 1, error)
    return {"target": redact(url), "delivered": False, "attempts": retries + 1, "error": error}
