"""Builds of a release: a run writes a release's datasets and files into a new directory, made current by one rename.

builds/release_year=Y/<build-id>/{documents,facts,unattributed,published,alerts,revisions}/part-0.parquet and
builds/release_year=Y/<build-id>/releases/... hold one build; current/release_year=Y is a symlink to the current
build, swapped by rename, and the files at the contract paths (published/release_year=Y/part-0.parquet,
releases/Y/indicators.csv ...) are fixed symlinks through it, so every reader sees one build or the other, never a mix.
"""
from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import pyarrow.parquet as pq

from tasks.store.fileio import STALE_AFTER_S, alive as _alive, fsync as _fsync

BUILDS, CURRENT, RELEASES = "builds", "current", "releases"
SCOPED = ("documents", "facts", "unattributed", "published", "alerts", "revisions")   # datasets kept per build
BUILD_FILE = "build.json"
DEFAULT_KEEP = 3
LEGACY_ID = "00000000T000000Z-legacy"        # the partitions a warehouse held before builds, adopted as a build
VOLATILE_DIRS = ("releases/datadocs/", "releases/validation.html")   # name the validating run: not a change
RUN_COLUMN = "run_id"                        # alerts name the run that found them: not a change of the build


class BuildError(RuntimeError):
    """A build asked for does not exist."""


def key(year: int) -> str:
    """The directory name of a release in builds/ and current/ (the dataset partition's name)."""
    return f"release_year={int(year)}"


class Builds:
    """Build storage of one warehouse root."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    # ---- where things are -----------------------------------------------------------------------------------
    def year_dir(self, year: int) -> Path:
        return self.root / BUILDS / key(year)

    def current_id(self, year: int) -> str | None:
        """The id of the current build of a release (None before its first build)."""
        link = self.root / CURRENT / key(year)
        if not link.is_symlink():
            return None
        build = Path(os.readlink(link)).name
        return build if (self.year_dir(year) / build).is_dir() else None

    def current_dir(self, year: int) -> Path | None:
        build = self.current_id(year)
        return None if build is None else self.year_dir(year) / build

    def staged_dir(self, year: int, run: str) -> Path:
        """The run's staging directory, also from another process of the run (a Dask worker finds the flow's)."""
        found = sorted(self.year_dir(year).glob(f".tmp-*-{run}")) if self.year_dir(year).is_dir() else []
        return found[0] if found else self.year_dir(year) / f".tmp-{os.getpid()}-{run}"

    def source_dir(self, year: int, run: str | None) -> Path | None:
        """Where a release's files are read: this run's staged build, else the current build (None: legacy)."""
        if run and self.staged_dir(year, run).is_dir():
            return self.staged_dir(year, run)
        return self.current_dir(year)

    def years(self, run: str | None = None) -> list[int]:
        """Releases that have a current build (or a build staged by this run)."""
        found = set()
        for top, name in ((self.root / CURRENT, "release_year="), (self.root / BUILDS, "release_year=")):
            for path in top.glob(f"{name}*") if top.is_dir() else []:
                year = path.name[len(name):]
                if year.lstrip("-").isdigit() and self.source_dir(int(year), run) is not None:
                    found.add(int(year))
        return sorted(found)

    def list(self, year: int) -> list[str]:
        """Finished builds of a release, oldest first."""
        directory = self.year_dir(year)
        return sorted(p.name for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")) \
            if directory.is_dir() else []

    def legacy_paths(self, year: int) -> dict[str, Path]:
        """Build-relative name -> real (not yet linked) directory of a warehouse written before builds."""
        out = {d: self.root / d / key(year) for d in SCOPED}
        out[RELEASES] = self.root / RELEASES / str(int(year))
        return {name: p for name, p in out.items() if p.is_dir() and not p.is_symlink()}

    # ---- staging ----------------------------------------------------------------------------------------------
    def stage(self, year: int, run: str) -> Path:
        """This run's build of a release: made on first write as a hard-link copy of the current build."""
        staged = self.staged_dir(year, run)
        if staged.is_dir():
            return staged
        self.year_dir(year).mkdir(parents=True, exist_ok=True)
        clean_stale(self.year_dir(year))
        tmp = self.year_dir(year) / f".tmp-{os.getpid()}-{uuid.uuid4().hex}"
        current = self.current_dir(year)
        if current is not None:
            _link_tree(current, tmp)
        else:
            tmp.mkdir()
            for name, path in self.legacy_paths(year).items():
                _link_tree(path, tmp / name)
        (tmp / BUILD_FILE).unlink(missing_ok=True)
        try:
            os.rename(tmp, staged)
        except OSError:                      # another thread of this run staged it first
            shutil.rmtree(tmp, ignore_errors=True)
        return staged

    def discard(self, year: int, run: str) -> None:
        """Drop this run's build of a release: the current build stays as it was."""
        shutil.rmtree(self.staged_dir(year, run), ignore_errors=True)

    def commit(self, year: int, run: str, keep: int = DEFAULT_KEEP) -> str | None:
        """Make this run's build current in one rename; None (and nothing written) when it equals the current one."""
        staged = self.staged_dir(year, run)
        if not staged.is_dir():
            return None
        current = self.current_dir(year)
        if current is None and self.legacy_paths(year):
            current = self._adopt_legacy(year)
        if current is not None and same_build(current, staged):
            self.discard(year, run)
            self._link_contract_paths(year)
            return None
        record = {"build": run, "release_year": int(year), "previous": self.current_id(year),
                  "files": sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file())}
        _write(staged / BUILD_FILE, json.dumps(record, indent=2, sort_keys=True) + "\n")
        final = self.year_dir(year) / run
        os.rename(staged, final)
        _fsync(self.year_dir(year))
        self.make_current(year, run)
        self.prune(year, keep)
        return run

    def make_current(self, year: int, build: str) -> None:
        """Point current/release_year=Y at a build (one rename of a symlink), then link the contract paths."""
        if not (self.year_dir(year) / build).is_dir():
            raise BuildError(f"release {int(year)} has no build {build!r}; builds: {', '.join(self.list(year))}")
        link = self.root / CURRENT / key(year)
        if link.is_dir() and not link.is_symlink():      # a copy that followed the link: a plain directory now
            _trash(link)
        _swap_link(link, Path("..") / BUILDS / key(year) / build)
        self._link_contract_paths(year)

    def rollback(self, year: int, to: str | None = None) -> str:
        """Make the build before the current one (or `to`) current; the newer builds are kept."""
        builds, current = self.list(year), self.current_id(year)
        if to is None:
            older = [b for b in builds if current is None or b < current]
            if not older:
                raise BuildError(f"release {int(year)} has no build before {current}; builds: {', '.join(builds)}")
            to = older[-1]
        self.make_current(year, to)
        return to

    def prune(self, year: int, keep: int = DEFAULT_KEEP) -> list[str]:
        """Delete the oldest builds beyond `keep` (never the current one)."""
        current = self.current_id(year)
        old = [b for b in self.list(year) if b != current][:max(0, len(self.list(year)) - max(1, keep))]
        for build in old:
            _trash(self.year_dir(year) / build)
        return old

    # ---- links --------------------------------------------------------------------------------------------------
    def _adopt_legacy(self, year: int) -> Path:
        """Copy a pre-build warehouse's partitions into a build and make it current (same bytes, so no mix)."""
        tmp = self.year_dir(year) / f".tmp-{os.getpid()}-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        for name, path in self.legacy_paths(year).items():
            _link_tree(path, tmp / name)
        os.rename(tmp, self.year_dir(year) / LEGACY_ID)
        self.make_current(year, LEGACY_ID)
        return self.year_dir(year) / LEGACY_ID

    def _contract_paths(self, year: int) -> dict[str, Path]:
        out = {d: self.root / d / key(year) for d in SCOPED}
        out[RELEASES] = self.root / RELEASES / str(int(year))
        return out

    def _link_contract_paths(self, year: int) -> None:
        """published/release_year=Y/part-0.parquet -> ../../current/release_year=Y/published/part-0.parquet, and so
        on for every file of the current build: fixed links through the one pointer, in plain directories, so any
        reader (also one that does not follow directory links, like Python's rglob) sees a single build."""
        current = self.current_dir(year)
        wanted = {}
        for name, path in self._contract_paths(year).items():
            source = current / name if current is not None else None
            for file in sorted(source.rglob("*")) if source is not None and source.is_dir() else []:
                if file.is_file() and not file.name.startswith("."):
                    relative = file.relative_to(source)
                    depth = len((path / relative).relative_to(self.root).parts) - 1
                    wanted[path / relative] = Path(*[".."] * depth, CURRENT, key(year), name, relative)
        for link, target in wanted.items():
            if not (link.is_symlink() and Path(os.readlink(link)) == target):
                _swap_link(link, target)             # replaces a plain file of the layout before builds in place
        for path in self._contract_paths(year).values():
            for file in path.rglob("*") if path.is_dir() else []:
                if file.is_symlink() and file not in wanted:   # a file the current build does not have
                    file.unlink()


