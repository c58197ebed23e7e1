"""What is rebuilt from the stored partitions after a run publishes: revisions, every release's files, the index."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tasks.contract.catalogue import Catalogue
from tasks.ops.fingerprint import present_fingerprint
from tasks.publish.derive import identity_checks
from tasks.present.render_key import (RENDER_FILE, charts_digest, content_digest, is_current, recorded_files,
                                      render_key, render_record)
from tasks.present.report import ReleaseBundle, indicator_names, render_release, render_site
from tasks.publish.vintages import build_revisions
from tasks.store.warehouse import Warehouse


@dataclass
class SiteOutputs:
    """Revisions partitions, files per release (releases/<year>/) and pages about all releases (releases/)."""

    revisions: dict[int, pd.DataFrame] = field(default_factory=dict)
    release_files: dict[int, dict[str, bytes]] = field(default_factory=dict)
    site_files: dict[str, bytes] = field(default_factory=dict)


def build_site(warehouse: Warehouse, catalogue: Catalogue) -> SiteOutputs:
    """Everything across releases, from stored data only, so the same warehouse always gives the same files;
    a release whose render key (releases/<year>/render.json) is unchanged is not rendered again."""
    published = warehouse.read("published")
    facts, documents = warehouse.read("facts"), warehouse.read("documents")
    unattributed = warehouse.read("unattributed")
    revisions = build_revisions(facts, documents, published)
    raw_records = warehouse.raw_records()
    code, charts = present_fingerprint(), charts_digest(published, indicator_names(catalogue))
    out = SiteOutputs(revisions={int(y): f for y, f in revisions.groupby("release_year", sort=True)})
    for year in sorted(int(y) for y in published["release_year"].unique()):
        rows = published[published["release_year"] == year].reset_index(drop=True)
        checks = warehouse.read_json(f"releases/{year}/validation.json") or {}
        bundle = ReleaseBundle(
            release_year=year, published=rows, facts=facts[facts["release_year"] == year],
            documents=documents[documents["release_year"] == year],
            identities=identity_checks(rows[rows["status"] != "derived"], catalogue),
            validations=checks.get("checks", []), data_docs=checks.get("data_docs", []), catalogue=catalogue,
            published_all=published, revisions=revisions, raw_records=raw_records,
            unattributed=unattributed[unattributed["release_year"] == year])
        directory = warehouse.release_dir(year)
        key = render_key(bundle, code, charts)
        stored = warehouse.read_json(f"releases/{year}/{RENDER_FILE}")
        if is_current(stored, key, on_disk(directory, stored)):
            out.release_files[year] = {}
            continue
        files = render_release(bundle)
        files[RENDER_FILE] = render_record(key, files)
        out.release_files[year] = changed_files(files, directory)
    out.site_files = changed_files(render_site(published, revisions, catalogue=catalogue),
                                   warehouse.root / "releases")
    return out


def on_disk(directory: Path, record: dict | None) -> dict[str, str]:
    """sha256 of each file a render record names that exists in the release's directory."""
    paths = {name: directory / name for name in recorded_files(record)}
    return {name: content_digest(path.read_bytes()) for name, path in paths.items() if path.is_file()}


def changed_files(files: dict[str, bytes | str], directory: Path) -> dict[str, bytes | str]:
    """Only the files whose bytes differ from those on disk: a run whose inputs do not touch a release leaves its
    files (and their modification times) alone."""
    out = {}
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = directory / name
        if not (path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data):
            out[name] = content
    return out
