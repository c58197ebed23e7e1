"""Stages every flow shares: extract a batch, gate and store it, publish its releases, record the run."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prefect import get_run_logger
from prefect.runtime import flow_run

from flows import artifacts, faults, runners, server
from flows.release import run_release
from tasks.ingest import collect as inputs
from tasks.ops import changes, prefect_tasks as stage, runlog
from tasks.quality import alerts, guard
from tasks.contract.catalogue import Catalogue, load_catalogue
from tasks.ingest.raw import RawDocument
from tasks.ingest.sources import SourcesConfig, alert_urls, now_utc, require_inputs, resolve_sources
from tasks.store.builds import DEFAULT_KEEP
from tasks.store.location import local_root
from tasks.store.warehouse import Warehouse, WarehouseLocked

_listeners: list[Callable[[dict], None]] = []


@contextlib.contextmanager
def progress_listener(callback: Callable[[dict], None]) -> Iterator[None]:
    """Call back (in this process) each time a release finishes; the CLI draws its progress bar with it."""
    _listeners.append(callback)
    try:
        yield
    finally:
        _listeners.remove(callback)


@dataclass
class Run:
    """One flow run's identity, settings and growing record (what ends up in runs/<run_id>.json)."""

    kind: str
    warehouse: str
    config: SourcesConfig
    catalogue: Catalogue = field(default_factory=load_catalogue)
    record: dict = field(default_factory=dict)
    ingest_alerts: list[dict] = field(default_factory=list)   # inputs that could not be read (release 0)
    alerts: list[dict] = field(default_factory=list)          # every alert this run stored
    fetch_state: dict | None = None                           # URL validators to keep, when they changed
    accept_shrink: bool = False                               # publish releases that lose rows/documents
    keep_builds: int = DEFAULT_KEEP                           # finished builds kept per release (rollback)

    def __post_init__(self) -> None:
        self.versions = changes.current_versions(self.catalogue)
        self.run_id = runlog.new_run_id(flow_run.get_id())
        self.record = {"run_id": self.run_id, "flow_run_id": flow_run.get_id() or "", "kind": self.kind,
                       "warehouse": str(Path(self.warehouse).resolve()), "sources": self.config.origin, "versions": self.versions,
                       "started_at": now_utc(), "status": "running", "releases": {}, "ingest_errors": [],
                       "checks": [], "accept_shrink": self.accept_shrink}

    @property
    def wh(self) -> Warehouse:
        return Warehouse(self.warehouse)


def start(kind: str, sources: str, warehouse: str, accept_shrink: bool = False, keep_builds: int = DEFAULT_KEEP) -> Run:
    """A new run reading from a sources directory or sources YAML file (its temporary server dies with it)."""
    server.guard_servers()
    return Run(kind, str(local_root(warehouse)), require_inputs(resolve_sources(sources)), accept_shrink=accept_shrink,
               keep_builds=keep_builds)


@contextlib.contextmanager
def warehouse_lock(warehouse: str, timeout: float) -> Iterator[None]:
    """Hold the warehouse lock for the whole run; say clearly who holds it when this run waits or is refused."""
    log = get_run_logger()
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(Warehouse(warehouse).lock(timeout=0))
        except WarehouseLocked as exc:
            if timeout <= 0:
                raise WarehouseLocked(f"{exc}. This run is refused; retry later or let it wait "
                                      f"(--lock-timeout SECONDS / lock_timeout parameter).") from None
            log.warning("%s. Waiting up to %g s for it.", exc, timeout)
            stack.enter_context(Warehouse(warehouse).lock(timeout=timeout))
            log.info("warehouse lock acquired after waiting")
        yield


def collect(run: Run) -> list[RawDocument]:
    """Current inputs; snapshots of new bytes and the URL validators are kept in the warehouse."""
    collected = stage.collect_sources(run.config, run.warehouse)
    run.record["ingest_errors"] = [{"source": e.source, "reason": e.reason} for e in collected.errors]
    run.ingest_alerts = alerts.ingest_alerts(collected.errors)
    run.fetch_state = collected.fetch_state if collected.fetch_state_changed else None
    faults.stop_at("after-collect")
    return collected.raws


def extract(run: Run, raws: list[RawDocument]):
    """Decode, clean and extract facts (once per sha256, every origin recorded), then let the suites quarantine."""
    unique, origins = inputs.unique_by_content(raws)
    processed = stage.process_documents(unique, run.catalogue, run.warehouse)
    run.record["extraction"] = {"extracted": processed.extracted, "reused": processed.reused}
    docs = processed.documents
    docs["origins"] = [inputs.joined_origins(origins, sha, uri)
                       for sha, uri in zip(docs["sha256"], docs["source_uri"])]
    undecodable = docs[docs["problems"].isin(processed.errors)]
    run.record["ingest_errors"] += [{"source": d.source_uri, "reason": d.problems} for d in undecodable.itertuples()]
    gated = stage.validate_batch(docs, processed.facts, run.catalogue)
    gated.unattributed = processed.unattributed
    run.record["checks"] = [runlog.check_summary(c) for c in gated.checks]
    return gated


