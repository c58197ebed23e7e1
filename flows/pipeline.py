"""The release flow: ingest every source -> extract -> validate -> store -> publish each release -> manifest."""
from __future__ import annotations

from prefect import flow, get_run_logger

from flows import run_names, stages
from tasks.ops import changes


@flow(name="bulletin-release", flow_run_name=run_names.dated("run"), log_prints=True)
def release_pipeline(sources: str = "seeds", warehouse: str = "warehouse", release_years: list[int] | None = None,
                     lock_timeout: float = 0.0, parallel: int = 1, accept_shrink: bool = False,
                     runner: str = "thread", dask_address: str = "", keep_builds: int = 3) -> dict:
    """Build the releases found in the sources (all of them, or only release_years) and replace their partitions.

    Args:
        sources: Directory of .txt/.md/.html/.htm files (read recursively), or a sources YAML file.
        warehouse: Warehouse directory (created if missing).
        release_years: Only rebuild these releases; empty or null means every release found in the sources.
        lock_timeout: Seconds to wait for another run's warehouse lock before giving up (0: refuse at once).
        parallel: Workers of the task runner (releases are still built one after another, in year order).
        accept_shrink: Publish a release even when it loses rows, indicators, periods or documents.
        runner: Task runner of the release subflows: "thread" (this process) or "dask" (prefect-dask).
        dask_address: Dask scheduler to use with runner "dask" (tcp://host:8786); empty starts a LocalCluster.
        keep_builds: Finished builds kept per release (older ones are deleted; `bulletin-etl rollback` uses them).
    """
    run = stages.start("run", sources, warehouse, accept_shrink, keep_builds)
    with stages.warehouse_lock(warehouse, lock_timeout):
        raws = stages.collect(run)
        if not raws:
            return stages.finish(run, "nothing to do", f"no input documents under {sources}", write=False)
        gated = stages.extract(run, raws)
        found = sorted(int(y) for y in gated.documents["release_year"].unique())
        years = [y for y in found if not release_years or y in release_years]
        missing = sorted(set(release_years or []) - set(found))
        if missing:
            get_run_logger().warning("no documents of release(s) %s in %s", missing, sources)
        state = run.wh.read_json(changes.STATE_FILE)
        outcomes = stages.publish(run, raws, gated, years, parallel=parallel, state=state,
                                  runner=runner, dask_address=dask_address)
        return stages.finish(run, _outcome(outcomes), f"releases: {_describe(outcomes)}")


def _outcome(outcomes: dict[int, str]) -> str:
    """'completed' when every release was published, else 'completed with blocked/failed releases'."""
    bad = sorted({s for y, s in outcomes.items() if y and s not in ("published",)})
    return "completed" if not bad else f"completed with {'/'.join(bad)} releases"


def _describe(outcomes: dict[int, str]) -> str:
    return ", ".join(f"{y or 'unknown'} {s}" for y, s in sorted(outcomes.items())) or "none"
