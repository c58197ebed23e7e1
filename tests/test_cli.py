"""The `bulletin-etl` command: in-process under the harness, and as real processes (ephemeral API, real server)."""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SEEDS
from flows.cli import EXIT_LOCKED, EXIT_OK, EXIT_USAGE, build_parser, main
from tasks.store.warehouse import Warehouse

BIN = Path(sys.executable).with_name("bulletin-etl")


def test_parser_knows_every_command():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == {"run", "nightly", "annual", "backfill", "serve", "query", "show", "status",
                               "rollback"}
    args = build_parser().parse_args(["run"])
    assert (args.sources, args.warehouse, args.lock_timeout) == (None, "warehouse", 0.0)   # None: seeds


@pytest.fixture(scope="module")
def cli_warehouse(prefect_harness, tmp_path_factory):
    """`bulletin-etl run` in-process on the seeds: (warehouse, exit code, what it printed)."""
    root = tmp_path_factory.mktemp("cli") / "warehouse"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["run", "--sources", str(SEEDS), "--warehouse", str(root), "--release-year", "2024"])
    return root, code, printed.getvalue()


@pytest.mark.slow
def test_run_prints_releases_statuses_and_alerts(cli_warehouse):
    root, code, out = cli_warehouse
    assert code == EXIT_OK and Warehouse(root).release_years("published") == [2024]
    assert "2024" in out and "published" in out and "alerts:" in out and "completed" in out


@pytest.mark.slow
def test_locked_warehouse_refuses_the_run_with_the_holder(cli_warehouse, capsys):
    root, _, _ = cli_warehouse
    with Warehouse(root).lock():
        code = main(["run", "--sources", str(SEEDS), "--warehouse", str(root)])
    out = capsys.readouterr().out
    assert code == EXIT_LOCKED
    assert "refused:" in out and "warehouse is locked" in out and f"pid {os.getpid()}" in out


@pytest.mark.slow
def test_backfill_of_a_finished_release_skips_it_with_a_progress_bar(cli_warehouse, capsys):
    root, _, _ = cli_warehouse
    code = main(["backfill", "2024", "--sources", str(SEEDS), "--warehouse", str(root)])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert "backfill" in out and "1/1" in out and "skipped (already published)" in out


def test_backfill_with_bad_years_is_a_usage_error(capsys):
    assert main(["backfill", "2024-2020", "--warehouse", "unused"]) == EXIT_USAGE
    assert "runs backwards" in capsys.readouterr().out


@pytest.mark.slow
def test_show_and_query_read_the_warehouse(cli_warehouse, capsys):
    root, _, _ = cli_warehouse
    assert main(["show", "2024", "--warehouse", str(root)]) == EXIT_OK
    assert "Release 2024" in capsys.readouterr().out
    sql = "select count(*) as n from published where release_year = 2024"
    assert main(["query", sql, "--warehouse", str(root), "--format", "csv"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines()[0] == "n"


def cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([str(BIN), *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


@pytest.mark.slow
def test_console_command_runs_with_the_ephemeral_api_by_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    process = cli(["run", "--sources", str(SEEDS), "--warehouse", str(tmp_path / "wh"), "--log-level", "info"], env,
                  REPO)
    out, _ = process.communicate(timeout=600)
    assert process.returncode == EXIT_OK, out[-3000:]
    assert "Starting temporary server" in out and "published" in out
    assert (tmp_path / "wh" / "releases" / "2024" / "indicators.csv").is_file()


def running_flow_runs(api_url: str, flow_name: str) -> int:
    import httpx

    body = {"flows": {"name": {"any_": [flow_name]}}, "flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}}}
    return len(httpx.post(f"{api_url}/flow_runs/filter", json=body).json())


@pytest.mark.slow
def test_concurrent_runs_report_to_the_server_wait_for_the_lock_and_both_complete(prefect_server, tmp_path):
    import httpx

    root = tmp_path / "wh"
    env = {**os.environ, "PREFECT_API_URL": prefect_server}
    args = ["run", "--sources", str(SEEDS), "--warehouse", str(root), "--lock-timeout", "300"]
    with Warehouse(root).lock():            # both runs start while the warehouse is busy
        processes = [cli(args, env, REPO) for _ in range(2)]
        deadline = time.monotonic() + 300
        while running_flow_runs(prefect_server, "bulletin-release") < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(1.0)
    outputs = [p.communicate(timeout=600)[0] for p in processes]
    assert [p.returncode for p in processes] == [EXIT_OK, EXIT_OK], outputs
    for out in outputs:
        assert f"is held by pid {os.getpid()}" in out and "Waiting up to 300 s" in out, out[-3000:]
        assert "Starting temporary server" not in out
    body = {"flows": {"name": {"any_": ["bulletin-release"]}}, "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}
    assert len(httpx.post(f"{prefect_server}/flow_runs/filter", json=body).json()) >= 2
    assert len(Warehouse(root).read("published", [2024])) > 0
    assert len(list((root / "runs").glob("*.json"))) == 2 and not list(root.rglob(".tmp-*"))


@pytest.mark.parametrize("args, message", [
    (["query", "select * from nowhere"], "empty: no such warehouse directory"),
    (["show", "2024"], "empty: no such warehouse directory"),
    (["run", "--sources", "missing.yml"], "missing.yml: no such directory or sources file"),
    (["nightly", "--keep-builds", "0"], "--keep-builds must be at least 1"),
    (["backfill", "2024", "--keep-builds", "0"], "--keep-builds must be at least 1"),
])
def test_bad_queries_and_sources_are_clear_errors(tmp_path, capsys, args, message, prefect_harness):
    assert main([*args, "--warehouse", str(tmp_path / "empty")]) == EXIT_USAGE
    assert message in capsys.readouterr().out
    assert not (tmp_path / "empty").exists()
