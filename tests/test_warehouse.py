"""Warehouse storage: schema enforcement, atomic and deterministic partitions, raw snapshots, files, lock."""
from __future__ import annotations

import multiprocessing as mp
import os
import stat
import time
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from tasks.contract import schema
from tasks.ingest.raw import RawDocument
from tasks.store.warehouse import RawStoreError, Warehouse, WarehouseLocked


def facts_frame(values=(3.49e12, 95.0, 1.3266e9)) -> pd.DataFrame:
    ids = ["bmi.fund.revenue", "bmi.coverage_rate", "bmi.participants"]
    units = ["CNY", "percent", "persons"]
    n = len(values)
    return pd.DataFrame({
        "doc_id": ["00aa11bb22cc33dd"] * n, "indicator_id": ids[:n], "region": ["CN"] * n,
        "period_year": [2024] * n, "measure": ["level"] * n, "value": list(values), "unit": units[:n],
        "text": ["3.49万亿元", "95%", "13.27亿人"][:n], "span_start": [10, 40, 70][:n], "span_end": [17, 43, 76][:n],
        "qualifier": ["exact", "approx", "exact"][:n], "flags": [None, "unit_suspect", None][:n],
        "confidence": [0.9, 0.8, 0.95][:n], "kind": ["final_bulletin"] * n, "resolution": [5e9, 0.5, 5e5][:n],
        "release_year": [2024] * n,
    })


def visible_files(root: Path, dataset: str) -> list[str]:
    """Files any reader sees: pyarrow dataset discovery and score.py's rglob('*.parquet')."""
    found = sorted(os.path.relpath(f, root) for f in ds.dataset(root / dataset, partitioning="hive").files)
    assert found == sorted(os.path.relpath(f, root) for f in (root / dataset).rglob("*.parquet"))
    return found


def test_round_trip_returns_schema_columns_and_release_year(tmp_path):
    wh = Warehouse(tmp_path)
    df = facts_frame()
    path = wh.write_partition("facts", 2024, df)
    assert path == tmp_path / "facts" / "release_year=2024" / "part-0.parquet"
    assert "release_year" not in pq.read_schema(path).names
    back = wh.read("facts")
    assert list(back.columns) == schema.columns("facts")
    expected = df.sort_values("span_start").reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert back["release_year"].dtype == "int64"
    assert wh.release_years("facts") == [2024]


def test_reading_nothing_gives_empty_frame_with_columns(tmp_path):
    empty = Warehouse(tmp_path).read("published", release_years=[2020])
    assert empty.empty and list(empty.columns) == schema.columns("published")
    assert not tmp_path.joinpath("published").exists()


@pytest.mark.parametrize("change, message", [
    (lambda df: df.assign(extra=1), "columns not in"),
    (lambda df: df.assign(period_year=2024.5), "facts.period_year"),
    (lambda df: df.assign(indicator_id=7), "facts.indicator_id"),
    (lambda df: df.assign(release_year=2023), "release_year other than the partition 2024"),
])
def test_schema_is_enforced(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        Warehouse(tmp_path).write_partition("facts", 2024, change(facts_frame()))
    assert Warehouse(tmp_path).release_years("facts") == []


def test_unknown_dataset_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'fact'"):
        Warehouse(tmp_path).write_partition("fact", 2024, facts_frame())


def test_missing_nullable_columns_become_null(tmp_path):
    wh = Warehouse(tmp_path)
    wh.write_partition("facts", 2024, facts_frame().drop(columns=["flags", "confidence", "release_year"]))
    back = wh.read("facts", [2024])
    assert back["flags"].isna().all() and back["confidence"].isna().all()


def test_identical_inputs_give_byte_identical_files(tmp_path):
    df = facts_frame()
    first = Warehouse(tmp_path / "a").write_partition("facts", 2024, df).read_bytes()
    shuffled = df.sample(frac=1, random_state=3)[list(reversed(df.columns))]
    second = Warehouse(tmp_path / "b").write_partition("facts", 2024, shuffled).read_bytes()
    assert first == second


def test_rerun_replaces_never_duplicates(tmp_path):
    wh = Warehouse(tmp_path)
    wh.write_partition("facts", 2024, facts_frame())
    wh.write_partition("facts", 2024, facts_frame(values=(1e12,)))
    wh.write_partition("facts", 2023, facts_frame().assign(release_year=2023))
    assert wh.read("facts", [2024])["value"].tolist() == [1e12]
    assert visible_files(tmp_path, "facts") == ["facts/release_year=2023/part-0.parquet",
                                                "facts/release_year=2024/part-0.parquet"]
    assert len(ds.dataset(tmp_path / "facts", partitioning="hive").to_table()) == 4


def test_crash_mid_write_keeps_old_partition(tmp_path, monkeypatch):
    wh = Warehouse(tmp_path)
    wh.write_partition("facts", 2024, facts_frame())
    before = wh.read("facts")

    def broken_writer(table, where, **kwargs):
        Path(where).write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken_writer)
    with pytest.raises(OSError, match="disk full"):
        wh.write_partition("facts", 2024, facts_frame(values=(1.0,)))
    pd.testing.assert_frame_equal(wh.read("facts"), before)
    assert visible_files(tmp_path, "facts") == ["facts/release_year=2024/part-0.parquet"]
    assert [p.name for p in (tmp_path / "facts").iterdir()] == ["release_year=2024"]


