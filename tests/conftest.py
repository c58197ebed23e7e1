"""Shared fixtures: an isolated PREFECT_HOME per session, one Prefect test harness, a real loopback server."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from flows.server import healthy, stop_server

# Set before anything imports prefect: every Prefect setting and database of this session lives here.
PREFECT_HOME = Path(tempfile.mkdtemp(prefix="bulletin-etl-prefect-home-"))
os.environ["PREFECT_HOME"] = str(PREFECT_HOME)
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("BULLETIN_ETL_ALERT_URLS", None)
os.environ.pop("BULLETIN_ETL_ALERT_BLOCK", None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"


def pytest_sessionfinish(session, exitstatus) -> None:
    shutil.rmtree(PREFECT_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test harness (temporary database and API server) for every test that runs a flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse directory of its own for each test (created by the first write)."""
    return tmp_path / "warehouse"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A writable copy of the two seed documents."""
    target = tmp_path / "sources"
    target.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(path, target / path.name)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(api_url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited with {process.returncode}")
        if healthy(api_url):
            return
        time.sleep(0.5)
    raise RuntimeError(f"prefect server at {api_url} not healthy after {timeout} s")


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> str:
    """A real `prefect server start` on a free loopback port with its own PREFECT_HOME and SQLite database."""
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home),
           "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home}/prefect.db",
           "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
           # schedule a year ahead (default 100 days), so the July-August annual runs exist in November too
           "PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME": "P400D",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "wb")   # test scaffolding, not pipeline code
    process = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(api_url, process, timeout=180)
        yield api_url
    finally:
        stop_server(process)
        log.close()
