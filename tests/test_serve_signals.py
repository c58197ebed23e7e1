"""`bulletin-etl serve` in a real terminal: one Ctrl-C or one SIGTERM stops deployments and server, exit 0, quietly."""
from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from conftest import SEEDS, free_port
from flows.server import healthy

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).with_name("bulletin-etl")
READY = b"Ctrl-C stops them"


def _controlling_terminal() -> None:
    """In the child: make the pty (its stdin) the controlling terminal of its new session, as a shell does."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """`bulletin-etl serve` with a pseudo-terminal as its controlling terminal; collects everything it prints."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen([str(BIN), *args], stdin=slave, stdout=slave, stderr=slave, env=env,
                                        cwd=cwd, start_new_session=True, preexec_fn=_controlling_terminal)
        os.close(slave)
        self.output = b""

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if not ready:
                if self.process.poll() is not None:
                    return
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:          # the other end closed: every process on the terminal is gone
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for(self, text: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output and self.process.poll() is None and time.monotonic() < deadline:
            self.read(1.0)
        assert text in self.output, self.text()

    def wait_exit(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.5)
        self.read(0.5)
        return self.process.poll()

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_one_ctrl_c_or_sigterm_stops_serve_cleanly(stop, tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    terminal = Terminal(["serve", "--port", str(port), "--sources", str(SEEDS), "--warehouse",
                         str(tmp_path / "wh")], env, tmp_path)
    try:
        terminal.wait_for(READY, timeout=240)
        assert healthy(api)
        terminal.read(3.0)                               # a few polling cycles of the runner
        if stop == "ctrl-c":
            os.write(terminal.master, b"\x03")           # the terminal turns it into SIGINT for its foreground group
        else:
            terminal.process.send_signal(signal.SIGTERM)
        code = terminal.wait_exit(timeout=60)
        assert code == 0, terminal.text()
        assert "Traceback" not in terminal.text() and "never awaited" not in terminal.text(), terminal.text()
        assert "Stopping" in terminal.text()
        assert not healthy(api), "the server outlived serve"
    finally:
        terminal.close()
