"""A release is rendered again only when what its report reads changed, and skipping leaves the same files."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import SEEDS
from flows.pipeline import release_pipeline
from tasks.contract.catalogue import load_catalogue
from tasks.ops.prefect_tasks import write_site
from tasks.present import site
from tasks.present.render_key import RENDER_FILE, render_key
from tasks.present.report import ReleaseBundle
from tasks.store.warehouse import Warehouse

pytestmark = pytest.mark.slow
CATALOGUE = load_catalogue()
COPIED = ("documents", "facts", "unattributed", "published")


def bundle(**changes) -> ReleaseBundle:
    """A small release bundle; keyword arguments replace one input."""
    published = pd.DataFrame({"release_year": [2024, 2024], "indicator_id": ["bmi.participants", "bmi.fund.revenue"],
                              "region": [None, None], "period_year": [2024, 2024], "measure": ["level", "level"],
                              "value": [1.0, 2.0], "status": ["agreed", "agreed"]})
    documents = pd.DataFrame({"doc_id": ["a", "b"], "sha256": ["1" * 64, "2" * 64], "title": ["A", "B"],
                              "release_year": [2024, 2024]})
    fields = dict(release_year=2024, published=published, facts=pd.DataFrame({"doc_id": ["a"], "value": [1.0]}),
                  documents=documents, identities=pd.DataFrame({"identity": ["x"], "residual": [0.0]}),
                  validations=[{"suite": "facts", "success": True}], data_docs=["validation.html"],
                  catalogue=CATALOGUE, published_all=published, revisions=pd.DataFrame(),
                  raw_records=[{"sha256": "1" * 64, "fetched_at": "2024-01-01"}],
                  unattributed=pd.DataFrame({"doc_id": ["a"], "text": ["3"]}))
    return ReleaseBundle(**{**fields, **changes})


def with_value(frame: pd.DataFrame, column: str, row: int, value) -> pd.DataFrame:
    out = frame.copy()
    out.loc[row, column] = value
    return out


BASE = bundle()
CHANGES = {
    "published value": lambda: bundle(published=with_value(BASE.published, "value", 1, 2.5)),
    "published status": lambda: bundle(published=with_value(BASE.published, "status", 0, "conflict")),
    "document title": lambda: bundle(documents=with_value(BASE.documents, "title", 0, "A2")),
    "document row added": lambda: bundle(documents=pd.concat([BASE.documents, BASE.documents.iloc[:1]])),
    "validation checks": lambda: bundle(validations=[{"suite": "facts", "success": False}]),
    "data docs": lambda: bundle(data_docs=[]),
    "catalogue version": lambda: bundle(catalogue=type(CATALOGUE)(indicators=CATALOGUE.indicators, version="other")),
    "fact": lambda: bundle(facts=with_value(BASE.facts, "value", 0, 9.0)),
    "unattributed": lambda: bundle(unattributed=with_value(BASE.unattributed, "text", 0, "4")),
    "fetch time of own document": lambda: bundle(raw_records=[{"sha256": "1" * 64, "fetched_at": "2025-01-01"}]),
    "earlier release's previous-year level": lambda: bundle(published_all=pd.concat([BASE.published, pd.DataFrame(
        {"release_year": [2023], "indicator_id": ["bmi.participants"], "region": [None], "period_year": [2023],
         "measure": ["level"], "value": [0.5], "status": ["agreed"]})], ignore_index=True)),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_render_key_changes_with_each_input(name):
    assert render_key(BASE, "code", "charts") == render_key(bundle(), "code", "charts")
    assert render_key(CHANGES[name](), "code", "charts") != render_key(BASE, "code", "charts")


def test_a_render_key_ignores_what_the_report_does_not_read():
    other_doc = bundle(raw_records=[*BASE.raw_records, {"sha256": "9" * 64, "fetched_at": "2030-01-01"}])
    reordered = bundle(published=BASE.published[list(BASE.published.columns)[::-1]])
    assert render_key(other_doc, "c", "x") == render_key(reordered, "c", "x") == render_key(BASE, "c", "x")
    assert render_key(BASE, "c2", "x") != render_key(BASE, "c", "x") != render_key(BASE, "c", "y")


@pytest.fixture(scope="module")
def two_releases(prefect_harness, tmp_path_factory) -> Path:
    """The seeds warehouse with a second release (2023: a copy of 2024) and its site written once."""
    root = tmp_path_factory.mktemp("site-render") / "warehouse"
    release_pipeline(sources=str(SEEDS), warehouse=str(root))
    wh = Warehouse(root, run="copy-2023")
    for dataset in COPIED:
        frame = wh.read(dataset, [2024])
        wh.write_partition(dataset, 2023, frame.assign(release_year=2023))
    wh.write_release_file(2023, "validation.json", json.dumps(wh.read_json("releases/2024/validation.json")))
    wh.commit_builds()
    publish_site(root, "site-2023")
    return root


def publish_site(root: Path, run: str) -> None:
    """What a publishing run does last: write-site, then make its builds current."""
    write_site.fn(str(root), CATALOGUE, run)
    Warehouse(root, run=run).commit_builds()


def copy_of(root: Path, tmp_path: Path) -> Path:
    shutil.copytree(root, tmp_path / "warehouse", symlinks=True)
    return tmp_path / "warehouse"


def rendered_years(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = site.render_release
    monkeypatch.setattr(site, "render_release", lambda b: calls.append(int(b.release_year)) or real(b))
    return calls


def change_validation(root: Path, year: int, run: str) -> None:
    wh = Warehouse(root, run=run)
    checks = wh.read_json(f"releases/{year}/validation.json")
    checks["checks"] = [*checks.get("checks", []), {"suite": "extra", "success": False, "failures": []}]
    wh.write_release_file(year, "validation.json", json.dumps(checks))
    wh.commit_builds()


def release_contents(root: Path) -> dict[str, bytes]:
    """Every file of every release's current build and the site pages, by name."""
    wh = Warehouse(root)
    out = {}
    for year in wh.release_years("published"):
        directory = wh.release_dir(year)
        out |= {f"{year}/{p.relative_to(directory)}": p.read_bytes() for p in directory.rglob("*") if p.is_file()}
    return out | {p.name: p.read_bytes() for p in (root / "releases").glob("*") if p.is_file()}


