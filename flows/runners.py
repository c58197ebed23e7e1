"""Which Prefect task runner runs a run's per-release work: threads in this process, or a Dask cluster."""
from __future__ import annotations

from prefect.task_runners import ThreadPoolTaskRunner

RUNNERS = ("thread", "dask")


def task_runner(kind: str = "thread", parallel: int = 1, dask_address: str = ""):
    """A fresh task runner: a thread pool of `parallel`, or prefect-dask's DaskTaskRunner on a new LocalCluster
    (`parallel` single-threaded worker processes) or on the scheduler at `dask_address` (tcp://host:8786)."""
    if kind == "thread":
        return ThreadPoolTaskRunner(max_workers=max(1, parallel))
    if kind != "dask":
        raise ValueError(f"unknown task runner {kind!r} (one of {', '.join(RUNNERS)})")
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": max(1, parallel), "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None, "env": _api_env()})


def _api_env() -> dict[str, str]:
    """The API this run reports to, for the workers: without it each worker starts a temporary server of its own."""
    from prefect.client.orchestration import get_client

    url = str(get_client().api_url).rstrip("/")
    return {"PREFECT_API_URL": url} if url.startswith("http") else {}
