"""What is rebuilt from the stored partitions after a run publishes: revisions, every release's files, the index."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tasks.contract.catalogue import Catalogue
from tasks.publish.derive import identity_checks
from tasks.present.report import ReleaseBundle, render_release, render_site
from tasks.publish.vintages import build_revisions
from tasks.store.warehouse import Warehouse


@dataclass
class SiteOutputs:
    """Revisions partitions, files per release (releases/<year>/) and pages about all releases (releases/)."""

    revisions: dict[int, pd.DataFrame] = field(default_factory=dict)
    release_files: dict[int, dict[str, bytes]] = field(default_factory=dict)
    site_files: dict[str, bytes] = field(default_factory=dict)


def build_site(warehouse: Warehouse, catalogue: Catalogue) -> SiteOutputs:
    """Everything across releases, from stored data only, so the same warehouse always gives the same files."""
    published = warehouse.read("published")
    facts, documents = warehouse.read("facts"), warehouse.read("documents")
    unattributed = warehouse.read("unattributed")
    revisions = build_revisions(facts, documents, published)
    raw_records = warehouse.raw_records()
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
        out.release_files[year] = changed_files(render_release(bundle), warehouse.release_dir(year))
    out.site_files = changed_files(render_site(published, revisions, catalogue=catalogue),
                                   warehouse.root / "releases")
    return out


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
