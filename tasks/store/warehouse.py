"""The only module that reads or writes the warehouse: atomic Parquet partitions, raw snapshots, files, lock."""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tasks.contract import schema
from tasks.store import builds as build_store
from tasks.store.location import local_root
from tasks.store.partitions import PARTITION, conform, dataset_schema, stored_schema, to_table
from tasks.ingest.raw import RawDocument
from tasks.store.fileio import STAGING_PREFIXES, atomic_write, clean_staging, dumps as _dumps, fsync as _fsync, \
    load_json as _load_json, relative_path as _relative, sha256 as _sha256, write_batch

__all__ = ["Warehouse", "WarehouseLocked", "RawStoreError", "atomic_write", "STAGING_PREFIXES"]

PART_FILE = "part-0.parquet"
RELEASE_TABLE = "indicators.csv"            # the release file people read, written last by the site stage


class WarehouseLocked(RuntimeError):
    """Another holder has the warehouse lock."""


class RawStoreError(RuntimeError):
    """A raw snapshot on disk no longer matches its content address."""


def _with_origin(record: dict | None, raw: RawDocument) -> dict | None:
    """A snapshot's provenance record with this origin added; None when it already holds it."""
    origin = {"source_uri": raw.source_uri, "fetched_at": raw.fetched_at, "content_type": raw.content_type}
    if record is None:
        return {"sha256": raw.sha256, "doc_id": raw.doc_id, **origin, "size": len(raw.data), "origins": [origin]}
    if raw.source_uri in {o["source_uri"] for o in record["origins"]}:
        return None
    return {**record, "origins": [*record["origins"], origin]}


