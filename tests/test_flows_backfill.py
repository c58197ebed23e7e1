"""Backfill: one subflow per release in parallel, resumable, reading the raw archive as well as the sources."""
from __future__ import annotations

import shutil
import time

import pytest

from conftest import SEEDS
from flows.backfill import backfill_flow, parse_years
from flows.stages import progress_listener
from tasks.store.warehouse import Warehouse

pytestmark = pytest.mark.slow


@pytest.fixture
def sources(tmp_path):
    """The two 2024 seeds plus a 2023 edition made from the Chinese seed by shifting its years back by one."""
    target = tmp_path / "sources"
    target.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, target / path.name)
    text = (SEEDS / "000_6f1d39fb7c2bd3b1.txt").read_text(encoding="utf-8")
    (target / "2023_edition.txt").write_text(text.replace("2023", "2022").replace("2024", "2023"), encoding="utf-8")
    return target


def backfill(sources, root, years, **kwargs) -> dict:
    return backfill_flow(release_years=years, sources=str(sources), warehouse=str(root), **kwargs)


@pytest.mark.parametrize("text, years", [("2018-2020", [2018, 2019, 2020]), ("2021", [2021]),
                                         ("2019,2022-2023", [2019, 2022, 2023])])
def test_parse_years(text, years):
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["", "2020-2018", "20x1", "2018-"])
def test_parse_years_refuses_nonsense(text):
    with pytest.raises(ValueError):
        parse_years(text)


def test_backfill_runs_subflows_skips_finished_releases_and_force_rebuilds_from_the_archive(prefect_harness,
                                                                                          sources, tmp_path):
    root = tmp_path / "wh"
    events: list[dict] = []
    with progress_listener(events.append):
        first = backfill(sources, root, [2022, 2023, 2024], parallel=2)
    statuses = {y: r["status"] for y, r in first["releases"].items()}
    assert statuses == {"2022": "no documents", "2023": "published", "2024": "published"}
    assert sorted(e["release_year"] for e in events) == [2022, 2023, 2024]
    assert Warehouse(root).release_years("published") == [2023, 2024]
    assert first["releases"]["2023"]["documents"] == 1 and first["releases"]["2024"]["documents"] == 2
    assert sorted(release_subflows(first["flow_run_id"])) == ["release 2023", "release 2024"]

    again = backfill(sources, root, [2023, 2024])
    assert again["outcome"] == "nothing to do"
    assert {r["status"] for r in again["releases"].values()} == {"skipped (already published)"}

    (sources / "2023_edition.txt").unlink()           # gone from the sources, still in the raw archive
    forced = backfill(sources, root, [2023], force=True)
    assert {y: r["status"] for y, r in forced["releases"].items()} == {"2023": "published"}
    assert forced["releases"]["2023"]["documents"] == 1
    assert list(Warehouse(root).read("documents", [2023])["source_uri"]) == [str(sources / "2023_edition.txt")]


def release_subflows(parent_flow_run_id: str) -> list[str]:
    """Names of the subflow runs started under a flow run (each hangs off a task run of the parent)."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    api = PREFECT_API_URL.value()
    tasks = httpx.post(f"{api}/task_runs/filter", json={"flow_runs": {"id": {"any_": [parent_flow_run_id]}}}).json()
    task_ids = [t["id"] for t in tasks]
    runs = httpx.post(f"{api}/flow_runs/filter",
                      json={"flow_runs": {"parent_task_run_id": {"any_": task_ids}}}).json()
    return [r["name"] for r in runs]


def test_interrupted_backfill_resumes_with_the_unfinished_release(prefect_harness, sources, tmp_path, monkeypatch):
    import tasks.publish.release

    root = tmp_path / "wh"
    real_build = tasks.publish.release.build_release

    def crash_2024(year, *args, **kwargs):
        if year == 2024:
            raise RuntimeError("worker lost")
        return real_build(year, *args, **kwargs)

    monkeypatch.setattr(tasks.publish.release, "build_release", crash_2024)
    first = backfill(sources, root, [2023, 2024], parallel=2)
    assert {y: r["status"] for y, r in first["releases"].items()} == {"2023": "published", "2024": "failed"}
    assert first["outcome"] == "completed; releases not published: [2024]"
    failed = Warehouse(root).read("alerts", [2024])
    assert (failed["severity"] == "critical").any() and failed["evidence"].str.contains("worker lost").any()

    monkeypatch.setattr(tasks.publish.release, "build_release", real_build)
    resumed = backfill(sources, root, [2023, 2024])
    assert {y: r["status"] for y, r in resumed["releases"].items()} == {
        "2023": "skipped (already published)", "2024": "published"}
    assert Warehouse(root).release_years("published") == [2023, 2024]


def test_each_release_is_built_after_the_release_before_it_is_written(prefect_harness, sources, tmp_path,
                                                                      monkeypatch):
    """Release 2024's repairs read what 2023 published in the same run: with two workers it must still start only
    after 2023 was written, or its bytes would depend on which thread ran first."""
    import tasks.publish.release

    events: list[tuple[str, int]] = []
    real_build = tasks.publish.release.build_release
    real_checks = tasks.publish.release.checks_files

    def build(year, *args, **kwargs):
        events.append(("build", year))
        if year == 2023:
            time.sleep(2)       # a slow earlier release: side by side, 2024 would be built meanwhile
        return real_build(year, *args, **kwargs)

    def written(build_, *args, **kwargs):
        events.append(("written", build_.release_year))
        return real_checks(build_, *args, **kwargs)

    monkeypatch.setattr(tasks.publish.release, "build_release", build)
    monkeypatch.setattr(tasks.publish.release, "checks_files", written)
    outcome = backfill(sources, tmp_path / "wh", [2024, 2023], parallel=2)
    assert {y: r["status"] for y, r in outcome["releases"].items()} == {"2023": "published", "2024": "published"}
    assert events == [("build", 2023), ("written", 2023), ("build", 2024), ("written", 2024)]
