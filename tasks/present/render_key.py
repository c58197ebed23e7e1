"""Render keys: one hash over what render_release reads for a release, so unchanged releases are not re-rendered."""
from __future__ import annotations

import hashlib
import json

import pandas as pd

from tasks.present.charts import main_charts
from tasks.publish.vintages import latest_values

RENDER_FILE = "render.json"      # releases/<year>/render.json: the key and the files it describes


def frame_digest(frame: pd.DataFrame | None) -> str:
    """sha256 of a frame's columns, dtypes and values in row order, independent of its index and column order."""
    h = hashlib.sha256()
    if frame is None:
        h.update(b"(none)")
        return h.hexdigest()
    names = sorted(str(c) for c in frame.columns)
    ordered = frame.rename(columns=str)[names]
    h.update(json.dumps([[n, str(ordered[n].dtype)] for n in names]).encode("utf-8"))
    h.update(str(len(ordered)).encode("ascii") + b"\0")
    if len(ordered) and names:
        h.update(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    return h.hexdigest()


def charts_digest(published_all: pd.DataFrame, names: dict[str, str]) -> str:
    """sha256 of the charts every report draws from all releases' latest values (computed once per site build)."""
    charts = main_charts(latest_values(published_all), names) if published_all is not None else []
    return hashlib.sha256("\0".join(str(c) for c in charts).encode("utf-8")).hexdigest()


def history_rows(published_all: pd.DataFrame | None, year: int) -> pd.DataFrame | None:
    """Rows of earlier releases a key figure may compute its change from (previous year's levels)."""
    if published_all is None or published_all.empty:
        return published_all
    keep = (published_all["release_year"].astype(int) < int(year)) \
        & (published_all["period_year"].astype(int) == int(year) - 1) & (published_all["measure"] == "level")
    return published_all[keep].sort_values(["release_year", "indicator_id", "period_year"], kind="stable")


def fetch_times(raw_records: list[dict], documents: pd.DataFrame) -> list[list]:
    """(sha256, fetched_at) of the snapshots behind the release's documents: all documents.csv reads of raw/."""
    wanted = set(documents["sha256"]) if "sha256" in documents else set()
    return sorted([str(r.get("sha256")), str(r.get("fetched_at"))] for r in raw_records or [] if r.get("sha256") in wanted)


def render_key(bundle, code: str, charts: str) -> str:
    """sha256 over every input of render_release(bundle) plus the presentation code fingerprint and the charts."""
    year = int(bundle.release_year)
    revisions = bundle.revisions
    if revisions is not None and not revisions.empty:
        revisions = revisions[revisions["release_year"].astype(int) == year]
    parts = {
        "year": year, "code": code, "charts": charts,
        "catalogue": bundle.catalogue.version if bundle.catalogue is not None else None,
        "published": frame_digest(bundle.published), "facts": frame_digest(bundle.facts),
        "documents": frame_digest(bundle.documents), "identities": frame_digest(bundle.identities),
        "unattributed": frame_digest(bundle.unattributed), "revisions": frame_digest(revisions),
        "history": frame_digest(history_rows(bundle.published_all, year)),
        "validations": bundle.validations, "data_docs": bundle.data_docs,
        "fetched": fetch_times(bundle.raw_records, bundle.documents),
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_digest(content: bytes | str) -> str:
    """sha256 of a file's bytes (text as UTF-8, as the warehouse writes it)."""
    return hashlib.sha256(content.encode("utf-8") if isinstance(content, str) else content).hexdigest()


def render_record(key: str, files: dict[str, bytes | str]) -> bytes:
    """The render.json bytes: the key and the sha256 of each file rendered with it, so a file left half-written
    (a retried or killed write-site) or changed since is rendered again."""
    record = {"key": key, "files": {name: content_digest(content) for name, content in sorted(files.items())}}
    return (json.dumps(record, indent=2, sort_keys=True) + "\n").encode("utf-8")


def recorded_files(record: dict | None) -> dict[str, str]:
    """File name -> sha256 a stored render record names (empty for a missing or malformed record)."""
    files = record.get("files") if isinstance(record, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def is_current(record: dict | None, key: str, on_disk: dict[str, str]) -> bool:
    """Whether a stored render record matches the key and every file it names is on disk with the same bytes."""
    expected = recorded_files(record)
    return bool(expected) and record.get("key") == key and all(on_disk.get(n) == d for n, d in expected.items())