def publish(run: Run, raws: list[RawDocument], gated, years: list[int], parallel: int = 1,
            state: dict | None = None, runner: str = "thread", dask_address: str = "") -> dict:
    """Stage the batch's partitions for `years` in new builds, publish each release (subflows), write the site,
    make the builds current (one rename per release), then the state.

    Nothing a run writes for a release is visible before its build becomes current, and a release that is not
    published keeps its current build (facts, documents and published rows together) with only this run's alerts.
    The state that tells nightly "done" is written last: a run killed anywhere before leaves the old state (and,
    before the commit, the old builds), so the next nightly sees the same changes again and rebuilds.
    """
    log = get_run_logger()
    stage.snapshot_raw(run.warehouse, raws, run.fetch_state)
    faults.stop_at("after-snapshot-raw")
    run.record["previous_documents"] = {str(y): _previous_documents(run.wh, state, y) for y in years if y != 0}
    stage.store_batch(run.warehouse, gated.documents, gated.facts, years, gated.unattributed, run.run_id)
    faults.stop_at("after-store-batch")
    run.record["inputs"] = [{"source_uri": r.source_uri, "sha256": r.sha256} for r in raws]
    run.wh.write_run_manifest(run.record)        # releases read the batch's suite verdicts from here
    year_of = dict(zip(gated.documents["sha256"], gated.documents["release_year"].astype(int)))
    built = {r.source_uri: (r.sha256, year_of[r.sha256]) for r in raws if r.sha256 in year_of}
    for year in years:
        run.record["releases"][str(year)] = runlog.release_row(gated.documents, gated.facts, year)
    outcomes, shrunk = ({0: "stored"} if 0 in years else {}), []
    if 0 in years or run.ingest_alerts:
        _finish_release(run, 0, _alerts_of(run, gated, 0), {"status": "stored"})
    with runners.task_runner(runner, parallel, dask_address) as pool:     # release subflows: threads or Dask
        for year in release_order(years):          # each waits for the one before: its repairs read it
            future = pool.submit(run_release, {"warehouse": run.warehouse, "release_year": year,
                                               "run_id": run.run_id})
            summary = _summary(future, year)
            if summary["status"] == "blocked" and summary.get("shrink"):   # the manifest keeps what would vanish
                shrunk.append(year)
            if summary["status"] != "published":      # its facts stay with the published rows they were built from
                stage.discard_build(run.warehouse, year, run.run_id)
            _finish_release(run, year, _alerts_of(run, gated, year) + summary.pop("alerts"), summary)
            outcomes[year] = summary["status"]
            log.info("release %s: %s", year, summary["status"])
    if any(s == "published" for s in outcomes.values()):
        stage.write_site(run.warehouse, run.catalogue, run.run_id)
    faults.stop_at("after-release-files")
    run.record["builds"] = {str(y): b for y, b in stage.commit_builds(run.warehouse, run.run_id,
                                                                        run.keep_builds).items()}
    faults.stop_at("after-commit")
    retry = set(shrunk) | {y for y, s in outcomes.items() if s == "failed"}   # seen again by the next nightly
    done = {y: s for y, s in outcomes.items() if y not in retry}
    if done:
        state = changes.next_state(state, run.versions, built, done)
        fed = {y: _ok_documents(run.wh, y) for y, s in done.items() if s == "published"}
        run.wh.write_json(changes.STATE_FILE, changes.with_builds(state, run.wh.build_fingerprints(), fed))
    faults.stop_at("after-state")
    return outcomes


def release_order(years: list[int]) -> list[int]:
    """Releases in year order, one after another: a release's repairs read the levels the releases before it
    published (this run's builds included), so building them side by side would make its bytes depend on timing."""
    return sorted(y for y in set(years) if y != 0)


def _ok_documents(wh: Warehouse, year: int) -> dict[str, list[str]]:
    """doc_id -> origins of a release's stored documents that feed it (status ok)."""
    return guard.feeding_documents(wh.read("documents", [year]))


def _previous_documents(wh: Warehouse, state: dict | None, year: int) -> dict[str, list[str]]:
    """Documents the current published build was made from (state), else those stored before this run."""
    recorded = changes.built_documents(state, year)
    return _ok_documents(wh, year) if recorded is None else recorded


def _summary(future, year: int) -> dict:
    """A release's summary; a release that crashed is reported (critical) while the others go on."""
    try:
        return future.result()
    except Exception as exc:
        get_run_logger().error("release %s failed: %s: %s", year, type(exc).__name__, exc)
        return {"release_year": year, "status": "failed", "alerts": [
            alerts.make_alert(year, "critical", "release_failed", f"{type(exc).__name__}: {exc}")]}


def _alerts_of(run: Run, gated, year: int) -> list[dict]:
    batch = [a for a in gated.alerts if a["release_year"] == year]
    return batch + (run.ingest_alerts if year == 0 else [])


def _finish_release(run: Run, year: int, found: list[dict], summary: dict) -> None:
    """Write a release's alerts partition and fold its outcome into the run record."""
    stage.write_alerts(run.warehouse, year, found, run.run_id)
    run.alerts += found
    report_release(run, year, {**summary, "alerts": alerts.severity_counts(found)})


def report_release(run: Run, year: int, summary: dict) -> None:
    """Fold a release's outcome into the run record and tell the progress listeners."""
    entry = run.record["releases"].setdefault(str(year), {})
    entry.update({k: v for k, v in summary.items() if k != "release_year"})
    for callback in list(_listeners):
        callback({"release_year": year, **entry})


def finish(run: Run, outcome: str, message: str = "", write: bool = True) -> dict:
    """Deliver alerts, write the run manifest and the run summary artifact; return the run record."""
    log = get_run_logger()
    record = run.record
    found = run.alerts or run.ingest_alerts      # a run that stored nothing still reports unreadable inputs
    record.update(status="completed", outcome=outcome, message=message, finished_at=now_utc(),
                  alerts=alerts.severity_counts(found))
    deliveries = artifacts.notify(record, run.warehouse, found, alert_urls(run.config), run.config.alert_min_severity)
    if deliveries:
        record["deliveries"] = deliveries
    if write:
        run.wh.write_run_manifest(record)
    artifacts.run_summary(record)
    log.info(message or outcome)
    return record
