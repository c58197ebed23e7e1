"""Where a run's results are and how to reach them: absolute paths, and commands that work when pasted as printed
(the command as this process was started, e.g. .venv/bin/bulletin-etl when the venv is not activated)."""
from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

PROG = "bulletin-etl"


def command_prefix(argv0: str | None = None, executable: str | None = None) -> str:
    """How to call bulletin-etl again from this directory: the bare name only when PATH finds this very program."""
    argv0 = argv0 if argv0 is not None else sys.argv[0]
    program = Path(argv0) if Path(argv0).name == PROG else Path(executable or sys.executable).with_name(PROG)
    if not program.exists():
        return PROG
    program = program.absolute()
    found = shutil.which(PROG)
    if found and Path(found).resolve() == program.resolve():
        return PROG
    try:
        shown = program.relative_to(Path.cwd())
        return shlex.quote(str(shown) if shown.parent != Path(".") else f"./{shown}")
    except ValueError:
        return shlex.quote(str(program))


def result_paths(warehouse: Path, published: list[int]) -> list[tuple[str, Path]]:
    """(label, absolute path) of what a person opens: the report (the index when several releases were built),
    the newest built release's CSV, the warehouse; only files that exist."""
    root = Path(os.path.abspath(warehouse))
    releases = root / "releases"
    report = releases / f"{published[0]}" / "report.html" if len(published) == 1 else releases / "index.html"
    csv = releases / f"{max(published)}" / "indicators.csv" if published else releases / "series.csv"
    found = [("report", report), ("CSV", csv)]
    return [(label, path) for label, path in found if path.is_file()] + [("warehouse", root)]


def next_commands(prefix: str, warehouse: Path, published: list[int], run_id: str = "") -> list[str]:
    """Commands to look at the results (a release table, this run's alerts) with this warehouse."""
    flag = f"--warehouse {shlex.quote(str(warehouse))}"
    lines = [f"{prefix} show {max(published)} {flag}"] if published else []
    if run_id:
        lines.append(f"{prefix} query \"select * from alerts where run_id = '{run_id}'\" {flag}")
    return lines
