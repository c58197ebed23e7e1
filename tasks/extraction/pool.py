"""Map a pure per-document step over a batch on worker processes: order kept, results identical to in-process."""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml

POOL_PATH = Path(__file__).with_name("pool.yaml")
WORKERS_ENV = "BULLETIN_ETL_WORKERS"
PRELOAD = ["tasks.extraction.process"]     # what a worker imports once (never the caller's __main__)
T, R = TypeVar("T"), TypeVar("R")


@lru_cache(maxsize=1)
def settings() -> dict:
    """tasks/extraction/pool.yaml."""
    return yaml.safe_load(POOL_PATH.read_text(encoding="utf-8"))


def worker_count() -> int:
    """Workers for a batch: the environment, else pool.yaml, 0 meaning one per CPU."""
    raw = os.environ.get(WORKERS_ENV, "").strip() or settings()["workers"]
    try:
        wanted = int(raw)
    except ValueError:
        raise ValueError(f"{WORKERS_ENV}={raw!r}: expected a whole number of worker processes") from None
    if wanted < 0:
        raise ValueError(f"{WORKERS_ENV}={raw!r}: expected 0 (one per CPU) or more")
    return wanted or (os.cpu_count() or 1)


def map_batch(fn: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """fn over items, in their order: in-process for one worker or a small batch, else on a forkserver pool
    (safe beside the threads of an orchestrator, unlike fork) in chunks of a few dozen documents."""
    workers = worker_count() if workers is None else workers
    if workers <= 1 or len(items) < settings()["min_batch"]:
        return [fn(item) for item in items]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    chunk = max(1, min(64, len(items) // (workers * 4)))
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=context) as pool:
        return list(pool.map(fn, items, chunksize=chunk))
