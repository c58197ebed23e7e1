"""Gather the current version of every input: files read now, URLs fetched now or their archived snapshot."""
from __future__ import annotations

from dataclasses import dataclass, field

from tasks.ingest.fetch import FetchOutcome, fetch_urls
from tasks.ingest.raw import RawDocument
from tasks.ingest.sources import IngestError, SourcesConfig, read_local
from tasks.store.warehouse import Warehouse

FETCH_STATE_FILE = "state/fetch.json"


@dataclass
class Collected:
    """Current inputs (one per source uri, sorted), what could not be read, and the URL validators to keep."""

    raws: list[RawDocument] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    fetched: list[FetchOutcome] = field(default_factory=list)
    fetch_state: dict = field(default_factory=dict)
    fetch_state_changed: bool = False


def collect_sources(config: SourcesConfig, warehouse: Warehouse) -> Collected:
    """Read every configured directory and fetch every URL (conditional GET against the last validators)."""
    out = Collected()
    out.raws, out.errors = read_local(config)
    previous = warehouse.read_json(FETCH_STATE_FILE) or {}
    out.fetched = fetch_urls(list(config.urls), config.fetch, previous) if config.urls else []
    state = dict(previous)
    for outcome in out.fetched:
        raw = outcome.raw or _archived(warehouse, outcome)
        if raw is not None:
            out.raws.append(raw)
        if outcome.status == "error":
            fallback = f"; using the snapshot fetched {raw.fetched_at}" if raw else "; no earlier snapshot"
            out.errors.append(IngestError(outcome.url, outcome.reason + fallback))
        elif outcome.validators:
            state[outcome.url] = outcome.validators
    out.fetch_state, out.fetch_state_changed = state, state != previous
    out.raws = _one_per_uri(out.raws)
    return out


def _archived(warehouse: Warehouse, outcome: FetchOutcome) -> RawDocument | None:
    """The stored snapshot of a URL that was not modified (304) or could not be fetched this time."""
    if not outcome.sha256:
        return None
    try:
        return from_archive(warehouse, outcome.url, outcome.sha256)
    except FileNotFoundError:
        return None


def archived_inputs(warehouse: Warehouse) -> list[RawDocument]:
    """The latest snapshot of every source uri in the raw store (for backfills)."""
    latest: dict[str, tuple[str, dict]] = {}
    for record in warehouse.raw_records():
        for origin in record.get("origins") or [record]:
            uri = origin["source_uri"]
            if uri not in latest or origin.get("fetched_at", "") > latest[uri][1].get("fetched_at", ""):
                latest[uri] = (record["sha256"], origin)
    return [from_archive(warehouse, uri, sha) for uri, (sha, _) in sorted(latest.items())]


def merge_inputs(current: list[RawDocument], archived: list[RawDocument]) -> list[RawDocument]:
    """Current inputs win over archived snapshots of the same uri or the same bytes (a moved source is not re-read)."""
    seen = {r.source_uri for r in current}
    present = {r.sha256 for r in current}
    return _one_per_uri(current + [r for r in archived if r.source_uri not in seen and r.sha256 not in present])


def unique_by_content(raws: list[RawDocument]) -> tuple[list[RawDocument], dict[str, list[str]]]:
    """One input per sha256 (as its first origin, sorted) and every origin of each: the same bytes are one document."""
    origins: dict[str, set[str]] = {}
    for raw in raws:
        origins.setdefault(raw.sha256, set()).add(raw.source_uri)
    first = {sha: min(uris) for sha, uris in origins.items()}
    unique = [r for r in _one_per_uri(raws) if first[r.sha256] == r.source_uri]
    return unique, {sha: sorted(uris) for sha, uris in origins.items()}


def joined_origins(origins: dict[str, list[str]], sha256: str, source_uri: str) -> str:
    """The ';'-joined origins of a document (its own uri when it has no other)."""
    return ";".join(origins.get(sha256) or [source_uri])


def _one_per_uri(raws: list[RawDocument]) -> list[RawDocument]:
    unique: dict[str, RawDocument] = {}
    for raw in raws:
        unique.setdefault(raw.source_uri, raw)
    return [unique[uri] for uri in sorted(unique)]


def from_archive(warehouse: Warehouse, source_uri: str, sha256: str) -> RawDocument:
    """A stored snapshot as the input of a source uri (its provenance record gives the content type)."""
    record = warehouse.read_json(f"raw/{sha256[:2]}/{sha256}.json") or {}
    origin = next((o for o in record.get("origins", []) if o.get("source_uri") == source_uri), record)
    return RawDocument(source_uri=source_uri, data=warehouse.get_raw(sha256),
                       fetched_at=origin.get("fetched_at", ""), content_type=origin.get("content_type", ""))
