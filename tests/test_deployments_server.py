"""The deployments against a real Prefect server on loopback: registered, scheduled, runnable with parameters."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tasks.store.warehouse import Warehouse

pytestmark = pytest.mark.slow
SHANGHAI = ZoneInfo("Asia/Shanghai")
BIN = Path(sys.executable).with_name("bulletin-etl")


def until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(1.0)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def api_post(url: str, body: dict) -> httpx.Response:
    """POST like Prefect's own client: a busy SQLite-backed server answers 503 or late; both are retried."""
    for attempt in range(6):
        try:
            response = httpx.post(url, json=body, timeout=60)
        except httpx.TimeoutException:
            if attempt == 5:
                raise
            continue
        if response.status_code != 503:
            return response
        time.sleep(1.0)
    return response


@pytest.fixture(scope="module")
def served(prefect_server, tmp_path_factory, seeds_module):
    """`bulletin-etl serve --no-server` against the test server: (api, deployments by name, warehouse)."""
    base = tmp_path_factory.mktemp("served")
    env = {**os.environ, "PREFECT_API_URL": prefect_server, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    log = open(base / "serve.log", "wb")      # test scaffolding: the serving process's output
    process = subprocess.Popen([str(BIN), "serve", "--no-server", "--sources", str(seeds_module),
                                "--warehouse", str(base / "wh")], env=env, stdout=log, stderr=subprocess.STDOUT)

    def deployments():
        found = api_post(f"{prefect_server}/deployments/filter", {}).json()
        return {d["name"]: d for d in found} if len(found) >= 3 else None

    try:
        yield prefect_server, until(deployments, 180, "three deployments"), base / "wh"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def seeds_module(tmp_path_factory):
    import shutil

    from conftest import SEEDS

    target = tmp_path_factory.mktemp("served-sources")
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, target / path.name)
    return target


def test_deployments_register_with_validated_described_parameters(served):
    _, deployments, _ = served
    assert set(deployments) == {"nightly", "annual", "backfill"}
    for name, deployment in deployments.items():
        assert deployment["enforce_parameter_schema"] is True, name
        properties = deployment["parameter_openapi_schema"]["properties"]
        assert all(p.get("description") for p in properties.values()), (name, properties)
        assert deployment["entrypoint"].startswith("flows."), deployment["entrypoint"]
    assert deployments["backfill"]["parameter_openapi_schema"]["required"] == ["release_years"]
    assert deployments["backfill"]["schedules"] == []


@pytest.mark.parametrize("name, cron", [("nightly", "30 2 * * *"), ("annual", "0 10 * 7,8 1")])
def test_schedules_are_cron_in_shanghai_time(served, name, cron):
    _, deployments, _ = served
    [schedule] = deployments[name]["schedules"]
    assert schedule["schedule"]["cron"] == cron and schedule["schedule"]["timezone"] == "Asia/Shanghai"
    assert schedule["active"] is True


def expected_nightly(after: datetime, n: int) -> list[datetime]:
    day = after.astimezone(SHANGHAI).replace(hour=2, minute=30, second=0, microsecond=0)
    day = day if day > after else day + timedelta(days=1)
    return [day + timedelta(days=i) for i in range(n)]


def expected_annual(after: datetime, n: int) -> list[datetime]:
    found, day = [], after.astimezone(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0)
    while len(found) < n:
        if day.month in (7, 8) and day.weekday() == 0 and day > after:
            found.append(day)
        day += timedelta(days=1)
    return found


@pytest.mark.parametrize("name, expected", [("nightly", expected_nightly), ("annual", expected_annual)])
def test_scheduler_creates_runs_at_the_expected_times(served, name, expected):
    api, deployments, _ = served
    body = {"deployments": {"id": {"any_": [deployments[name]["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}, "sort": "EXPECTED_START_TIME_ASC"}
    runs = until(lambda: api_post(f"{api}/flow_runs/filter", body).json(), 60, f"scheduled {name} runs")
    times = [datetime.fromisoformat(r["expected_start_time"]) for r in runs]
    created = datetime.fromisoformat(deployments[name]["created"])
    assert times == expected(created, len(times))
    assert all(t.astimezone(SHANGHAI).hour in (2, 10) for t in times)


def test_triggered_backfill_run_with_parameters_completes(served):
    api, deployments, warehouse = served
    deployment_id = deployments["backfill"]["id"]
    run = api_post(f"{api}/deployments/{deployment_id}/create_flow_run",
                   {"parameters": {"release_years": [2024], "parallel": 1}})
    assert run.status_code == 201, run.text

    def finished():
        state = httpx.get(f"{api}/flow_runs/{run.json()['id']}").json()["state"]
        return state if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

    state = until(finished, 300, "the backfill run to finish")
    assert state["type"] == "COMPLETED", state
    assert Warehouse(warehouse).release_years("published") == [2024]


def test_parameters_that_break_the_schema_are_refused(served):
    api, deployments, _ = served
    response = api_post(f"{api}/deployments/{deployments['backfill']['id']}/create_flow_run",
                        {"parameters": {"release_years": "soon"}})
    assert response.status_code in (409, 422) and "release_years" in response.text
