"""Prefect artifacts and notification blocks: what the UI shows about a run; never fails the data run."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pandas as pd
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run

from tasks.ops import prefect_tasks as stage, runlog
from tasks.quality import alerts, notice
from tasks.store import notified
from tasks.store.warehouse import Warehouse

ALERT_BLOCK_ENV = "BULLETIN_ETL_ALERT_BLOCK"     # "<block-type-slug>/<name>" of a notification block (optional)


def run_summary(record: dict) -> None:
    """Markdown summary of the run (releases, alerts, inputs that failed)."""
    try:
        create_markdown_artifact(key=f"bulletin-{record['kind']}-summary", markdown=runlog.run_markdown(record),
                                 description=f"bulletin-etl {record['kind']} {record['run_id']}")
    except Exception as exc:
        get_run_logger().warning("could not create the run summary artifact: %s", exc)


def release_table(published: pd.DataFrame, release_year: int) -> None:
    """Table artifact of the published release."""
    try:
        create_table_artifact(key=f"published-release-{release_year}", table=runlog.records(published),
                              description=f"Published release {release_year} ({len(published)} rows)")
    except Exception as exc:
        get_run_logger().warning("could not create the release table artifact: %s", exc)


def notify(record: dict, warehouse: str, found: list[dict], urls: list[str], min_severity: str) -> list[dict]:
    """Send only the findings not notified before (the ledger in state/notified.json), with where they come from,
    what was published and links; the ledger remembers them once a target took the message."""
    wh = Warehouse(warehouse)
    ledger = notified.read_notified(wh)
    fresh = notice.unnotified(found, ledger)
    context = alert_context(record, warehouse)
    deliveries = stage.deliver_alerts(fresh, urls, record["run_id"], min_severity, context) if fresh and urls else []
    by_block = notify_block(fresh, record["run_id"], min_severity, context)
    if any(d["delivered"] for d in deliveries) or by_block:
        rebuilt = {int(y) for y in record.get("releases", {})} | {0}
        try:
            notified.write_notified(wh, notice.ledger_after(ledger, found, alerts.at_least(fresh, min_severity),
                                                            rebuilt))
        except OSError as exc:   # the data run is done; the next run may repeat these alerts
            get_run_logger().warning("could not record the notified alerts: %s", exc)
    return deliveries


def alert_context(record: dict, warehouse: str) -> dict:
    """Host, warehouse, Prefect run and per release its outcome and report (file://) for the alert message."""
    root = Path(warehouse).resolve()
    releases = {}
    for year, entry in record.get("releases", {}).items():
        report = root / "releases" / str(year) / "report.html"
        releases[str(year)] = {"status": entry.get("status", ""),
                               "report": report.as_uri() if report.is_file() else ""}
    try:
        url = flow_run.ui_url or ""
    except Exception:   # no API configured: the run id still names the run
        url = ""
    return {"host": socket.gethostname(), "warehouse": str(root), "run_id": record.get("run_id", ""),
            "flow_run_id": record.get("flow_run_id", ""), "flow_run_url": url, "releases": releases}


def notify_block(records: list[dict], run_id: str, min_severity: str, context: dict | None = None) -> bool:
    """Send the run's alerts through a Prefect notification block named in BULLETIN_ETL_ALERT_BLOCK, if any."""
    name = os.environ.get(ALERT_BLOCK_ENV, "").strip()
    message = alerts.notification(records, run_id, min_severity, context) if name else None
    if message is None:
        return False
    try:
        from prefect.blocks.core import Block

        Block.load(name).notify(body=message[1], subject=message[0])
        return True
    except Exception as exc:   # delivery problems are logged, never fatal
        get_run_logger().warning("alert delivery through Prefect block %r failed: %s", name, exc)
        return False
