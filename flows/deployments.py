"""The deployments, defined once in code and served by `bulletin-etl serve` (no prefect.yaml)."""
from __future__ import annotations

from pathlib import Path

from prefect import serve
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from flows.backfill import backfill_flow
from flows.nightly import TIMEZONE, annual_flow, nightly_flow

NIGHTLY_CRON = "30 2 * * *"      # every day at 02:30 Beijing time
ANNUAL_CRON = "0 10 * 7,8 1"     # Mondays 10:00 Beijing time in July and August, when the bulletin appears
TAGS = ["bulletin-etl"]


def build_deployments(warehouse: str, sources: str) -> list[RunnerDeployment]:
    """nightly (cron), annual (weekly in July-August until the release is published) and backfill (manual)."""
    paths = {"warehouse": str(Path(warehouse).resolve()), "sources": str(Path(sources).resolve())}
    common = {"enforce_parameter_schema": True, "concurrency_limit": 1, "tags": TAGS,
              "entrypoint_type": EntrypointType.MODULE_PATH}
    return [
        nightly_flow.to_deployment(
            name="nightly", schedules=[Cron(NIGHTLY_CRON, timezone=TIMEZONE)], parameters=paths,
            description="Every night: rebuild only the releases whose documents are new or changed.", **common),
        annual_flow.to_deployment(
            name="annual", schedules=[Cron(ANNUAL_CRON, timezone=TIMEZONE)], parameters=paths,
            description="Weekly in July and August: look for the new bulletin until its release is published.",
            **common),
        backfill_flow.to_deployment(
            name="backfill", parameters=paths,
            description="Manual: rebuild release_years (resumable; force rebuilds finished releases).", **common),
    ]


def serve_deployments(warehouse: str, sources: str, limit: int | None = None) -> None:
    """Register the deployments with the API in PREFECT_API_URL and run their flow runs until stopped."""
    serve(*build_deployments(warehouse, sources), limit=limit)
