"""Nothing lost (#10): kill -9 at every stage boundary, duplicates and moved sources, the release shrink guard."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from flows.faults import POINTS, STOP_ENV
from tasks.ops.changes import STATE_FILE
from tasks.store.warehouse import Warehouse

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
KILLED = -signal.SIGKILL


def cli(*args: str, stop_at: str = "", timeout: float = 300) -> subprocess.CompletedProcess:
    """The real command line in a subprocess; output is captured, so a server left holding it would hang here."""
    env = {**os.environ, "PREFECT_HOME": os.environ.get("PREFECT_HOME", str(REPO / ".prefect"))}
    env.pop("PREFECT_API_URL", None)
    env.pop(STOP_ENV, None)
    if stop_at:
        env[STOP_ENV] = stop_at
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def release_bytes(root: Path) -> dict[str, bytes]:
    """Every file people and readers use: published/ and releases/ (validation.html names the run: left out)."""
    files = {}
    for top in ("published", "releases"):
        for path in sorted((root / top).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and path.name != "validation.html" and not path.name.startswith("."):
                files[rel] = path.read_bytes()
    return files


STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|sha256:[0-9a-f]{64}")


STAMPED = ("documents.csv", "datapackage.json")
DIGEST = re.compile(rb"[0-9a-f]{64}")
DIGESTS = ("render.json",)         # digests of the stamped files and of the fetch times: masked with them


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    """Release files with the time each document was first seen masked (provenance of this warehouse: a killed run
    that never stored the bytes sees them later) and the file hashes that follow from it."""
    return {name: DIGEST.sub(b"<masked>", data) if name.endswith(DIGESTS) else
            STAMP.sub(b"<masked>", data) if name.endswith(STAMPED) else data for name, data in files.items()}


def sources_of(tmp: Path, files: list[Path], name: str = "sources") -> Path:
    directory = tmp / name
    directory.mkdir(parents=True)
    for path in files:
        shutil.copyfile(path, directory / path.name)
    return directory


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A warehouse holding release 2024 built from one seed, and sources holding both seeds."""
    tmp = tmp_path_factory.mktemp("faults")
    one = sources_of(tmp, SEEDS[:1], "one")
    before = tmp / "before"
    assert cli("nightly", "--sources", str(one), "--warehouse", str(before)).returncode == 0
    return tmp, before, sources_of(tmp, SEEDS, "both")


def clean_nightly(before: Path, sources: Path, where: Path) -> dict[str, bytes]:
    """The files a nightly that is not killed leaves (built beside each killed run, from the same code)."""
    shutil.copytree(before, where)
    done = cli("nightly", "--sources", str(sources), "--warehouse", str(where))
    assert done.returncode == 0, done.stdout + done.stderr
    return release_bytes(where)


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_kill_at_each_stage_boundary_keeps_the_release_readable_and_nightly_converges(base, tmp_path, point):
    tmp, before, both = base
    new = clean_nightly(before, both, tmp_path / "clean")
    wh = tmp_path / "wh"
    shutil.copytree(before, wh)
    started = time.monotonic()
    killed = cli("nightly", "--sources", str(both), "--warehouse", str(wh), stop_at=point)
    assert killed.returncode == KILLED, killed.stdout + killed.stderr
    assert time.monotonic() - started < 200          # the output pipe closed: no orphaned server holds it
    after_kill = release_bytes(wh)
    old = release_bytes(before)
    old, new_masked = comparable(old), comparable(new)
    for name, content in comparable(after_kill).items():   # every file is whole: the old build's or the new one's
        assert content in (old.get(name), new_masked.get(name)), f"{name} is neither the previous nor the new build"
    published = Warehouse(wh).read("published", [2024])
    assert len(published) >= len(Warehouse(before).read("published", [2024]))
    healed = cli("nightly", "--sources", str(both), "--warehouse", str(wh))
    assert healed.returncode == 0, healed.stdout + healed.stderr
    assert comparable(release_bytes(wh)) == comparable(new)
    reference = Warehouse(tmp_path / "clean").read_json(STATE_FILE)
    assert Warehouse(wh).read_json(STATE_FILE)["inputs"] == reference["inputs"]
    again = cli("nightly", "--sources", str(both), "--warehouse", str(wh))
    assert "nothing to do" in again.stdout


def test_every_stop_point_is_named_and_unknown_ones_are_refused():
    from flows.faults import stop_at

    assert len(set(POINTS)) == len(POINTS)
    with pytest.raises(ValueError, match="unknown stop point"):
        stop_at("after-lunch")