class Warehouse:
    """A warehouse rooted at one directory; creates nothing until a write.

    With `run`, a release's datasets and files are written into that run's new build of the release (and read from
    it once written), which becomes current only by `commit_builds`; without, reads follow the current builds.
    """

    def __init__(self, root: str | Path, run: str | None = None):
        self.root = local_root(root)
        self.run = run or None
        self.builds = build_store.Builds(self.root)

    # ---- datasets -------------------------------------------------------------------------------------------
    def write_partition(self, dataset: str, release_year: int, df: pd.DataFrame) -> Path:
        """Replace one partition atomically: readers see the old file or the new one, never a partial one."""
        table = to_table(dataset, release_year, df)
        partition = self._partition_dir(dataset, release_year, write=True)
        partition.mkdir(parents=True, exist_ok=True)
        dataset_dir = partition.parent
        clean_staging(dataset_dir)
        staging = dataset_dir / f"{STAGING_PREFIXES[0]}{os.getpid()}-{uuid.uuid4().hex}"
        staging.mkdir()
        try:
            staged = staging / f"{PART_FILE}.partial"
            pq.write_table(table, staged, compression="zstd")
            _fsync(staged)
            target = partition / PART_FILE
            os.replace(staged, target)
            _fsync(partition)
            _fsync(dataset_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def read(self, dataset: str, release_years: list[int] | None = None) -> pd.DataFrame:
        """Rows of the given partitions (all by default) with the schema's columns plus release_year."""
        target = stored_schema(dataset)
        years = self.release_years(dataset) if release_years is None else sorted({int(y) for y in release_years})
        tables = []
        for year in years:
            path = self._partition_dir(dataset, year) / PART_FILE
            if path.exists():
                table = conform(pq.ParquetFile(path).read(), target)
                tables.append(table.append_column(PARTITION, pa.array([year] * len(table), pa.int64())))
        full = target.append(pa.field(PARTITION, pa.int64()))
        table = pa.concat_tables(tables) if tables else full.empty_table()
        names = [n for n in dataset_schema(dataset).names if n != PARTITION] + [PARTITION]
        return table.select(names).to_pandas()

    def release_years(self, dataset: str) -> list[int]:
        """Release years that have a stored partition of this dataset."""
        dataset_schema(dataset)
        prefix = f"{PARTITION}="
        root = self.root / dataset
        found = {int(y) for y in (p.name[len(prefix):] for p in root.glob(f"{prefix}*")) if y.lstrip("-").isdigit()}
        if dataset in build_store.SCOPED:
            found |= set(self.builds.years(self.run))
        return sorted(y for y in found if (self._partition_dir(dataset, y) / PART_FILE).is_file())

    def partition_files(self) -> dict[str, list[Path]]:
        """Dataset -> its partition files, each release resolved once through its current build (query views)."""
        out = {}
        for name in sorted(schema.DATASETS):
            if files := [self._partition_dir(name, y) / PART_FILE for y in self.release_years(name)]:
                out[name] = files
        return out

    def release_dir(self, release_year: int, write: bool = False) -> Path:
        """releases/<year>/ of the build being read (this run's, else the current one; the plain path before builds)."""
        base = self._build_dir(release_year, write)
        return base / build_store.RELEASES if base is not None else self.root / "releases" / str(int(release_year))

    def commit_builds(self, keep: int = build_store.DEFAULT_KEEP) -> dict[int, str | None]:
        """Make every build this run staged current (one rename per release); None where nothing changed."""
        if not self.run:
            return {}
        staged = [int(p.parent.name.split("=")[1]) for p in (self.root / build_store.BUILDS).glob(
            f"*/{self.builds.staged_dir(0, self.run).name}")]
        return {year: self.builds.commit(year, self.run, keep) for year in sorted(staged)}

    def discard_build(self, release_year: int) -> None:
        """Forget what this run staged for a release: its current build (facts, published ...) stays as it was."""
        if self.run:
            self.builds.discard(release_year, self.run)

    def build_fingerprints(self) -> dict[int, str]:
        """sha256 of each published partition with its releases/<year>/indicators.csv: what a finished build wrote."""
        out = {}
        for year in self.release_years("published"):
            digest = hashlib.sha256((self._partition_dir("published", year) / PART_FILE).read_bytes())
            table = self.release_dir(year) / RELEASE_TABLE
            digest.update(table.read_bytes() if table.is_file() else b"(no release files)")
            out[year] = digest.hexdigest()
        return out

    def delete_partition(self, dataset: str, release_year: int) -> None:
        """Remove one partition: it disappears in one rename, then is deleted."""
        dataset_schema(dataset)
        partition = self._partition_dir(dataset, release_year, write=True)
        if not partition.exists():
            return
        trash = partition.parent / f"{STAGING_PREFIXES[1]}{os.getpid()}-{uuid.uuid4().hex}"
        os.rename(partition, trash)
        _fsync(partition.parent)
        shutil.rmtree(trash, ignore_errors=True)

    def _partition_dir(self, dataset: str, release_year: int, write: bool = False) -> Path:
        base = self._build_dir(release_year, write) if dataset in build_store.SCOPED else None
        return base / dataset if base is not None else self.root / dataset / f"{PARTITION}={int(release_year)}"

    def _build_dir(self, release_year: int, write: bool) -> Path | None:
        """The build a release is read from or written to; None: the layout before builds (plain paths)."""
        if write and self.run:
            return self.builds.stage(release_year, self.run)
        return self.builds.source_dir(release_year, self.run)

    # ---- raw snapshots --------------------------------------------------------------------------------------
    def put_raws(self, raws: list[RawDocument]) -> int:
        """put_raw for a batch, written with one file-system flush (fileio.write_batch) instead of four syncs per
        document."""
        files: dict[Path, tuple[bytes | str, int | None]] = {}
        records: dict[str, dict] = {}
        for raw in raws:
            path = self._raw_path(raw.sha256)
            if raw.sha256 not in records and not self._stored(path, raw.sha256):
                files[path] = (raw.data, 0o444)
            record = records.get(raw.sha256) or _load_json(path.with_name(f"{raw.sha256}.json"))
            merged = _with_origin(record, raw)
            records[raw.sha256] = merged or record
            if merged is not None:
                files[path.with_name(f"{raw.sha256}.json")] = (_dumps(merged), None)
        write_batch(files)
        return len(raws)

    def put_raw(self, raw: RawDocument) -> dict:
        """Keep the bytes once (read-only, content-addressed) and record every origin they came from."""
        path = self._raw_path(raw.sha256)
        if not self._stored(path, raw.sha256):
            atomic_write(path, raw.data, mode=0o444)
        record_path = path.with_name(f"{raw.sha256}.json")
        record = _load_json(record_path)
        merged = _with_origin(record, raw)
        if merged is None:
            return record
        atomic_write(record_path, _dumps(merged))
        return merged

    @staticmethod
    def _stored(path: Path, sha256: str) -> bool:
        """Whether the snapshot exists; bytes that no longer match their address are an error, never overwritten."""
        if not path.exists():
            return False
        if _sha256(path.read_bytes()) != sha256:
            raise RawStoreError(f"{path}: stored bytes do not match their sha256 (corrupt snapshot)")
        return True

    def get_raw(self, sha256: str) -> bytes:
        """Bytes of a snapshot, checked against their address."""
        path = self._raw_path(sha256)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no raw snapshot {sha256}")
        data = path.read_bytes()
        if _sha256(data) != sha256:
            raise RawStoreError(f"{path}: stored bytes do not match their sha256 (corrupt snapshot)")
        return data

    def raw_records(self) -> list[dict]:
        """Provenance records of all snapshots, by sha256."""
        return [_load_json(p) for p in sorted((self.root / "raw").glob("??/*.json"))]

    def _raw_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / "raw" / sha256[:2] / sha256

    # ---- files for people and state -------------------------------------------------------------------------
    def write_release_file(self, release_year: int, name: str, content: bytes | str) -> Path:
        """Write releases/<year>/<name> atomically (CSV, datapackage.json, reports, Data Docs)."""
        return atomic_write(self.release_dir(release_year, write=True) / _relative(name), content)

    def write_site_file(self, name: str, content: bytes | str) -> Path:
        """Write releases/<name> atomically: files about all releases (index.html, series.csv)."""
        return atomic_write(self.root / "releases" / _relative(name), content)

    def write_run_manifest(self, run: dict) -> Path:
        """Write runs/<run_id>.json: run metadata lives here, never in data files."""
        run_id = str(run.get("run_id") or "")
        if not run_id or "/" in run_id or run_id.startswith("."):
            raise ValueError(f"run manifest needs a plain run_id, got {run_id!r}")
        return atomic_write(self.root / "runs" / f"{run_id}.json", _dumps(run))

    def read_json(self, name: str) -> dict | None:
        """A small state file (e.g. state/nightly.json) or release file, or None when it does not exist."""
        relative = _relative(name)
        if relative.parts[0] == "releases" and len(relative.parts) > 2 and relative.parts[1].isdigit():
            return _load_json(self.release_dir(int(relative.parts[1])).joinpath(*relative.parts[2:]))
        return _load_json(self.root / relative)

    def write_json(self, name: str, data: dict) -> Path:
        """Write a small state file atomically (never inside a dataset or the raw store)."""
        relative = _relative(name)
        if relative.parts[0] in schema.DATASETS or relative.parts[0] in ("raw", build_store.BUILDS,
                                                                          build_store.CURRENT):
            raise ValueError(f"{name}: JSON files may not live in a dataset or raw/ directory")
        return atomic_write(self.root / relative, _dumps(data))

    # ---- lock -----------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, timeout: float = 0.0, poll: float = 0.2) -> Iterator[dict]:
        """Hold the exclusive warehouse lock (<root>/.lock); wait up to timeout seconds, then WarehouseLocked."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / ".lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise WarehouseLocked(_locked_message(path, fd, timeout)) from None
                    time.sleep(min(poll, left))
            holder = {"pid": os.getpid(), "host": socket.gethostname(),
                      "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
            os.ftruncate(fd, 0)
            os.pwrite(fd, _dumps(holder).encode(), 0)
            try:
                yield holder
            finally:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _locked_message(path: Path, fd: int, timeout: float) -> str:
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        holder = {}
    who = (f"pid {holder.get('pid', '?')} on host {holder.get('host', '?')} since {holder.get('started', '?')}"
           if holder else "another process (holder info not written yet)")
    return f"warehouse is locked: {path} is held by {who}; gave up after waiting {timeout:g}s"
