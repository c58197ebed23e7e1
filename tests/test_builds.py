"""A release is a build (#11): staged apart, made current in one rename, never mixed with another, rolled back."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest

from tasks.present.query import run_query
from tasks.store.builds import LEGACY_ID, BuildError
from tasks.store.warehouse import Warehouse

REPO = Path(__file__).resolve().parents[1]


def facts(value: float) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["d1"], "indicator_id": ["bmi.participants"], "region": ["CN"],
                         "period_year": [2024], "measure": ["level"], "value": [value], "unit": ["persons"],
                         "text": [f"{value}"], "span_start": [0], "span_end": [3], "qualifier": ["exact"]})


def published(value: float) -> pd.DataFrame:
    return pd.DataFrame({"indicator_id": ["bmi.participants"], "region": ["CN"], "period_year": [2024],
                         "measure": ["level"], "value": [value], "unit": ["persons"], "status": ["agreed"],
                         "n_sources": [1], "sources": ["d1"]})


def build(root: Path, run: str, value: float, keep: int = 3) -> dict:
    """One run's build of release 2024: facts, published and a release file that all say `value`."""
    wh = Warehouse(root, run=run)
    wh.write_partition("facts", 2024, facts(value))
    wh.write_partition("published", 2024, published(value))
    wh.write_release_file(2024, "indicators.csv", f"value\n{value}\n")
    return wh.commit_builds(keep)


def seen(root: Path) -> tuple[float, float, str]:
    """What a reader sees of release 2024: (facts value, published value, indicators.csv)."""
    wh = Warehouse(root)
    return (float(wh.read("facts", [2024])["value"].iloc[0]), float(wh.read("published", [2024])["value"].iloc[0]),
            (root / "releases" / "2024" / "indicators.csv").read_text())


def test_a_staged_build_is_invisible_until_it_is_committed_then_all_of_it_at_once(tmp_path):
    build(tmp_path, "r1", 1.0)
    staged = Warehouse(tmp_path, run="r2")
    staged.write_partition("facts", 2024, facts(2.0))
    assert seen(tmp_path) == (1.0, 1.0, "value\n1.0\n")                 # the new facts are not beside old rows
    assert float(staged.read("facts", [2024])["value"].iloc[0]) == 2.0   # the run itself reads what it staged
    staged.write_partition("published", 2024, published(2.0))
    staged.write_release_file(2024, "indicators.csv", "value\n2.0\n")
    assert seen(tmp_path) == (1.0, 1.0, "value\n1.0\n")
    assert staged.commit_builds() == {2024: "r2"}
    assert seen(tmp_path) == (2.0, 2.0, "value\n2.0\n")
    assert os.readlink(tmp_path / "current" / "release_year=2024") == "../builds/release_year=2024/r2"


def test_the_contract_paths_follow_the_current_build_for_any_reader(tmp_path):
    build(tmp_path, "r1", 1.0)
    build(tmp_path, "r2", 2.0)
    table = ds.dataset(tmp_path / "published", partitioning="hive").to_table().to_pandas()
    assert table["value"].tolist() == [2.0] and table["release_year"].tolist() == [2024]
    part = tmp_path / "published" / "release_year=2024" / "part-0.parquet"
    assert part.is_symlink() and not part.parent.is_symlink()           # also found by rglob (score.py)
    assert sorted(p.name for p in (tmp_path / "releases").rglob("*.csv")) == ["indicators.csv"]
    views = run_query(tmp_path, "select f.value as f, p.value as p, p.release_year from facts f join published p "
                                "using (indicator_id, release_year)")
    assert views.to_dict("records") == [{"f": 2.0, "p": 2.0, "release_year": 2024}]


