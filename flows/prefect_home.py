"""Where Prefect keeps its profiles and SQLite database: in this checkout, not in ~/.prefect shared by all of them."""
from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_home(cwd: Path | None = None) -> Path:
    """<checkout>/.prefect when running from a source checkout, else .prefect in the working directory."""
    base = ROOT if (ROOT / "pyproject.toml").is_file() else (cwd or Path.cwd())
    return base / ".prefect"


def configure(environ: MutableMapping[str, str] = os.environ) -> Path:
    """Settle PREFECT_HOME (an explicit PREFECT_HOME wins) and the quiet defaults; call before prefect is imported,
    which reads them once (flow-run and server subprocesses inherit them)."""
    home = Path(environ.get("PREFECT_HOME") or default_home()).expanduser().resolve()
    environ["PREFECT_HOME"] = str(home)
    environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")   # a data pipeline does not phone home
    environ.setdefault("DO_NOT_TRACK", "1")                          # nor does Prefect's client (first-run notice)
    # the first ephemeral API start on a machine migrates its SQLite database: Prefect's 20 s default is too short
    environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    return home