def _die_while_writing(root: str) -> None:
    """Child process: start rewriting the partition and get killed halfway (no cleanup runs)."""
    def dying_writer(table, where, **kwargs):
        Path(where).write_bytes(b"PAR1 half a file")
        os._exit(9)

    pq.write_table = dying_writer
    Warehouse(root).write_partition("facts", 2024, facts_frame(values=(1.0,)))


def test_killed_writer_leaves_nothing_visible_and_next_write_cleans_up(tmp_path):
    wh = Warehouse(tmp_path)
    wh.write_partition("facts", 2024, facts_frame())
    before = wh.read("facts")
    child = mp.get_context("spawn").Process(target=_die_while_writing, args=(str(tmp_path),))
    child.start()
    child.join(60)
    assert child.exitcode == 9
    leftovers = [p for p in (tmp_path / "facts").iterdir() if p.name.startswith(".")]
    assert len(leftovers) == 1
    pd.testing.assert_frame_equal(wh.read("facts"), before)
    assert visible_files(tmp_path, "facts") == ["facts/release_year=2024/part-0.parquet"]
    wh.write_partition("facts", 2023, facts_frame().assign(release_year=2023))
    assert not any(p.exists() for p in leftovers)


def test_delete_partition(tmp_path):
    wh = Warehouse(tmp_path)
    wh.write_partition("facts", 2024, facts_frame())
    wh.write_partition("facts", 0, facts_frame().assign(release_year=0))
    wh.delete_partition("facts", 2024)
    wh.delete_partition("facts", 1999)
    assert wh.release_years("facts") == [0]
    assert list((tmp_path / "facts").iterdir()) == [tmp_path / "facts" / "release_year=0"]


def test_raw_snapshot_is_immutable_and_records_every_origin(tmp_path):
    wh = Warehouse(tmp_path)
    first = RawDocument("https://example.org/a.html", b"<p>2024</p>", "2025-07-01T00:00:00Z", "text/html")
    record = wh.put_raw(first)
    path = tmp_path / "raw" / first.sha256[:2] / first.sha256
    assert path.read_bytes() == first.data and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert record == {"sha256": first.sha256, "doc_id": first.doc_id, "source_uri": first.source_uri,
                      "fetched_at": first.fetched_at, "content_type": "text/html", "size": len(first.data),
                      "origins": [{"source_uri": first.source_uri, "fetched_at": first.fetched_at,
                                   "content_type": "text/html"}]}
    inode = path.stat().st_ino, path.stat().st_mtime_ns
    mirror = RawDocument("seeds/a.txt", first.data, "2025-08-01T00:00:00Z", "text/plain")
    again = wh.put_raw(mirror)
    assert wh.put_raw(mirror) == again
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == inode
    assert again["source_uri"] == first.source_uri
    assert [o["source_uri"] for o in again["origins"]] == [first.source_uri, "seeds/a.txt"]
    assert wh.get_raw(first.sha256) == first.data
    assert wh.raw_records() == [again]


def test_corrupt_raw_snapshot_is_detected(tmp_path):
    wh = Warehouse(tmp_path)
    raw = RawDocument("a.txt", b"original")
    wh.put_raw(raw)
    path = tmp_path / "raw" / raw.sha256[:2] / raw.sha256
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(RawStoreError, match="do not match"):
        wh.get_raw(raw.sha256)
    with pytest.raises(RawStoreError, match="do not match"):
        wh.put_raw(raw)
    with pytest.raises(FileNotFoundError):
        wh.get_raw("0" * 64)


def test_release_site_run_and_state_files(tmp_path):
    wh = Warehouse(tmp_path)
    assert wh.write_release_file(2024, "published.csv", "a,b\n") == tmp_path / "releases/2024/published.csv"
    assert wh.write_release_file(2024, "datadocs/index.html", b"<html>").read_bytes() == b"<html>"
    assert wh.write_site_file("index.html", "<html>").parent == tmp_path / "releases"
    assert wh.write_run_manifest({"run_id": "r1", "n": 2}) == tmp_path / "runs" / "r1.json"
    assert wh.read_json("runs/r1.json") == {"run_id": "r1", "n": 2}
    assert wh.read_json("state/nightly.json") is None
    wh.write_json("state/nightly.json", {"seen": ["x"]})
    assert wh.read_json("state/nightly.json") == {"seen": ["x"]}
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()]


