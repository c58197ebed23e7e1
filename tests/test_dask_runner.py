"""--runner dask: the release work runs on prefect-dask's DaskTaskRunner and publishes what the default runner does."""
from __future__ import annotations

import pytest
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask import DaskTaskRunner

from flows.runners import task_runner
from tests.conftest import SEEDS

# Files a release publishes whose bytes depend on the data only (the rest carry run ids and fetch times).
PUBLISHED = ["published/release_year=2024/part-0.parquet", "releases/2024/indicators.csv",
             "releases/2024/identities.csv", "releases/2024/dictionary.csv", "releases/series.csv"]


def test_runner_choice():
    assert isinstance(task_runner("thread", 3), ThreadPoolTaskRunner)
    remote = task_runner("dask", 2, "tcp://127.0.0.1:8786")
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://127.0.0.1:8786"
    with pytest.raises(ValueError, match="unknown task runner"):
        task_runner("ray")


@pytest.mark.slow
def test_a_dask_run_publishes_the_same_bytes_as_the_default_run(prefect_harness, tmp_path):
    from flows.pipeline import release_pipeline

    default = release_pipeline(sources=str(SEEDS), warehouse=str(tmp_path / "thread"))
    dask = release_pipeline(sources=str(SEEDS), warehouse=str(tmp_path / "dask"), runner="dask", parallel=2)
    assert default["releases"]["2024"]["status"] == dask["releases"]["2024"]["status"] == "published"
    for name in PUBLISHED:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "thread" / name).read_bytes(), name
