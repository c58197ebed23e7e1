"""What an operator sees (issue #12): combined --sources, one-line errors before Prefect starts, and at 80 columns
a readable summary that ends with absolute result paths and commands that work as printed."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SEEDS
from flows import where
from flows.cli import EXIT_LOCKED, EXIT_OK, EXIT_USAGE
from tasks.ingest.sources import SourcesError, resolve_sources
from tasks.store.warehouse import Warehouse

BIN = Path(sys.executable).with_name("bulletin-etl")
ENV80 = {**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}, "COLUMNS": "80"}
PROBE = "import sys; from flows.cli import main; rc = main(sys.argv[1:]); print('prefect imported:', 'prefect' in sys.modules); raise SystemExit(rc)"


def probe(args: list[str], cwd: Path = REPO) -> subprocess.CompletedProcess:
    """The CLI in a fresh interpreter; it reports whether Prefect was imported on the way."""
    return subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=ENV80, capture_output=True, text=True,
                          timeout=120)


def test_sources_combine_directories_files_and_sources_files(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "one.txt").write_text("x", encoding="utf-8")
    (tmp_path / "s.yml").write_text("directories: [docs]\nurls: [https://example.org/a.html]\n", encoding="utf-8")
    config = resolve_sources([str(SEEDS), str(tmp_path / "one.txt"), str(tmp_path / "s.yml")])
    assert config.directories == (SEEDS, tmp_path / "docs") and config.files == (tmp_path / "one.txt",)
    assert config.urls == ("https://example.org/a.html",) and config.origin.count(" + ") == 2
    joined = os.pathsep.join([str(SEEDS), str(tmp_path / "one.txt")])       # how a flow parameter names several
    assert resolve_sources(joined).files == (tmp_path / "one.txt",)
    (tmp_path / "t.yml").write_text("fetch: {timeout: 5}\n", encoding="utf-8")
    (tmp_path / "u.yml").write_text("fetch: {timeout: 9}\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="different fetch settings"):
        resolve_sources([str(tmp_path / "t.yml"), str(tmp_path / "u.yml")])
    (tmp_path / "x.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="not a document"):
        resolve_sources([str(SEEDS), str(tmp_path / "x.csv")])


def test_repeated_sources_are_all_kept_by_the_parser():
    from flows.cli import build_parser

    args = build_parser().parse_args(["run", "--sources", "a", "--sources", "b.yml", "--quiet", "--log-level", "info"])
    assert args.sources == ["a", "b.yml"] and args.quiet and args.log_level == "INFO"


@pytest.mark.parametrize("args, code, message", [
    (["run", "--sources", "seedz"], EXIT_USAGE, "error: seedz: no such directory or sources file"),
    (["run", "--sources", "seeds", "--sources", "nope.yml"], EXIT_USAGE, "error: nope.yml: no such directory"),
    (["backfill", "2024-2020"], EXIT_USAGE, "error: range '2024-2020' runs backwards"),
    (["show", "2024", "--warehouse", "/nonexistent"], EXIT_USAGE, "error: /nonexistent: no such warehouse directory"),
    (["query", "select 1", "--warehouse", "/nonexistent"], EXIT_USAGE, "error: /nonexistent: no such warehouse"),
])
def test_bad_arguments_are_one_line_before_prefect_starts(args, code, message, tmp_path):
    done = probe([*args, "--warehouse", str(tmp_path / "wh")] if "--warehouse" not in args else args)
    lines = done.stdout.splitlines()
    assert done.returncode == code, done.stdout + done.stderr
    assert lines[0].startswith(message) and lines[1:] == ["prefect imported: False"], done.stdout
    assert not done.stderr and not (tmp_path / "wh").exists()


def test_show_on_an_empty_warehouse_names_the_missing_release_not_a_catalog_error(tmp_path):
    done = probe(["show", "2024", "--warehouse", str(tmp_path)])
    assert done.returncode == EXIT_USAGE and "Catalog Error" not in done.stdout
    assert done.stdout.startswith("error: no published release 2024 under")


def test_a_locked_warehouse_is_refused_in_one_line_without_a_traceback(tmp_path):
    with Warehouse(tmp_path).lock():
        done = probe(["run", "--sources", str(SEEDS), "--warehouse", str(tmp_path)])
    assert done.returncode == EXIT_LOCKED, done.stdout + done.stderr
    assert done.stdout.startswith("refused: warehouse is locked") and f"pid {os.getpid()}" in done.stdout
    assert done.stdout.splitlines()[1:] == ["prefect imported: False"] and "Traceback" not in done.stderr


def test_printed_commands_call_the_program_that_ran(tmp_path, monkeypatch):
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "bulletin-etl").write_text("#!/bin/sh\n", encoding="utf-8")
    (venv_bin / "bulletin-etl").chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert where.command_prefix(str(venv_bin / "bulletin-etl")) == "venv/bin/bulletin-etl"
    assert where.command_prefix("pytest", str(venv_bin / "python")) == "venv/bin/bulletin-etl"
    monkeypatch.setenv("PATH", str(venv_bin))
    assert where.command_prefix(str(venv_bin / "bulletin-etl")) == "bulletin-etl"
    lines = where.next_commands("venv/bin/bulletin-etl", Path("wh"), [2024], "r1")
    assert lines[0] == "venv/bin/bulletin-etl show 2024 --warehouse wh" and "run_id = 'r1'" in lines[1]


@pytest.fixture(scope="module")
def run80(tmp_path_factory):
    """`.venv/bin/bulletin-etl run` from the repo at 80 columns over two --sources (the two seed files)."""
    root = tmp_path_factory.mktemp("run80") / "wh"
    files = sorted(SEEDS.glob("*.txt"))
    args = [str(BIN.relative_to(REPO)), "run", "--warehouse", str(root)]
    for path in files:
        args += ["--sources", str(path)]
    done = subprocess.run(args, cwd=REPO, env=ENV80, capture_output=True, text=True, timeout=900)
    return root, done


@pytest.mark.slow
def test_a_run_at_80_columns_is_readable_and_says_where_the_results_are(run80):
    root, done = run80
    out = done.stdout
    assert done.returncode == EXIT_OK, out + done.stderr[-3000:]
    assert Warehouse(root).release_years("published") == [2024]
    assert "Created temporary directory" not in out + done.stderr and "Finished in state" not in out
    assert "run run" not in out and f"bulletin-etl run 2" in out
    table = [line for line in out.splitlines() if "release" in line and "status" in line]
    assert table and all(len(line.rstrip()) <= 80 for line in out.splitlines() if "…" in line or line in table)
    assert "…" not in out and "quar." in out and "single_source" in out
    assert f"report     {root.resolve()}/releases/2024/report.html" in out
    assert f"CSV        {root.resolve()}/releases/2024/indicators.csv" in out
    assert f"warehouse  {root.resolve()}" in out
    show = next(line.strip() for line in out.splitlines() if " show 2024 " in line)
    assert show.startswith(".venv/bin/bulletin-etl show 2024")
    shown = subprocess.run(shlex.split(show), cwd=REPO, env=ENV80, capture_output=True, text=True, timeout=120)
    assert shown.returncode == EXIT_OK and "Release 2024" in shown.stdout
    query = next(line.strip() for line in out.splitlines() if " query " in line)
    queried = subprocess.run(shlex.split(query) + ["--format", "csv"], cwd=REPO, env=ENV80, capture_output=True,
                             text=True, timeout=120)
    assert queried.returncode == EXIT_OK and len(queried.stdout.splitlines()) > 1


@pytest.mark.slow
def test_a_quiet_nightly_with_nothing_to_do_says_so_once(run80):
    root, _ = run80
    files = sorted(SEEDS.glob("*.txt"))
    args = [str(BIN), "nightly", "--warehouse", str(root), "--quiet"]
    for path in files:
        args += ["--sources", str(path)]
    for _ in range(2):          # the first converges (versions may have moved since run80); the second finds nothing
        done = subprocess.run(args, cwd=REPO, env=ENV80, capture_output=True, text=True, timeout=600)
        assert done.returncode == EXIT_OK, done.stdout + done.stderr[-3000:]
    assert done.stdout.count("nothing to do") == 1 and not done.stderr.strip()
    assert "run run" not in done.stdout and "nothing extracted" in done.stdout
