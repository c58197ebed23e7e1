"""What a run says about itself: a project-local Prefect home, absolute warehouse paths, names that say what ran,
and an annual run that names the release it waits for and when it looks again."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import REPO, SEEDS
from flows import prefect_home, run_names
from flows.nightly import waiting_for

QUIET = ("PREFECT_SERVER_ANALYTICS_ENABLED", "DO_NOT_TRACK", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")


def test_prefect_home_is_the_checkouts_unless_given():
    assert prefect_home.configure({}) == REPO / ".prefect"
    environ = {"PREFECT_HOME": "/srv/prefect-home"}
    assert prefect_home.configure(environ) == Path("/srv/prefect-home")
    assert environ["PREFECT_HOME"] == "/srv/prefect-home" and environ["DO_NOT_TRACK"] == "1"


def test_prefect_reads_the_home_configured_before_its_import(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_HOME"}
    code = ("from flows import prefect_home; prefect_home.configure(); "
            "from prefect.settings import PREFECT_HOME; print(PREFECT_HOME.value())")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == str(REPO / ".prefect")


def test_the_cli_settles_prefect_home_and_an_absolute_warehouse(monkeypatch, tmp_path):
    from flows import cli

    for key in QUIET:
        monkeypatch.setenv(key, os.environ.get(key, "x"))        # restored after the test
    monkeypatch.delenv("PREFECT_HOME")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wh").mkdir()
    seen = {}
    monkeypatch.setattr(cli, "_query", lambda args, console: seen.setdefault("warehouse", args.warehouse) and 0)
    cli.main(["query", "select 1", "--warehouse", "wh"])
    assert os.environ["PREFECT_HOME"] == str(REPO / ".prefect")
    assert seen["warehouse"] == str(tmp_path / "wh")


@pytest.mark.parametrize("years, label", [([2018, 2019, 2020, 2021, 2022, 2023, 2024], "2018-2024"),
                                          ([2021, 2019], "2019,2021"), ([2020], "2020")])
def test_years_label(years, label):
    assert run_names.years_label(years) == label


def test_dated_names_use_the_schedules_day():
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert run_names.dated("nightly")() == f"nightly {today}"


def test_annual_says_which_release_it_waits_for_and_when_it_looks_again():
    december = datetime(2026, 12, 2, 21, 0, tzinfo=timezone.utc)
    assert waiting_for(2025, False, december) == ("release 2025 is not published yet (no final bulletin); "
                                                 "the annual run looks again Mon 2027-07-05 10:00 Asia/Shanghai")
    assert waiting_for(2025, True, december, already=True) == (
        "release 2025 is already published; the next annual run, Mon 2027-07-05 10:00 Asia/Shanghai, "
        "looks for release 2026")
    july_run = datetime(2027, 7, 5, 2, 0, 30, tzinfo=timezone.utc)       # during the 10:00 run itself
    assert waiting_for(2026, False, july_run).endswith("looks again Mon 2027-07-12 10:00 Asia/Shanghai")


def flow_run_name(flow_run_id: str) -> str:
    import httpx
    from prefect.settings import PREFECT_API_URL

    return httpx.get(f"{PREFECT_API_URL.value()}/flow_runs/{flow_run_id}").json()["name"]


@pytest.mark.slow
def test_runs_are_named_for_what_they_ran_and_record_absolute_paths(prefect_harness, tmp_path, monkeypatch):
    from flows.backfill import backfill_flow
    from flows.nightly import annual_flow, nightly_flow
    from flows.pipeline import release_pipeline
    from tasks.store.warehouse import Warehouse

    monkeypatch.chdir(tmp_path)
    today = run_names.today().isoformat()
    record = release_pipeline(sources=str(SEEDS), warehouse="wh")
    assert flow_run_name(record["flow_run_id"]) == f"run {today}"
    assert record["warehouse"] == str(tmp_path / "wh")
    assert Warehouse(tmp_path / "wh").read_json(f"runs/{record['run_id']}.json")["warehouse"] == str(tmp_path / "wh")
    nightly = nightly_flow(sources=str(SEEDS), warehouse="wh")
    assert flow_run_name(nightly["flow_run_id"]) == f"nightly {today}"
    annual = annual_flow(sources=str(SEEDS), warehouse="wh", release_year=2024)
    assert flow_run_name(annual["flow_run_id"]) == f"annual {today} (release 2024)"
    backfill = backfill_flow(release_years=[2023, 2024], sources=str(SEEDS), warehouse="wh")
    assert flow_run_name(backfill["flow_run_id"]) == "backfill 2023-2024"