def test_a_second_build_with_nothing_changed_renders_no_release(two_releases, tmp_path, monkeypatch):
    root = copy_of(two_releases, tmp_path)
    calls = rendered_years(monkeypatch)
    built = site.build_site(Warehouse(root), CATALOGUE)
    assert calls == [] and built.release_files == {2023: {}, 2024: {}}
    assert all((Warehouse(root).release_dir(y) / RENDER_FILE).is_file() for y in (2023, 2024))


def test_a_changed_release_is_the_only_one_rendered(two_releases, tmp_path, monkeypatch):
    root = copy_of(two_releases, tmp_path)
    change_validation(root, 2023, "checks-2023")
    calls = rendered_years(monkeypatch)
    built = site.build_site(Warehouse(root), CATALOGUE)
    assert calls == [2023] and "report.html" in built.release_files[2023] and built.release_files[2024] == {}


def test_a_missing_file_renders_its_release_again(two_releases, tmp_path, monkeypatch):
    root = copy_of(two_releases, tmp_path)
    (Warehouse(root).release_dir(2024) / "documents.csv").unlink()
    calls = rendered_years(monkeypatch)
    assert list(site.build_site(Warehouse(root), CATALOGUE).release_files[2024]) == ["documents.csv"]
    assert calls == [2024]


def test_a_file_whose_bytes_changed_renders_its_release_again(two_releases, tmp_path, monkeypatch):
    """A write-site retried after writing render.json but not report.html must not keep the old report."""
    root = copy_of(two_releases, tmp_path)
    report = Warehouse(root).release_dir(2024) / "report.html"
    good = report.read_bytes()
    report.write_bytes(good[: len(good) // 2])
    calls = rendered_years(monkeypatch)
    assert site.build_site(Warehouse(root), CATALOGUE).release_files[2024] == {"report.html": good}
    assert calls == [2024]


def test_skipped_renders_leave_the_same_files_as_a_full_render(two_releases, tmp_path, monkeypatch):
    skipped, full = copy_of(two_releases, tmp_path / "a"), copy_of(two_releases, tmp_path / "b")
    for root in (skipped, full):
        change_validation(root, 2023, "checks-2023")
    calls = rendered_years(monkeypatch)
    publish_site(skipped, "site-skipped")
    assert calls == [2023]
    monkeypatch.setattr(site, "is_current", lambda *args: False)
    publish_site(full, "site-full")
    assert calls == [2023, 2023, 2024]
    files = release_contents(skipped)
    assert files == release_contents(full) and {"2023/render.json", "2024/render.json"} <= set(files)
