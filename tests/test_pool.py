"""Reading a batch on worker processes gives exactly what reading it in-process gives, in the same order."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.extraction import pool
from tasks.extraction.process import process_documents
from tasks.ingest.raw import RawDocument

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate_corpus import generate  # noqa: E402  (the project's own seeded bulletin templates)


def _square(x: int) -> int:
    return x * x


def test_map_batch_keeps_order_on_workers():
    items = list(range(200))
    assert pool.map_batch(_square, items, workers=2) == [x * x for x in items]


def test_a_small_batch_is_read_in_process():
    calls: list[int] = []            # a closure cannot be pickled: it only works because no worker is started
    assert pool.map_batch(lambda x: calls.append(x) or x, [1, 2, 3], workers=2) == [1, 2, 3] and calls == [1, 2, 3]


@pytest.mark.parametrize("value, expected", [("3", 3), ("1", 1), (" 2 ", 2)])
def test_workers_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(pool.WORKERS_ENV, value)
    assert pool.worker_count() == expected


def test_zero_workers_means_one_per_cpu(monkeypatch):
    monkeypatch.setenv(pool.WORKERS_ENV, "0")
    assert pool.worker_count() >= 1


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_a_bad_worker_count_is_named(monkeypatch, value):
    monkeypatch.setenv(pool.WORKERS_ENV, value)
    with pytest.raises(ValueError, match=pool.WORKERS_ENV):
        pool.worker_count()


def test_process_documents_on_workers_equals_in_process(tmp_path):
    generate(tmp_path, 96, seed=5)
    raws = [RawDocument(str(p), p.read_bytes()) for p in sorted((tmp_path / "docs").glob("*.txt"))]
    raws.append(RawDocument(str(tmp_path / "broken.txt"), b"\xff\xfe\x00garbage\x00" * 3))
    catalogue = load_catalogue()
    alone = process_documents(raws, catalogue, workers=1)
    shared = process_documents(raws, catalogue, workers=2)
    assert len(alone.facts) > 500
    pd.testing.assert_frame_equal(alone.documents, shared.documents)
    pd.testing.assert_frame_equal(alone.facts, shared.facts)
    pd.testing.assert_frame_equal(alone.unattributed, shared.unattributed)
    assert alone.errors == shared.errors and (alone.extracted, alone.reused) == (shared.extracted, shared.reused)


def test_pool_settings_schema():
    data = pool.settings()
    assert set(data) == {"workers", "min_batch"}
    assert all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in data.values())
    assert data["min_batch"] >= 1
