"""Fault injection for tests and drills: BULLETIN_ETL_STOP_AT=<point> makes the run SIGKILL itself there."""
from __future__ import annotations

import os
import signal

STOP_ENV = "BULLETIN_ETL_STOP_AT"
# stage boundaries of a run, in the order a run passes them (tests/test_faults.py kills the CLI at each one)
POINTS = ("after-collect", "after-snapshot-raw", "after-store-batch", "after-published", "after-release-files",
          "after-commit", "after-state")


def stop_at(point: str) -> None:
    """Die here without cleanup (kill -9) when the environment names this point; a no-op otherwise."""
    if point not in POINTS:
        raise ValueError(f"unknown stop point {point!r}; known: {', '.join(POINTS)}")
    if os.environ.get(STOP_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
