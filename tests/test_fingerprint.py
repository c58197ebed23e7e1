"""Computed fingerprints: any code or data file extraction reads changes the extractor's, an unrelated file does not."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.ops import changes, fingerprint


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the fingerprinted tree (tasks/, expectations/) that the fingerprints read instead of the repo."""
    for name in ("tasks", "expectations"):
        shutil.copytree(fingerprint.ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "ROOT", tmp_path)
    return tmp_path


def names(files: list[Path], root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in files if root in p.parents}


def edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_the_extractor_reads_its_import_closure_and_the_yaml_it_names(project):
    found = names(fingerprint.extractor_files(), project)
    assert {"tasks/extraction/process.py", "tasks/extraction/vocabulary.yaml", "tasks/contract/catalogue.yaml",
            "tasks/cleaning/substitutions.yaml", "tasks/ingest/kinds.yaml", "tasks/quality/coherence.py",
            "tasks/quality/coherence.yaml", "tasks/publish/vintage_groups.py"} <= found
    # fetching, sources files and the release stage do not shape what a document says
    assert not found & {"tasks/ingest/fetch.py", "tasks/ingest/sources.py", "tasks/publish/trust.yaml",
                        "tasks/quality/alerts.yaml", "tasks/present/report.py", "tasks/ops/changes.py"}


def test_the_release_adds_gate_suites_and_publish(project):
    extractor, release = names(fingerprint.extractor_files(), project), names(fingerprint.release_files(), project)
    assert extractor < release
    assert {"tasks/publish/trust.yaml", "tasks/publish/derivations.yaml", "tasks/quality/gate.py",
            "expectations/facts.json"} <= release


@pytest.mark.parametrize("rel, extractor_changes, release_changes", [
    ("tasks/extraction/vocabulary.yaml", True, True),
    ("tasks/contract/catalogue.yaml", True, True),
    ("tasks/quality/coherence.yaml", True, True),
    ("tasks/extraction/scanner.py", True, True),
    ("tasks/publish/trust.yaml", False, True),
    ("expectations/published.json", False, True),
    ("tasks/present/report.py", False, False),
    ("tasks/ingest/fetch.py", False, False),
])
def test_an_edit_changes_exactly_the_fingerprints_that_read_the_file(project, rel, extractor_changes,
                                                                      release_changes):
    before = fingerprint.extractor_fingerprint(), fingerprint.release_fingerprint()
    fingerprint._fingerprints.cache_clear()
    edit(project / rel)
    after = fingerprint.extractor_fingerprint(), fingerprint.release_fingerprint()
    assert (before[0] != after[0], before[1] != after[1]) == (extractor_changes, release_changes)


def test_a_checkout_elsewhere_has_the_same_fingerprints(project):
    assert fingerprint.extractor_fingerprint() == fingerprint.extractor_fingerprint(Path(__file__).parents[1])
    assert fingerprint.release_fingerprint() == fingerprint.release_fingerprint(Path(__file__).parents[1])


def test_run_versions_name_the_computed_fingerprints(project):
    versions = changes.current_versions(load_catalogue())
    assert versions == {"catalogue": load_catalogue().version, "extractor": fingerprint.extractor_fingerprint(),
                        "release": fingerprint.release_fingerprint()}
    assert len(versions["extractor"]) == 64 and versions["extractor"] != versions["release"]
