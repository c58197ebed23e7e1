"""The deployments, defined once in code and served by `bulletin-etl serve` (no prefect.yaml)."""
from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.runner import Runner
from prefect.schedules import Cron

from flows.backfill import backfill_flow
from flows.nightly import annual_flow, nightly_flow
from flows.schedules import ANNUAL_CRON, NIGHTLY_CRON, TIMEZONE
from tasks.store.location import local_root

TAGS = ["bulletin-etl"]
__all__ = ["ANNUAL_CRON", "NIGHTLY_CRON", "TIMEZONE", "build_deployments", "serve_deployments"]


def build_deployments(warehouse: str, sources: str) -> list[RunnerDeployment]:
    """nightly (cron), annual (weekly in July-August until the release is published) and backfill (manual)."""
    paths = {"warehouse": str(local_root(warehouse).resolve()), "sources": str(Path(sources).resolve())}
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


class _Runner(Runner):
    """Prefect's Runner, whose SIGTERM asks the serving loop to stop like Ctrl-C does (Prefect's own handler
    calls sys.exit from inside the loop and leaves Runner.astop un-awaited)."""

    on_stop_signal = staticmethod(lambda: None)

    def handle_sigterm(self, *args, **kwargs) -> None:
        self.on_stop_signal()


def serve_deployments(warehouse: str, sources: str, limit: int | None = None, say=print) -> None:
    """Register the deployments with the API in PREFECT_API_URL and run their flow runs until SIGINT or SIGTERM,
    then stop polling, cancel runs in progress and pause the schedules while the server is still up."""
    asyncio.run(_serve(build_deployments(warehouse, sources), limit, say))


async def _serve(deployments: list[RunnerDeployment], limit: int | None, say) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    runner = _Runner(limit=limit, pause_on_shutdown=True)
    runner.on_stop_signal = lambda: loop.call_soon_threadsafe(stop.set)
    for deployment in deployments:
        await runner.aadd_deployment(deployment)
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for signum in previous:
        loop.add_signal_handler(signum, stop.set)
    try:
        serving = asyncio.create_task(runner.start())
        say("Serving deployments " + ", ".join(f"{d.flow_name}/{d.name}" for d in deployments)
            + "; Ctrl-C stops them")
        waiting = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if not serving.done():
            say("Stopping: no new flow runs, runs in progress are cancelled, schedules paused")
            if runner.started:
                await runner.astop()
            else:
                serving.cancel()
        waiting.cancel()
        try:
            await serving
        except asyncio.CancelledError:
            pass
    finally:
        for signum, handler in previous.items():
            loop.remove_signal_handler(signum)
            signal.signal(signum, handler)
