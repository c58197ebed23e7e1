"""Thin Prefect @task wrappers around the pure stages: names, retries for I/O, no logic of their own."""
from __future__ import annotations

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.extraction import process

from tasks.ingest import collect
from tasks.ops import fingerprint

from tasks.present import site

from tasks.publish import release

from tasks.quality import alerts, gate
from tasks.contract.catalogue import Catalogue
from tasks.ingest.raw import RawDocument
from tasks.ingest.sources import SourcesConfig
from tasks.store.observations import ObservationStore
from tasks.store.warehouse import Warehouse

# Inputs are whole batches (frames, bytes): hashing them for a cache key would cost more than the stage.
STAGE = {"cache_policy": NO_CACHE, "log_prints": True}
IO_RETRIES = {"retries": 2, "retry_delay_seconds": [1, 5]}


@task(name="collect-sources", **STAGE, **IO_RETRIES)
def collect_sources(config: SourcesConfig, warehouse: str) -> collect.Collected:
    """Read the source directories and fetch the URLs."""
    return collect.collect_sources(config, Warehouse(warehouse))


@task(name="collect-archive", **STAGE, **IO_RETRIES)
def collect_archive(warehouse: str) -> list[RawDocument]:
    """The latest raw snapshot of every source uri in the warehouse."""
    return collect.archived_inputs(Warehouse(warehouse))


@task(name="snapshot-raw", **STAGE, **IO_RETRIES)
def snapshot_raw(warehouse: str, raws: list[RawDocument], fetch_state: dict | None = None) -> int:
    """Keep immutable raw snapshots (and the URL validators that found them)."""
    wh = Warehouse(warehouse)
    wh.put_raws(raws)
    if fetch_state is not None:
        wh.write_json(collect.FETCH_STATE_FILE, fetch_state)
    return len(raws)


@task(name="process-documents", **STAGE)
def process_documents(raws: list[RawDocument], catalogue: Catalogue,
                      warehouse: str | None = None) -> process.ProcessResult:
    """Decode, clean and extract facts from a batch; with a warehouse, documents already read by this extractor
    come from its observations and the fresh ones are kept there."""
    if warehouse is None:
        return process.process_documents(raws, catalogue)
    store = ObservationStore(warehouse)
    result = process.process_documents(raws, catalogue, fingerprint=fingerprint.extractor_fingerprint(),
                                       lookup=store.get)
    for key, observation in result.fresh.items():
        store.put(key, observation)
    return result


@task(name="validate-batch", **STAGE)
def validate_batch(documents: pd.DataFrame, facts: pd.DataFrame, catalogue: Catalogue) -> gate.GateResult:
    """Run the documents and facts suites and quarantine what they reject."""
    return gate.check_batch(documents, facts, catalogue)


@task(name="store-batch", **STAGE, **IO_RETRIES)
def store_batch(warehouse: str, documents: pd.DataFrame, facts: pd.DataFrame, years: list[int],
                unattributed: pd.DataFrame | None = None, run_id: str = "") -> list[str]:
    """Write the documents, facts and unattributed partitions of the given releases into this run's builds."""
    wh = Warehouse(warehouse, run=run_id)
    written = []
    for year in years:
        written.append(wh.write_partition("documents", year, documents[documents["release_year"] == year]))
        written.append(wh.write_partition("facts", year, facts[facts["release_year"] == year]))
        if unattributed is not None:
            written.append(wh.write_partition("unattributed", year,
                                              unattributed[unattributed["release_year"] == year]))
    return [str(p) for p in written]


@task(name="read-release-inputs", **STAGE, **IO_RETRIES)
def read_release_inputs(warehouse: str, year: int, run_id: str = "") -> tuple[pd.DataFrame, pd.DataFrame,
                                                                              pd.DataFrame, pd.DataFrame]:
    """The publishable facts and documents of one release (this run's build), earlier releases' published rows
    (evidence for repairs) and the figures the batch left out."""
    wh = Warehouse(warehouse, run=run_id)
    documents = wh.read("documents", [year])
    earlier = [y for y in wh.release_years("published") if 0 < y < year]
    previous = wh.read("published", earlier)
    unattributed = wh.read("unattributed", [year])
    return gate.publishable_facts(wh.read("facts", [year]), documents), documents, previous, unattributed


@task(name="build-release", **STAGE)
def build_release(year: int, facts: pd.DataFrame, documents: pd.DataFrame, catalogue: Catalogue,
                  previous: pd.DataFrame | None = None,
                  unattributed: pd.DataFrame | None = None) -> release.ReleaseBuild:
    """Reconcile, derive and validate one release."""
    return release.build_release(year, facts, documents, catalogue, previous, unattributed)


@task(name="write-release", **STAGE, **IO_RETRIES)
def write_release(warehouse: str, build: release.ReleaseBuild, batch_checks: list[dict],
                  run_id: str = "") -> list[str]:
    """Write the published partition into this run's build, with the suite verdicts (validation.json, Data Docs)."""
    wh = Warehouse(warehouse, run=run_id)
    written = [wh.write_partition("published", build.release_year, build.published)]
    files = release.checks_files(build, batch_checks)
    written += [wh.write_release_file(build.release_year, name, content) for name, content in sorted(files.items())]
    return [str(p) for p in written]


@task(name="write-alerts", **STAGE, **IO_RETRIES)
def write_alerts(warehouse: str, year: int, records: list[dict], run_id: str) -> str:
    """Write this run's findings as the alerts partition of its build of the release."""
    return str(Warehouse(warehouse, run=run_id).write_partition("alerts", year, alerts.alerts_frame(records, run_id)))


@task(name="deliver-alerts", **STAGE)
def deliver_alerts(records: list[dict], urls: list[str], run_id: str, min_severity: str,
                   context: dict | None = None) -> list[dict]:
    """Notify every configured Apprise URL (retries inside; never raises)."""
    return alerts.deliver(records, urls, run_id, min_severity, context=context)


@task(name="write-site", **STAGE, **IO_RETRIES)
def write_site(warehouse: str, catalogue: Catalogue, run_id: str = "") -> list[str]:
    """Rebuild revisions, the files (indicators.csv, datapackage.json, report.html) of each release whose render
    inputs changed, and the index; a release whose files change gets a new build (copied from its current one)."""
    wh = Warehouse(warehouse, run=run_id)
    built = site.build_site(wh, catalogue)
    written = [wh.write_partition("revisions", year, frame) for year, frame in built.revisions.items()]
    for year, files in built.release_files.items():
        written += [wh.write_release_file(year, name, content) for name, content in sorted(files.items())]
    written += [wh.write_site_file(name, content) for name, content in sorted(built.site_files.items())]
    return [str(p) for p in written]


@task(name="discard-build", **STAGE)
def discard_build(warehouse: str, year: int, run_id: str) -> None:
    """Drop what this run staged for a release that was not published: its current build stays whole."""
    Warehouse(warehouse, run=run_id).discard_build(year)


@task(name="commit-builds", **STAGE, **IO_RETRIES)
def commit_builds(warehouse: str, run_id: str, keep: int) -> dict[int, str | None]:
    """Make this run's builds current, one rename per release; unchanged builds are dropped, old ones pruned."""
    return Warehouse(warehouse, run=run_id).commit_builds(keep)