def test_a_discarded_build_leaves_the_current_one_whole(tmp_path):
    build(tmp_path, "r1", 1.0)
    blocked = Warehouse(tmp_path, run="r2")
    blocked.write_partition("facts", 2024, facts(2.0))
    blocked.discard_build(2024)
    blocked.write_partition("alerts", 2024, pd.DataFrame({"severity": ["critical"], "rule": ["blocked"],
                                                          "run_id": ["r2"]}))
    assert blocked.commit_builds() == {2024: "r2"}
    assert seen(tmp_path) == (1.0, 1.0, "value\n1.0\n")                   # old facts with their published rows
    assert Warehouse(tmp_path).read("alerts", [2024])["rule"].tolist() == ["blocked"]


def test_an_unchanged_build_is_not_made_again(tmp_path):
    assert build(tmp_path, "r1", 1.0) == {2024: "r1"}
    assert build(tmp_path, "r2", 1.0) == {2024: None}
    assert Warehouse(tmp_path).builds.list(2024) == ["r1"]
    assert not list((tmp_path / "builds" / "release_year=2024").glob(".*"))


def test_rollback_restores_the_previous_builds_bytes_and_to_names_one(tmp_path):
    build(tmp_path, "r1", 1.0)
    first = (tmp_path / "published" / "release_year=2024" / "part-0.parquet").read_bytes()
    build(tmp_path, "r2", 2.0)
    build(tmp_path, "r3", 3.0)
    builds = Warehouse(tmp_path).builds
    assert builds.rollback(2024) == "r2" and seen(tmp_path)[:2] == (2.0, 2.0)
    assert builds.rollback(2024) == "r1"
    assert (tmp_path / "published" / "release_year=2024" / "part-0.parquet").read_bytes() == first
    assert seen(tmp_path) == (1.0, 1.0, "value\n1.0\n")
    with pytest.raises(BuildError, match="no build before"):
        builds.rollback(2024)
    assert builds.rollback(2024, to="r3") == "r3" and seen(tmp_path)[0] == 3.0
    with pytest.raises(BuildError, match="no build 'r9'"):
        builds.rollback(2024, to="r9")


def test_old_builds_are_pruned_to_the_count_never_the_current_one(tmp_path):
    for n in range(1, 6):
        build(tmp_path, f"r{n}", float(n), keep=2)
    builds = Warehouse(tmp_path).builds
    assert builds.list(2024) == ["r4", "r5"] and builds.current_id(2024) == "r5"
    assert builds.rollback(2024) == "r4" and builds.prune(2024, keep=1) == ["r5"]   # never the current one
    assert builds.list(2024) == ["r4"]
    build(tmp_path, "r5", 5.0, keep=2)
    build(tmp_path, "r6", 6.0, keep=2)
    assert builds.list(2024) == ["r5", "r6"]          # the newest builds stay, whichever was current


def test_a_warehouse_written_before_builds_is_adopted_unchanged_then_built(tmp_path):
    legacy = Warehouse(tmp_path)
    legacy.write_partition("facts", 2024, facts(1.0))
    legacy.write_partition("published", 2024, published(1.0))
    legacy.write_release_file(2024, "indicators.csv", "value\n1.0\n")
    assert not (tmp_path / "published" / "release_year=2024").is_symlink()
    build(tmp_path, "r2", 2.0)
    assert seen(tmp_path) == (2.0, 2.0, "value\n2.0\n")
    assert Warehouse(tmp_path).builds.list(2024) == [LEGACY_ID, "r2"]
    Warehouse(tmp_path).builds.rollback(2024)
    assert seen(tmp_path) == (1.0, 1.0, "value\n1.0\n")


KILLED_WRITER = """
import os, signal, sys
sys.path.insert(0, {repo!r})
from tests.test_builds import facts, published
from tasks.store.warehouse import Warehouse
wh = Warehouse({root!r}, run="r2")
wh.write_partition("facts", 2024, facts(2.0))
if {stop!r} == "after-facts":
    os.kill(os.getpid(), signal.SIGKILL)
wh.write_partition("published", 2024, published(2.0))
wh.write_release_file(2024, "indicators.csv", "value\\n2.0\\n")
if {stop!r} == "before-commit":
    os.kill(os.getpid(), signal.SIGKILL)
wh.commit_builds()
"""