def same_build(a: Path, b: Path) -> bool:
    """Two builds hold the same data (Data Docs' time stamps and the alerts' run ids aside)."""
    def files(root: Path) -> set[str]:
        names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        return {n for n in names if n != BUILD_FILE and not n.startswith(VOLATILE_DIRS)}
    names = files(a)
    if names != files(b):
        return False
    for name in names:
        x, y = a / name, b / name
        if os.path.samefile(x, y) or x.read_bytes() == y.read_bytes():
            continue
        if not name.startswith("alerts/"):
            return False
        ta, tb = pq.read_table(x), pq.read_table(y)
        drop = [RUN_COLUMN] if RUN_COLUMN in ta.column_names else []
        if not ta.drop_columns(drop).equals(tb.drop_columns([c for c in drop if c in tb.column_names])):
            return False
    return True


def clean_stale(directory: Path) -> None:
    """Remove staged builds of dead processes (and any older than a day)."""
    for child in directory.iterdir():
        if not child.name.startswith((".tmp-", ".trash-")):
            continue
        pid = child.name.split("-")[1]
        stale = time.time() - child.stat().st_mtime > STALE_AFTER_S
        if stale or (pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid))):
            shutil.rmtree(child, ignore_errors=True)


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link copy (every write is a rename of a new file, so linked files are never changed in place)."""
    shutil.copytree(source, target, copy_function=os.link, symlinks=False,
                    ignore=shutil.ignore_patterns(".*"))


def _trash(path: Path) -> None:
    trash = path.parent / f".trash-{os.getpid()}-{uuid.uuid4().hex}"
    os.rename(path, trash)
    shutil.rmtree(trash, ignore_errors=True)


def _swap_link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex}.link")
    os.symlink(target, tmp)
    os.replace(tmp, path)
    _fsync(path.parent)


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
