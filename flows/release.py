"""The per-release subflow: publish one release from its stored documents and facts, or block it."""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.settings import temporary_settings

from flows import artifacts, faults
from tasks.ops import prefect_tasks as stage
from tasks.quality import guard
from tasks.contract.catalogue import load_catalogue
from tasks.store.warehouse import Warehouse


@flow(name="bulletin-release-year", flow_run_name="release {release_year}", log_prints=True)
def release_flow(warehouse: str, release_year: int, run_id: str) -> dict:
    """Reconcile, derive and validate one release; write it only when the published suite passes.

    Args:
        warehouse: Warehouse directory holding the release's documents and facts partitions.
        release_year: The bulletin edition to publish (e.g. 2024).
        run_id: Id of the parent run (its manifest holds the batch's suite verdicts).
    """
    log = get_run_logger()
    catalogue = load_catalogue()
    facts, documents, previous, unattributed = stage.read_release_inputs(warehouse, release_year, run_id)
    build = stage.build_release(release_year, facts, documents, catalogue, previous, unattributed)
    summary = {"release_year": release_year, "published_rows": len(build.published),
               "status_counts": build.status_counts, "alerts": build.alerts}
    if build.blocked:
        failed = [f["expectation"] for c in build.checks if not c.success for f in c.failures]
        log.error("release %s NOT published: the published suite failed (%s); the current build (published "
                  "rows and the facts behind them) stays as it was", release_year, ", ".join(failed))
        return {**summary, "status": "blocked"}
    manifest = Warehouse(warehouse).read_json(f"runs/{run_id}.json") or {}
    shrink = _shrink(warehouse, build, documents, manifest)
    if shrink.shrinks and not manifest.get("accept_shrink"):
        log.error("release %s NOT published: the new build %s; the current release stays (accept it with "
                  "--accept-shrink)", release_year, shrink.describe())
        return {**summary, "status": "blocked", "shrink": shrink.as_record(),
                "alerts": build.alerts + [guard.shrink_alert(shrink)]}
    if shrink.shrinks:
        log.warning("release %s shrinks, accepted by the run: %s", release_year, shrink.describe())
        summary.update(alerts=build.alerts + [guard.accepted_alert(shrink)], shrink=shrink.as_record())
    build.run = {"run_id": run_id, "kind": manifest.get("kind", ""), "flow_run_id": manifest.get("flow_run_id", ""),
                 "flow_run_name": flow_run.get_name() or ""}
    stage.write_release(warehouse, build, manifest.get("checks", []), run_id)
    faults.stop_at("after-published")
    artifacts.release_table(build.published, release_year)
    log.info("release %s published: %d rows (%s)", release_year, len(build.published), build.status_counts)
    return {**summary, "status": "published"}


def _shrink(warehouse: str, build, documents, manifest: dict) -> guard.Shrink:
    """Compare the build with the release as currently published (and the documents it was built from)."""
    year = build.release_year
    current = Warehouse(warehouse).read("published", [year])
    new_docs = guard.feeding_documents(documents)
    previous_docs = manifest.get("previous_documents", {}).get(str(year))
    return guard.compare_builds(year, current, build.published, new_docs if previous_docs is None else previous_docs,
                                new_docs)


@task(name="release", task_run_name="release-{release_year}", cache_policy=NO_CACHE)
def run_release(warehouse: str, release_year: int, run_id: str) -> dict:
    """Run the release subflow (a task, so that several releases can run side by side).

    Without heartbeats: ending a flow run joins its heartbeat thread, which sleeps in 1 s steps, so each release
    cost ~1-2 s of waiting (60 s over 30 releases); the parent run's heartbeats already tell a server the process
    is alive, and a subflow cannot outlive it."""
    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        return release_flow(warehouse, release_year, run_id)