def test_a_killed_parents_prefect_server_child_is_stopped_by_the_watchdog(tmp_path):
    """A stand-in parent starts the watchdog and a child whose command line is a Prefect server's; kill -9 the parent."""
    marker = tmp_path / "child.pid"
    parent_code = (
        "import subprocess, sys, time\n"
        "from flows.server import guard_servers\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', "
        f"'prefect.server.api.server'])\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        "guard_servers()\n"
        "time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=REPO, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(marker.read_text())
    time.sleep(2)                                    # the watchdog has noted its child
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _running(child):
        time.sleep(0.2)
    assert not _running(child), "the orphaned server outlived its killed parent"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except OSError:
        return False


# ---- duplicates, moved sources, the shrink guard (in-process flows) -----------------------------------------------
@pytest.fixture(scope="module")
def built(prefect_harness, tmp_path_factory):
    """Release 2024 from both seeds (the good release the other tests must never lose)."""
    from flows.pipeline import release_pipeline

    tmp = tmp_path_factory.mktemp("guard")
    sources = sources_of(tmp, SEEDS)
    record = release_pipeline(sources=str(sources), warehouse=str(tmp / "wh"))
    assert record["releases"]["2024"]["status"] == "published"
    return tmp, sources, tmp / "wh"


def _copy_warehouse(built, tmp_path: Path) -> Path:
    shutil.copytree(built[2], tmp_path / "wh")
    return tmp_path / "wh"


@pytest.mark.slow
def test_the_same_bytes_under_two_paths_are_one_document_with_both_origins(built, tmp_path):
    from flows.pipeline import release_pipeline

    wh = _copy_warehouse(built, tmp_path)
    sources = sources_of(tmp_path, SEEDS)
    copy = sources / "copy-of-the-english-digest.txt"
    shutil.copyfile(SEEDS[1], copy)
    record = release_pipeline(sources=str(sources), warehouse=str(wh))
    assert record["releases"]["2024"]["status"] == "published"
    docs = Warehouse(wh).read("documents", [2024])
    assert len(docs) == 2 and (docs["status"] == "ok").all()
    row = docs.set_index("doc_id").loc[docs["doc_id"][docs["sha256"] == _sha(SEEDS[1])].iloc[0]]
    assert row["origins"] == ";".join(sorted([str(copy), str(sources / SEEDS[1].name)]))
    assert row["source_uri"] == row["origins"].split(";")[0]
    assert Warehouse(wh).read("published", [2024]).equals(Warehouse(built[2]).read("published", [2024]))


@pytest.mark.slow
def test_a_moved_sources_directory_is_the_same_documents_and_nightly_keeps_the_release(built, tmp_path):
    from flows.nightly import nightly_flow

    wh = tmp_path / "wh"
    first = sources_of(tmp_path, SEEDS, "old-place")
    assert nightly_flow(sources=str(first), warehouse=str(wh))["releases"]["2024"]["status"] == "published"
    published = Warehouse(wh).read("published", [2024])
    moved = tmp_path / "new-place"
    first.rename(moved)
    record = nightly_flow(sources=str(moved), warehouse=str(wh))
    assert record["releases"]["2024"]["status"] == "published"
    assert "known documents under a new path" in record["message"]
    assert Warehouse(wh).read("published", [2024]).equals(published)
    docs = Warehouse(wh).read("documents", [2024])
    assert len(docs) == 2 and all(o.startswith(str(moved)) for o in ";".join(docs["origins"]).split(";"))
    assert set(Warehouse(wh).read_json(STATE_FILE)["inputs"]) == {str(p) for p in moved.glob("*.txt")}
    series = (wh / "releases" / "series.csv")
    assert not series.exists() or len(series.read_text(encoding="utf-8").splitlines()) > 1
    assert nightly_flow(sources=str(moved), warehouse=str(wh))["outcome"] == "nothing to do"


@pytest.mark.slow
def test_a_shrinking_release_is_blocked_with_a_critical_alert_and_exit_code_1(built, tmp_path):
    from flows.cli import EXIT_NOT_PUBLISHED, main

    wh = _copy_warehouse(built, tmp_path)
    before = release_bytes(wh)
    fewer = sources_of(tmp_path, SEEDS[:1])
    code = main(["run", "--sources", str(fewer), "--warehouse", str(wh)])
    assert code == EXIT_NOT_PUBLISHED
    assert release_bytes(wh) == before                   # the current release stays, byte for byte
    found = Warehouse(wh).read("alerts", [2024])
    shrink = found[found["rule"] == "release_shrink"]
    assert list(shrink["severity"]) == ["critical"]
    lost_doc = _sha(SEEDS[1])[:16]
    assert "would remove" in shrink["evidence"].iloc[0] and lost_doc in shrink["evidence"].iloc[0]


@pytest.mark.slow
def test_accept_shrink_publishes_the_smaller_release_and_records_it(built, tmp_path):
    from flows.cli import EXIT_OK, main

    wh = _copy_warehouse(built, tmp_path)
    fewer = sources_of(tmp_path, SEEDS[:1])
    assert main(["run", "--sources", str(fewer), "--warehouse", str(wh), "--accept-shrink"]) == EXIT_OK
    published = Warehouse(wh).read("published", [2024])
    assert len(published) < len(Warehouse(built[2]).read("published", [2024]))
    assert not published["sources"].str.contains(_sha(SEEDS[1])[:16]).any()
    manifests = [Warehouse(wh).read_json(f"runs/{p.name}") for p in sorted((wh / "runs").glob("*.json"))]
    last = max(manifests, key=lambda m: m["started_at"])
    assert last["accept_shrink"] is True and last["releases"]["2024"]["shrink"]["lost_documents"]


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _frame_keys(frame: pd.DataFrame) -> set[tuple]:
    return set(frame[["indicator_id", "region", "period_year", "measure"]].itertuples(index=False, name=None))