@pytest.mark.parametrize("call", [
    lambda wh: wh.write_release_file(2024, "../escape.csv", "x"),
    lambda wh: wh.write_site_file("/etc/x", "x"),
    lambda wh: wh.write_json("facts/state.json", {}),
    lambda wh: wh.write_run_manifest({"n": 1}),
])
def test_files_outside_their_place_are_refused(tmp_path, call):
    with pytest.raises(ValueError):
        call(Warehouse(tmp_path))


def _hold_lock(root: str, held, release) -> None:
    """Child process: take the lock, say so, hold it until told to let go."""
    with Warehouse(root).lock():
        held.set()
        release.wait(60)


def test_second_holder_waits_then_gets_a_clear_error(tmp_path):
    ctx = mp.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_hold_lock, args=(str(tmp_path), held, release))
    child.start()
    try:
        assert held.wait(60)
        start = time.monotonic()
        with pytest.raises(WarehouseLocked) as err:
            with Warehouse(tmp_path).lock(timeout=0.5, poll=0.05):
                pass
        assert time.monotonic() - start >= 0.5
        assert str(tmp_path / ".lock") in str(err.value) and f"pid {child.pid}" in str(err.value)
        release.set()
        with Warehouse(tmp_path).lock(timeout=30, poll=0.05) as holder:
            assert holder["pid"] == os.getpid()
    finally:
        release.set()
        child.join(60)
    assert child.exitcode == 0


def test_readme_documents_every_dataset_and_column():
    readme = (Path(__file__).resolve().parent.parent / "warehouse" / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in readme.splitlines() if line.startswith("| `")}
    for dataset, columns in schema.DATASETS.items():
        assert dataset in rows, f"warehouse/README.md lacks dataset {dataset}"
        missing = [c for c in columns.names if f"`{c}`" not in rows[dataset]]
        assert not missing, f"warehouse/README.md lacks {dataset} columns {missing}"


def test_a_batch_of_raw_snapshots_flushes_once_and_syncs_each_directory_once(tmp_path, monkeypatch):
    import tasks.store.fileio as fileio
    import tasks.store.warehouse as warehouse_module

    raws = [RawDocument(f"/src/{i}.txt", f"document {i}".encode(), "2025-01-01T00:00:00Z", "text/plain")
            for i in range(40)]
    synced: list[Path] = []
    monkeypatch.setattr(fileio, "fsync", lambda path: synced.append(Path(path)))
    monkeypatch.setattr(warehouse_module, "_fsync", lambda path: synced.append(Path(path)))
    wh = Warehouse(tmp_path / "wh")
    assert wh.put_raws(raws) == 40
    assert len(synced) == len(set(synced)) <= 40 + 1          # one per raw/ab/ directory, and raw/ itself
    assert all(p.is_dir() for p in synced)                    # files are flushed by one syncfs, not one by one
    assert tmp_path / "wh" / "raw" in synced
    one_by_one = Warehouse(tmp_path / "other")
    for raw in raws:
        one_by_one.put_raw(raw)
    assert wh.raw_records() == one_by_one.raw_records()


def test_a_batch_holds_the_same_bytes_and_origins_as_one_by_one_writes(tmp_path):
    twice = [RawDocument("/a.txt", b"same", "2025-01-01T00:00:00Z", "text/plain"),
             RawDocument("/b.txt", b"same", "2025-01-02T00:00:00Z", "text/plain"),
             RawDocument("/a.txt", b"same", "2025-01-03T00:00:00Z", "text/plain"),
             RawDocument("/c.txt", b"other", "2025-01-01T00:00:00Z", "text/plain")]
    batch, single = Warehouse(tmp_path / "batch"), Warehouse(tmp_path / "single")
    batch.put_raws(twice[:2])
    batch.put_raws(twice[2:])
    for raw in twice:
        single.put_raw(raw)
    assert batch.raw_records() == single.raw_records()
    assert [o["source_uri"] for o in batch.raw_records()[-1]["origins"]] in (["/a.txt", "/b.txt"], ["/c.txt"])
    assert batch.get_raw(twice[0].sha256) == b"same" and not list((tmp_path / "batch").rglob("*.tmp"))


def test_a_batch_refuses_a_corrupt_snapshot_and_leaves_it(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    raw = RawDocument("/a.txt", b"bytes", "2025-01-01T00:00:00Z", "text/plain")
    wh.put_raws([raw])
    stored = tmp_path / "wh" / "raw" / raw.sha256[:2] / raw.sha256
    stored.chmod(0o644)
    stored.write_bytes(b"tampered")
    with pytest.raises(Exception, match="do not match their sha256"):
        wh.put_raws([raw])
    assert stored.read_bytes() == b"tampered"