@pytest.mark.parametrize("stop", ["after-facts", "before-commit"])
def test_a_writer_killed_mid_build_leaves_the_previous_build_current_and_the_next_converges(tmp_path, stop):
    build(tmp_path, "r1", 1.0)
    before = seen(tmp_path)
    code = KILLED_WRITER.format(repo=str(REPO), root=str(tmp_path), stop=stop)
    killed = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert list((tmp_path / "builds" / "release_year=2024").glob(".tmp-*"))    # its staged build was left behind
    assert seen(tmp_path) == before
    clean = tmp_path / "clean"
    build(clean, "r1", 1.0)
    build(clean, "r3", 2.0)
    build(tmp_path, "r3", 2.0)
    assert not list((tmp_path / "builds" / "release_year=2024").glob(".tmp-*"))  # the dead writer's is removed
    for path in ("published/release_year=2024/part-0.parquet", "facts/release_year=2024/part-0.parquet",
                 "releases/2024/indicators.csv"):
        assert (tmp_path / path).read_bytes() == (clean / path).read_bytes(), path


def test_copies_of_a_warehouse_keep_their_links_relative(tmp_path):
    build(tmp_path / "a", "r1", 1.0)
    shutil.copytree(tmp_path / "a", tmp_path / "b", symlinks=True)
    build(tmp_path / "b", "r2", 2.0)
    assert seen(tmp_path / "a")[0] == 1.0 and seen(tmp_path / "b")[0] == 2.0


# ---- the real command line, killed (slow: each starts Prefect) ----------------------------------------------------
def build_bytes(root: Path) -> dict[str, bytes]:
    """Every file a reader of the contract paths sees of a release (Data Docs and validation.html name the run)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for top in ("documents", "facts", "unattributed", "published", "releases/2024")
            for p in sorted((root / top).rglob("*"))
            if p.is_file() and "datadocs" not in p.parts and p.name != "validation.html"}


@pytest.mark.slow
@pytest.mark.parametrize("point", ["after-store-batch", "after-published", "after-release-files"])
def test_a_release_killed_before_its_commit_leaves_the_whole_previous_build_current(base, tmp_path, point):
    from tests.test_faults import KILLED, cli

    _, before, both = base
    wh = tmp_path / "wh"
    shutil.copytree(before, wh, symlinks=True)
    killed = cli("nightly", "--sources", str(both), "--warehouse", str(wh), stop_at=point)
    assert killed.returncode == KILLED, killed.stdout + killed.stderr
    assert build_bytes(wh) == build_bytes(before)          # facts, documents and published rows all of the old build
    assert Warehouse(wh).builds.current_id(2024) == Warehouse(before).builds.current_id(2024)
    assert list((wh / "builds" / "release_year=2024").glob(".tmp-*"))      # what it staged never became visible
    assert run_query(wh, "select count(*) as n from published")["n"].iloc[0] == len(
        Warehouse(before).read("published", [2024]))


@pytest.mark.slow
def test_rollback_on_the_command_line_restores_the_previous_published_bytes(base, tmp_path):
    from tests.test_faults import cli

    _, before, both = base
    wh = tmp_path / "wh"
    shutil.copytree(before, wh, symlinks=True)
    old = build_bytes(wh)
    done = cli("nightly", "--sources", str(both), "--warehouse", str(wh))
    assert done.returncode == 0, done.stdout + done.stderr
    assert build_bytes(wh) != old and len(Warehouse(wh).builds.list(2024)) == 2
    back = cli("rollback", "2024", "--warehouse", str(wh))
    assert back.returncode == 0, back.stdout + back.stderr
    assert build_bytes(wh) == old
    assert cli("rollback", "2024", "--warehouse", str(wh)).returncode == 2     # nothing before the first build


from tests.test_faults import base  # noqa: E402,F401  (the module fixture: release 2024 from one seed)
