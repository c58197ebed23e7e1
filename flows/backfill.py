"""Backfill: rebuild a range of releases from the raw archive plus the sources, one subflow per release."""
from __future__ import annotations

from prefect import flow, get_run_logger

from flows import run_names, stages
from flows.backfill_years import parse_years  # noqa: F401  (pure; the CLI checks years before Prefect starts)
from tasks.ingest import collect
from tasks.ops import changes, prefect_tasks as stage
from tasks.store.builds import DEFAULT_KEEP


@flow(name="bulletin-backfill", flow_run_name=run_names.backfill, log_prints=True)
def backfill_flow(release_years: list[int], sources: str = "seeds", warehouse: str = "warehouse",
                  force: bool = False, parallel: int = 2, lock_timeout: float = 600.0,
                  accept_shrink: bool = False, keep_builds: int = DEFAULT_KEEP) -> dict:
    """Rebuild the given releases in year order; releases already published with current versions are skipped.

    Args:
        release_years: Releases to rebuild, e.g. [2018, 2019, 2020].
        sources: Directory of bulletin texts, or a sources YAML file; the raw archive in the warehouse is read too.
        warehouse: Warehouse directory.
        force: Rebuild releases that are already published.
        parallel: Workers of the task runner (releases are still built one after another, in year order).
        lock_timeout: Seconds to wait for another run's warehouse lock before giving up.
        accept_shrink: Publish a release even when it loses rows, indicators, periods or documents.
        keep_builds: Finished builds kept per release (older ones are deleted; `bulletin-etl rollback` uses them).
    """
    log = get_run_logger()
    run = stages.start("backfill", sources, warehouse, accept_shrink, keep_builds)
    wanted = sorted(set(release_years))
    with stages.warehouse_lock(warehouse, lock_timeout):
        state = run.wh.read_json(changes.STATE_FILE)
        done = set() if force else changes.finished_releases(state, run.versions, run.wh.release_years("published"))
        todo = [y for y in wanted if y not in done]
        for year in sorted(done & set(wanted)):
            stages.report_release(run, year, {"status": "skipped (already published)"})
        if not todo:
            return stages.finish(run, "nothing to do", f"releases {wanted} are already published "
                                 "(use force to rebuild them)", write=False)
        raws = collect.merge_inputs(stages.collect(run), stage.collect_archive(warehouse))
        known = (state or {}).get("inputs", {})
        raws = [r for r in raws if not _known_in(known, r, done)]     # finished releases need no extraction
        gated = stages.extract(run, raws)
        found = set(int(y) for y in gated.documents["release_year"])
        years = [y for y in todo if y in found]
        for year in sorted(set(todo) - found):
            log.warning("release %s: no documents of this release in the sources or the archive", year)
            stages.report_release(run, year, {"status": "no documents"})
        outcomes = stages.publish(run, raws, gated, years, parallel=parallel, state=state) if years else {}
        return stages.finish(run, _outcome(outcomes, todo),
                             f"backfill {wanted}: rebuilt {sorted(outcomes)}, skipped {sorted(done & set(wanted))}")


def _known_in(known: dict, raw, finished: set[int]) -> bool:
    entry = known.get(raw.source_uri)
    return bool(entry) and entry["sha256"] == raw.sha256 and int(entry["release_year"]) in finished


def _outcome(outcomes: dict[int, str], todo: list[int]) -> str:
    bad = sorted(y for y in todo if outcomes.get(y) != "published")
    return "completed" if not bad else f"completed; releases not published: {bad}"
