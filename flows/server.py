"""A local Prefect server (SQLite, loopback) for `bulletin-etl serve`, started only when none is configured."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

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
    # no prompt (a terminal would get Prefect's profile question), and a session of its own: Ctrl-C in the terminal
    # reaches only `serve`, which stops the deployments first and this server after them (stop_server)
    process = subprocess.Popen([sys.executable, "-m", "prefect", "--no-prompt", "server", "start", "--host", host,
                                "--port", str(port), "--analytics-off"], env=environment, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    guard_servers()                               # a killed `serve` does not leave its server behind
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
    """Stop a server this process started (a second Ctrl-C or SIGTERM meanwhile does not interrupt the stop)."""
    if process is None or process.poll() is not None:
        return
    main = threading.current_thread() is threading.main_thread()
    held = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)} if main else {}
    try:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)


# ---- a killed run's temporary server dies with it ---------------------------------------------------------------
# Prefect's client starts its ephemeral API server itself (prefect.server.api.server.SubprocessASGIServer, a plain
# Popen of uvicorn), so no preexec_fn/PR_SET_PDEATHSIG can be put into it, and PDEATHSIG would fire when the
# *thread* that started the child ends. Instead each run process starts one small detached watchdog process: it
# notes this process's children that are Prefect servers and, once this process is gone (its parent pid changes,
# even after kill -9), terminates those it noted (same pid and start time, so a reused pid is never hit).
SERVER_MARKERS = ("prefect.server.api.server", "prefect server start")   # command lines of Prefect API servers
_watchdog: subprocess.Popen | None = None


def guard_servers() -> None:
    """Start (once per process, on Linux) the watchdog that stops this process's Prefect servers when it dies."""
    global _watchdog
    if _watchdog is not None or not os.path.isdir("/proc/self"):
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH", "")]))}
    known = _servers_of(os.getpid())          # noted now: this process may die before the watchdog's first look
    _watchdog = subprocess.Popen([sys.executable, "-c", f"from flows.server import watch; watch({os.getpid()}, "
                                  f"known={known!r})"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True, env=env)


def watch(parent: int, poll: float = 0.5, grace: float = 5.0, known: dict[int, str] | None = None) -> None:
    """Watchdog body: remember `parent`'s Prefect server children; when `parent` is gone, stop them."""
    seen: dict[int, str] = dict(known or {})
    while os.getppid() == parent:
        seen.update(_servers_of(parent))
        time.sleep(poll)
    alive = _signal(seen, 15)
    deadline = time.monotonic() + grace
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = {p: s for p, s in alive.items() if _processes_one(p) == s}
    _signal(alive, 9)


def _servers_of(parent: int) -> dict[int, str]:
    """pid -> start time of `parent`'s children that are Prefect API servers."""
    return {pid: started for pid, (ppid, started, command) in _processes().items()
            if ppid == parent and any(m in command for m in SERVER_MARKERS)}


def _signal(targets: dict[int, str], signum: int) -> dict[int, str]:
    """Send a signal to each process that is still the one noted (pid and start time); return those."""
    hit = {}
    for pid, started in targets.items():
        if _processes_one(pid) == started:
            try:
                os.kill(pid, signum)
                hit[pid] = started
            except ProcessLookupError:
                pass
    return hit


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, start time, command line) of every process readable in /proc."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat:
                out[int(entry)] = stat
    return out


def _processes_one(pid: int) -> str | None:
    stat = _stat(pid)
    return stat[1] if stat else None


def _stat(pid: int) -> tuple[int, str, str] | None:
    try:
        proc = Path("/proc") / str(pid)
        fields = (proc / "stat").read_bytes().rsplit(b")", 1)[1].split()
        command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return None
    return int(fields[1]), fields[19].decode(), command
