"""Prefect artifacts and notification blocks: what the UI shows about a run; never fails the data run."""
from __future__ import annotations

import os

import pandas as pd
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks.ops import runlog

from tasks.quality import alerts

ALERT_BLOCK_ENV = "BULLETIN_ETL_ALERT_BLOCK"     # "<block-type-slug>/<name>" of a notification block (optional)


def run_summary(record: dict) -> None:
    """Markdown summary of the run (releases, alerts, inputs that failed)."""
    try:
        create_markdown_artifact(key=f"bulletin-{record['kind']}-summary", markdown=runlog.run_markdown(record),
                                 description=f"bulletin-etl {record['kind']} run {record['run_id']}")
    except Exception as exc:
        get_run_logger().warning("could not create the run summary artifact: %s", exc)


def release_table(published: pd.DataFrame, release_year: int) -> None:
    """Table artifact of the published release."""
    try:
        create_table_artifact(key=f"published-release-{release_year}", table=runlog.records(published),
                              description=f"Published release {release_year} ({len(published)} rows)")
    except Exception as exc:
        get_run_logger().warning("could not create the release table artifact: %s", exc)


def notify_block(records: list[dict], run_id: str, min_severity: str) -> bool:
    """Send the run's alerts through a Prefect notification block named in BULLETIN_ETL_ALERT_BLOCK, if any."""
    name = os.environ.get(ALERT_BLOCK_ENV, "").strip()
    message = alerts.notification(records, run_id, min_severity) if name else None
    if message is None:
        return False
    try:
        from prefect.blocks.core import Block

        Block.load(name).notify(body=message[1], subject=message[0])
        return True
    except Exception as exc:   # delivery problems are logged, never fatal
        get_run_logger().warning("alert delivery through Prefect block %r failed: %s", name, exc)
        return False
