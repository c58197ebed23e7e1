"""README's walkthrough, run as printed in a fresh clone: every command exits 0 and prints what README says."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow
START, END = "<!-- walkthrough:start -->", "<!-- walkthrough:end -->"
PRINTS = re.compile(r"^#\s*prints:\s*(?P<text>.+?)\s*$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STAMP = REPO / ".venv" / ".installed"


def walkthrough(readme: str) -> list[tuple[str, list[str]]]:
    """(command, texts it prints) from the fenced shell blocks between the walkthrough markers, in order."""
    assert readme.count(START) == 1 and readme.count(END) == 1, "README needs one delimited walkthrough section"
    section = readme.split(START, 1)[1].split(END, 1)[0]
    blocks = re.findall(r"^```(?:sh|bash|shell|console)\s*\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
    steps: list[tuple[str, list[str]]] = []
    pending = ""
    for line in "\n".join(blocks).splitlines():
        stripped = line.strip()
        if pending:
            pending += "\n" + line
        elif (said := PRINTS.match(stripped)) and steps:
            steps[-1][1].append(said["text"])
            continue
        elif not stripped or stripped.startswith("#"):
            continue
        else:
            pending = line
        if not pending.rstrip().endswith("\\"):
            steps.append((pending, []))
            pending = ""
    assert steps, "README's walkthrough has no commands"
    return steps


def test_walkthrough_is_parsed_from_the_delimited_section():
    steps = walkthrough(f"x\n```sh\nnot this\n```\n{START}\n```sh\nmake run   # builds\n# prints: published\n"
                        f"bulletin-etl query \"select 1\" \\\n  --format csv\n# a remark\n```\n{END}\n")
    assert steps == [("make run   # builds", ["published"]), ('bulletin-etl query "select 1" \\\n  --format csv', [])]


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A fresh clone of the repository with the installed .venv beside it (nothing is reinstalled)."""
    if not STAMP.is_file():
        pytest.skip(f"{STAMP} missing: run `make install` first (the walkthrough reuses the installed .venv)")
    root = tmp_path_factory.mktemp("walkthrough") / "repo"
    subprocess.run(["git", "clone", "-q", str(REPO), str(root)], check=True, timeout=120)
    (root / ".venv").symlink_to(REPO / ".venv")
    older = STAMP.stat().st_mtime - 60            # the install stamp is newer than the clone's dependency files
    for name in ("pyproject.toml", "requirements.lock"):
        os.utime(root / name, (older, older))
    return root


def test_readme_walkthrough_runs_as_printed(clone):
    steps = walkthrough((REPO / "README.md").read_text(encoding="utf-8"))     # README as it is now
    env = {**os.environ, "PATH": f"{clone / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "VIRTUAL_ENV": str(clone / ".venv"), "PYTHONPATH": str(clone),   # the clone's code, not the editable one
           "COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("PREFECT_API_URL", None)
    for command, texts in steps:
        out = subprocess.run(command, shell=True, executable="/bin/bash", cwd=clone, env=env, capture_output=True,
                             text=True, timeout=1200)
        shown = f"$ {command}\n--- stdout\n{out.stdout[-4000:]}\n--- stderr\n{out.stderr[-4000:]}"
        assert out.returncode == 0, f"exit {out.returncode}\n{shown}"
        stdout = ANSI.sub("", out.stdout)
        for text in texts:
            assert text in stdout, f"README says {shlex.quote(text)} is printed\n{shown}"
