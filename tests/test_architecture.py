"""Grep-style rules of the code base: pure tasks, one writer, documented CLI, short files, plain flow parameters."""
from __future__ import annotations

import argparse
import inspect
import re
import typing
from pathlib import Path

import pytest

from conftest import REPO

TASKS = sorted((REPO / "tasks").rglob("*.py"))
FLOWS = sorted((REPO / "flows").glob("*.py"))
PREFECT_IMPORT = re.compile(r"^\s*(from|import)\s+prefect\b", re.M)
# Ways to write a file: open() in a write mode, os.open for writing, pandas/pyarrow/pathlib writers, copies, dumps.
WRITES = re.compile(
    r"""\bopen\([^)]*['"][^'"]*[wax+][^'"]*['"]"""
    r"""|\bos\.open\([^)]*O_(WRONLY|RDWR|CREAT)"""
    r"""|\.to_(parquet|feather|excel|pickle)\("""
    r"""|\.to_(csv|json)\(\s*[^\s)=,]+\s*[,)]"""
    r"""|\bwrite_(table|to_dataset|text|bytes)\("""
    r"""|\bshutil\.(copy\w*|move)\(|\bjson\.dump\(|\bos\.(replace|rename)\(""")


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [p for p in TASKS if p.name != "prefect_tasks.py"], ids=lambda p: p.name)
def test_tasks_modules_do_not_import_prefect(path):
    assert not PREFECT_IMPORT.search(source(path)), f"{path.name} imports prefect; wrap it in tasks/ops/prefect_tasks.py"


@pytest.mark.parametrize("path", [p for p in TASKS + FLOWS if p.parent.name != "store"],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_only_the_warehouse_writes_files(path):
    found = [m.group(0) for m in WRITES.finditer(source(path))]
    assert not found, f"{path.parent.name}/{path.name} writes files itself ({found}); return bytes/frames to tasks/store/"


def test_the_write_pattern_catches_what_it_should():
    for line in ('open(p, "w")', "open(p, mode='ab')", 'df.to_parquet(path)', 'df.to_csv(path, index=False)',
                 'pq.write_table(t, p)', 'p.write_text("x")', 'json.dump(d, fh)', 'os.replace(a, b)'):
        assert WRITES.search(line), line
    for line in ('open(p)', 'open(p, "rb")', 'df.to_csv(index=False)', 'json.dumps(d)', 'frame.to_json(orient="records")'):
        assert not WRITES.search(line), line


@pytest.mark.parametrize("path", sorted(p for d in ("tasks", "flows", "tests") for p in (REPO / d).rglob("*.py")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_source_file_is_over_300_lines(path):
    assert len(source(path).splitlines()) <= 300, f"{path.parent.name}/{path.name} is over 300 lines"


def cli_words() -> list[str]:
    """Every command and every option string of `bulletin-etl`."""
    from flows.cli import build_parser

    words = []
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, parser in action.choices.items():
                words.append(f"bulletin-etl {name}")
                words += [o for a in parser._actions for o in a.option_strings if o.startswith("--") and o != "--help"]
    return sorted(set(words))


@pytest.mark.parametrize("word", cli_words())
def test_every_cli_command_and_option_is_in_the_readme(word):
    assert word in source(REPO / "README.md"), f"README.md does not mention {word}"


PLAIN = {str, int, float, bool, list[int], int | None, list[int] | None}


def flows_in(module_name: str):
    import importlib

    from prefect import Flow

    module = importlib.import_module(module_name)
    return [obj for obj in vars(module).values() if isinstance(obj, Flow) and obj.fn.__module__ == module_name]


@pytest.mark.parametrize("module", [f"flows.{p.stem}" for p in FLOWS if p.stem != "__init__"])
def test_flow_parameters_are_paths_ids_and_flags(module):
    for flow in flows_in(module):
        hints = typing.get_type_hints(flow.fn)
        for name in inspect.signature(flow.fn).parameters:
            assert hints.get(name) in PLAIN, f"{flow.name}.{name}: {hints.get(name)} is not a path, id or flag"
