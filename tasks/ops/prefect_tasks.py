"""Thin Prefect @task wrappers around the pure stages: names, retries for I/O, no logic of their own."""
from __future__ import annotations

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.extraction import process

from tasks.ingest import collect

from tasks.present import site

from tasks.publish import release

from tasks.quality import alerts, gate
from tasks.contract.catalogue import Catalogue
from tasks.ingest.raw import RawDocument
from tasks.ingest.sources import SourcesConfig
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
    for raw in raws:
        wh.put_raw(raw)
    if fetch_state is not None:
        wh.write_json(collect.FETCH_STATE_FILE, fetch_state)
    return len(raws)


@task(name="process-documents", **STAGE)
def process_documents(raws: list[RawDocument], catalogue: Catalogue) -> process.ProcessResult:
    """Decode, clean and extract facts from a batch of documents."""
    return process.process_documents(raws, catalogue)


@task(name="validate-batch", **STAGE)
def validate_batch(documents: pd.DataFrame, facts: pd.DataFrame, catalogue: Catalogue) -> gate.GateResult:
    """Run the documents and facts suites and quarantine what they reject."""
    return gate.check_batch(documents, facts, catalogue)


@task(name="store-batch", **STAGE, **IO_RETRIES)
def store_batch(warehouse: str, documents: pd.DataFrame, facts: pd.DataFrame, years: list[int],
                unattributed: pd.DataFrame | None = None) -> list[str]:
    """Replace the documents, facts and unattributed partitions of the given releases (one write per partition)."""
    wh = Warehouse(warehouse)
    written = []
    for year in years:
        written.append(wh.write_partition("documents", year, documents[documents["release_year"] == year]))
        written.append(wh.write_partition("facts", year, facts[facts["release_year"] == year]))
        if unattributed is not None:
            written.append(wh.write_partition("unattributed", year,
                                              unattributed[unattributed["release_year"] == year]))
    return [str(p) for p in written]


@task(name="read-release-inputs", **STAGE, **IO_RETRIES)
def read_release_inputs(warehouse: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The publishable facts and documents of one release, earlier releases' published rows (evidence for
    repairs) and the figures the batch left out."""
    wh = Warehouse(warehouse)
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
def write_release(warehouse: str, build: release.ReleaseBuild, batch_checks: list[dict]) -> list[str]:
    """Replace the published partition; keep the suite verdicts (validation.json, Data Docs) beside it."""
    wh = Warehouse(warehouse)
    written = [wh.write_partition("published", build.release_year, build.published)]
    files = release.checks_files(build, batch_checks)
    written += [wh.write_release_file(build.release_year, name, content) for name, content in sorted(files.items())]
    return [str(p) for p in written]


@task(name="write-alerts", **STAGE, **IO_RETRIES)
def write_alerts(warehouse: str, year: int, records: list[dict], run_id: str) -> str:
    """Replace the alerts partition of a release with this run's findings."""
    return str(Warehouse(warehouse).write_partition("alerts", year, alerts.alerts_frame(records, run_id)))


@task(name="deliver-alerts", **STAGE)
def deliver_alerts(records: list[dict], urls: list[str], run_id: str, min_severity: str,
                   context: dict | None = None) -> list[dict]:
    """Notify every configured Apprise URL (retries inside; never raises)."""
    return alerts.deliver(records, urls, run_id, min_severity, context=context)


@task(name="write-site", **STAGE, **IO_RETRIES)
def write_site(warehouse: str, catalogue: Catalogue) -> list[str]:
    """Rebuild revisions, every release's files (indicators.csv, datapackage.json, report.html) and the index."""
    wh = Warehouse(warehouse)
    built = site.build_site(wh, catalogue)
    written = [wh.write_partition("revisions", year, frame) for year, frame in built.revisions.items()]
    for year, files in built.release_files.items():
        written += [wh.write_release_file(year, name, content) for name, content in sorted(files.items())]
    written += [wh.write_site_file(name, content) for name, content in sorted(built.site_files.items())]
    return [str(p) for p in written]
