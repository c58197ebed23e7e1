"""Nightly and annual runs: only what changed is rebuilt, and with nothing new nothing is extracted or written."""
from __future__ import annotations

from pathlib import Path

import pytest

from flows.nightly import annual_flow, nightly_flow
from tasks.ops.changes import STATE_FILE
from tasks.store.warehouse import Warehouse

pytestmark = pytest.mark.slow


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and directory under the warehouse with its size and modification time (the .lock file is
    taken and released by every run, so only its presence counts)."""
    return {p.relative_to(root).as_posix(): (p.stat().st_size, 0 if p.name == ".lock" else p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


def task_names(flow_run_id: str) -> list[str]:
    import httpx
    from prefect.settings import PREFECT_API_URL

    response = httpx.post(f"{PREFECT_API_URL.value()}/task_runs/filter",
                          json={"flow_runs": {"id": {"any_": [flow_run_id]}}})
    response.raise_for_status()
    return sorted(t["name"] for t in response.json())


@pytest.fixture(scope="module")
def nightly_warehouse(prefect_harness, tmp_path_factory):
    """Sources (a copy of the seeds) and a warehouse after one nightly run."""
    import shutil

    from conftest import SEEDS

    base = tmp_path_factory.mktemp("nightly")
    sources = base / "sources"
    sources.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, sources / path.name)
    first = nightly_flow(sources=str(sources), warehouse=str(base / "wh"))
    return sources, base / "wh", first


def test_first_nightly_builds_everything_and_records_state(nightly_warehouse):
    sources, root, first = nightly_warehouse
    assert first["releases"]["2024"]["status"] == "published"
    state = Warehouse(root).read_json(STATE_FILE)
    assert set(state["inputs"]) == {str(p) for p in sources.glob("*.txt")}
    assert state["releases"]["2024"]["status"] == "published"


def test_nightly_with_nothing_new_extracts_nothing_writes_nothing_and_says_so(nightly_warehouse):
    sources, root, _ = nightly_warehouse
    before = tree(root)
    record = nightly_flow(sources=str(sources), warehouse=str(root))
    assert record["outcome"] == "nothing to do"
    assert "nothing extracted, nothing written" in record["message"]
    assert tree(root) == before
    names = task_names(record["flow_run_id"])
    assert not any(n.startswith(("process-documents", "validate-batch", "store-batch")) for n in names), names


def test_changed_document_rebuilds_its_release_only(nightly_warehouse):
    sources, root, _ = nightly_warehouse
    changed = sources / "003_3785d4ff51e68f84.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nUpdated 2025-08-01.\n", encoding="utf-8")
    record = nightly_flow(sources=str(sources), warehouse=str(root))
    assert list(record["releases"]) == ["2024"] and record["releases"]["2024"]["status"] == "published"
    assert "0 new, 1 changed" in record["message"]
    state = Warehouse(root).read_json(STATE_FILE)
    assert state["inputs"][str(changed)]["sha256"] == Warehouse(root).read("documents", [2024]).set_index(
        "source_uri").loc[str(changed), "sha256"]
    assert nightly_flow(sources=str(sources), warehouse=str(root))["outcome"] == "nothing to do"


def test_annual_stops_once_the_release_is_published(nightly_warehouse):
    sources, root, _ = nightly_warehouse
    before = tree(root)
    done = annual_flow(sources=str(sources), warehouse=str(root), release_year=2024)
    assert done["outcome"] == "nothing to do"
    assert done["message"].startswith("release 2024 is already published; the next annual run, Mon ")
    assert tree(root) == before
    waiting = annual_flow(sources=str(sources), warehouse=str(root), release_year=2025)
    assert waiting["kind"] == "annual" and waiting["releases"] == {}
    assert "release 2025 is not published yet (no final bulletin); the annual run looks again Mon " \
        in waiting["message"]


@pytest.fixture
def fingerprinted_copy(tmp_path, monkeypatch):
    """A copy of the fingerprinted tree that the fingerprints read instead of the repo (the code run is the same)."""
    import shutil

    from tasks.ops import fingerprint

    for name in ("tasks", "expectations"):
        shutil.copytree(fingerprint.ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "ROOT", tmp_path)
    return tmp_path


def edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_an_edit_outside_the_fingerprints_leaves_nightly_a_no_op(nightly_warehouse, fingerprinted_copy):
    sources, root, _ = nightly_warehouse
    before = tree(root)
    edit(fingerprinted_copy / "tasks" / "present" / "report.py")
    record = nightly_flow(sources=str(sources), warehouse=str(root))
    assert record["outcome"] == "nothing to do" and tree(root) == before


def test_a_publish_edit_rebuilds_releases_from_the_stored_observations(nightly_warehouse, fingerprinted_copy):
    sources, root, _ = nightly_warehouse
    edit(fingerprinted_copy / "tasks" / "publish" / "trust.yaml")
    record = nightly_flow(sources=str(sources), warehouse=str(root))
    assert "releases with older versions: 2024" in record["message"]
    assert record["releases"]["2024"]["status"] == "published"
    assert record["extraction"]["extracted"] == 0 and record["extraction"]["reused"] > 0


def test_an_extractor_yaml_edit_rebuilds_and_reads_the_documents_again(nightly_warehouse, fingerprinted_copy):
    """Runs last: it leaves the state built by a newer extractor."""
    from tasks.ops import fingerprint

    sources, root, _ = nightly_warehouse
    edit(fingerprinted_copy / "tasks" / "extraction" / "vocabulary.yaml")
    record = nightly_flow(sources=str(sources), warehouse=str(root))
    assert "releases with older versions: 2024" in record["message"]
    assert record["releases"]["2024"]["status"] == "published"
    assert record["extraction"]["extracted"] > 0 and record["extraction"]["reused"] == 0
    versions = Warehouse(root).read_json(STATE_FILE)["releases"]["2024"]["versions"]
    assert versions["extractor"] == fingerprint.extractor_fingerprint()
    assert nightly_flow(sources=str(sources), warehouse=str(root))["outcome"] == "nothing to do"


def test_nightly_keeps_the_number_of_builds_it_is_told(nightly_warehouse):
    sources, root, _ = nightly_warehouse
    for n in range(2):
        changed = sources / "003_3785d4ff51e68f84.txt"
        changed.write_text(changed.read_text(encoding="utf-8") + f"\nChecked {n}.\n", encoding="utf-8")
        record = nightly_flow(sources=str(sources), warehouse=str(root), keep_builds=1)
        assert record["releases"]["2024"]["status"] == "published"
    kept = Warehouse(root).builds.list(2024)
    assert len(kept) == 1 and kept[0] == record["builds"]["2024"]
