"""Scheduled runs: nightly picks up new or changed documents; annual waits for the new release to appear."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from prefect import flow, get_run_logger

from flows import run_names, stages
from flows.schedules import ANNUAL_CRON, TIMEZONE, next_run
from tasks.ingest import collect
from tasks.ops import changes, prefect_tasks as stage
from tasks.ingest.raw import RawDocument
from tasks.store.builds import DEFAULT_KEEP

__all__ = ["TIMEZONE", "annual_flow", "incremental", "nightly_flow", "waiting_for"]


@flow(name="bulletin-nightly", flow_run_name=run_names.dated("nightly"), log_prints=True)
def nightly_flow(sources: str = "seeds", warehouse: str = "warehouse", lock_timeout: float = 600.0,
                 accept_shrink: bool = False, keep_builds: int = DEFAULT_KEEP) -> dict:
    """Rebuild only the releases whose inputs changed (new or changed sha256, newer catalogue or extractor), and
    releases a killed run left half written.

    Args:
        sources: Directory of bulletin texts, or a sources YAML file listing directories and URLs.
        warehouse: Warehouse directory.
        lock_timeout: Seconds to wait for another run's warehouse lock before giving up.
        accept_shrink: Publish a release even when it loses rows, indicators, periods or documents.
        keep_builds: Finished builds kept per release (older ones are deleted; `bulletin-etl rollback` uses them).
    """
    run = stages.start("nightly", sources, warehouse, accept_shrink, keep_builds)
    with stages.warehouse_lock(warehouse, lock_timeout):
        return incremental(run)


@flow(name="bulletin-annual", flow_run_name=run_names.annual, log_prints=True)
def annual_flow(sources: str = "seeds", warehouse: str = "warehouse", release_year: int | None = None,
                lock_timeout: float = 600.0, accept_shrink: bool = False, keep_builds: int = DEFAULT_KEEP) -> dict:
    """Weekly in July-August: look for the new release until its final bulletin is published, then do nothing.

    Args:
        sources: Directory of bulletin texts, or a sources YAML file listing directories and URLs.
        warehouse: Warehouse directory.
        release_year: The release expected; default: last year (Asia/Shanghai), whose bulletin appears this summer.
        lock_timeout: Seconds to wait for another run's warehouse lock before giving up.
        accept_shrink: Publish a release even when it loses rows, indicators, periods or documents.
        keep_builds: Finished builds kept per release (older ones are deleted; `bulletin-etl rollback` uses them).
    """
    expected = run_names.expected_release(release_year)
    run = stages.start("annual", sources, warehouse, accept_shrink, keep_builds)
    with stages.warehouse_lock(warehouse, lock_timeout):
        if changes.has_final_bulletin(run.wh.read("published", [expected])):
            return stages.finish(run, "nothing to do", waiting_for(expected, True, _now(), already=True), write=False)
        return incremental(run, lambda: waiting_for(
            expected, changes.has_final_bulletin(run.wh.read("published", [expected])), _now()))


def waiting_for(expected: int, published: bool, now: datetime, already: bool = False) -> str:
    """What an annual run waited for and when the annual deployment looks again (its next scheduled time)."""
    when = next_run(ANNUAL_CRON, now)
    at = f"{when:%a %Y-%m-%d %H:%M} {TIMEZONE}"
    if not published:
        return f"release {expected} is not published yet (no final bulletin); the annual run looks again {at}"
    done = "is already published" if already else "is now published"
    return (f"release {expected} {done}; the next annual run, {at}, looks for release "
            f"{run_names.expected_release(None, when.date())}")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def incremental(run: stages.Run, then: Callable[[], str] | None = None) -> dict:
    """Compare current inputs with the state; extract and rebuild only what changed, or write nothing; `then`
    adds a last sentence to the run's message (annual: the release it waits for)."""
    def said(message: str) -> str:
        return f"{message}; {then()}" if then else message

    log = get_run_logger()
    raws = stages.collect(run)
    state = run.wh.read_json(changes.STATE_FILE)
    current = {r.source_uri: r.sha256 for r in raws}
    plan = changes.plan_changes(state, current, run.versions, run.wh.build_fingerprints() if state else None)
    log.info(plan.describe())
    if plan.nothing_to_do:
        return stages.finish(run, "nothing to do", said(f"{plan.describe()}; nothing extracted, nothing written"),
                             write=False)
    fresh = [r for r in raws if r.source_uri in set(plan.new + plan.changed)]
    detected = _detect_releases(fresh, run) if fresh else {}
    years = changes.releases_to_rebuild(plan, state, detected, current)
    batch = _inputs_for(run, raws, state, changes.inputs_of(state, years, plan))
    log.info("rebuilding releases %s from %d documents", sorted(years), len(batch))
    gated = stages.extract(run, batch)
    outcomes = stages.publish(run, batch, gated, sorted(years), state=state)
    bad = sorted(y for y, s in outcomes.items() if s not in ("published", "stored"))
    outcome = "completed" if not bad else f"completed; releases not published: {bad}"
    return stages.finish(run, outcome, said(f"{plan.describe()}; rebuilt releases {sorted(outcomes)}"))


def _detect_releases(fresh: list[RawDocument], run: stages.Run) -> dict[str, int]:
    """Release year of each new or changed input (a first extraction pass over those documents only)."""
    processed = stage.process_documents(fresh, run.catalogue, run.warehouse)
    year_of = dict(zip(processed.documents["sha256"], processed.documents["release_year"].astype(int)))
    return {r.source_uri: year_of[r.sha256] for r in fresh if r.sha256 in year_of}


def _inputs_for(run: stages.Run, raws: list[RawDocument], state: dict | None, uris: set[str]) -> list[RawDocument]:
    """Current bytes of these inputs; known inputs no longer in the sources come from the raw archive, unless their
    bytes are still in the sources under another path (a moved source is the same document, read once)."""
    current = [r for r in raws if r.source_uri in uris]
    present = {r.sha256 for r in raws}
    known = (state or {}).get("inputs", {})
    missing = sorted(uris - {r.source_uri for r in current})
    return current + [collect.from_archive(run.wh, uri, known[uri]["sha256"]) for uri in missing
                      if uri in known and known[uri]["sha256"] not in present]
