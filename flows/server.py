"""A local Prefect server (SQLite, loopback) for `bulletin-etl serve`, started only when none is configured."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx


class ServerError(RuntimeError):
    """The local Prefect server did not come up."""


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers /health at this URL."""
    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def start_server(host: str = "127.0.0.1", port: int = 4200, wait: float = 180.0,
                 env: dict[str, str] | None = None) -> tuple[str, subprocess.Popen | None]:
    """The API URL of a server on host:port, starting `prefect server start` there if none answers yet."""
    api_url = f"http://{host}:{port}/api"
    if healthy(api_url):
        return api_url, None
    environment = {**os.environ, **(env or {})}
    environment.pop("PREFECT_API_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", host,
                                "--port", str(port), "--analytics-off"], env=environment)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"prefect server exited with code {process.returncode} (is port {port} free?)")
        if healthy(api_url):
            return api_url, process
        time.sleep(0.5)
    stop_server(process)
    raise ServerError(f"prefect server did not answer {api_url}/health within {wait:g} s")


def stop_server(process: subprocess.Popen | None) -> None:
    """Stop a server this process started."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
