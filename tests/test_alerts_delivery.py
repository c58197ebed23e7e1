"""Alerts a real run sends to a loopback webhook: where from, readable numbers, links, published anyway or
blocked with what to do; a rebuild with the same findings sends nothing, a new finding is sent."""
from __future__ import annotations

import shutil
import socket

import pytest

from conftest import SEEDS
from flows.pipeline import release_pipeline

pytestmark = pytest.mark.slow


def _posts(httpserver) -> list[dict]:
    return [r.get_json() for r, _ in httpserver.log if r.path == "/alerts"]


def test_alerts_are_readable_linked_and_sent_once(prefect_harness, httpserver, tmp_path, monkeypatch):
    httpserver.expect_request("/alerts", method="POST").respond_with_data("ok")
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copyfile(SEEDS / "003_3785d4ff51e68f84.txt", docs / "003.txt")
    text = (SEEDS / "000_6f1d39fb7c2bd3b1.txt").read_text(encoding="utf-8")
    (docs / "000_typo.txt").write_text(text.replace("13.27亿", "12.27亿"), encoding="utf-8")
    sources = tmp_path / "sources.yml"
    sources.write_text(f"directories: [docs]\nalerts:\n  urls: ['json://{httpserver.host}:{httpserver.port}/alerts']\n",
                       encoding="utf-8")
    warehouse = tmp_path / "wh"
    first = release_pipeline(sources=str(sources), warehouse=str(warehouse))
    assert first["releases"]["2024"]["status"] == "published" and len(_posts(httpserver)) == 1
    message = _posts(httpserver)[0]["message"]
    assert socket.gethostname() in message and str(warehouse.resolve()) in message
    assert (warehouse.resolve() / "releases" / "2024" / "report.html").as_uri() in message
    assert first["flow_run_id"] in message and "release 2024 **published anyway**" in message
    assert "bmi.participants" in message and " bn" in message and ".0 CNY" not in message

    again = release_pipeline(sources=str(sources), warehouse=str(warehouse))      # same findings: silence
    assert again["releases"]["2024"]["status"] == "published" and again["alerts"]
    assert len(_posts(httpserver)) == 1 and "deliveries" not in again

    (docs / "gone.txt").symlink_to(docs / "missing")                              # one new finding
    release_pipeline(sources=str(sources), warehouse=str(warehouse))
    assert len(_posts(httpserver)) == 2
    news = _posts(httpserver)[1]["message"]
    assert "gone.txt" in news and "bmi.participants" not in news

    import tasks.publish.reconcile

    original = tasks.publish.reconcile.publish_release

    def wrong_unit(*args, **kwargs):
        table = original(*args, **kwargs)
        table.loc[table.index[0], "unit"] = "furlongs"
        return table

    monkeypatch.setattr(tasks.publish.reconcile, "publish_release", wrong_unit)
    blocked = release_pipeline(sources=str(sources), warehouse=str(warehouse))
    assert blocked["releases"]["2024"]["status"] == "blocked" and len(_posts(httpserver)) == 3
    line = next(x for x in _posts(httpserver)[2]["message"].splitlines() if x.startswith("release 2024"))
    assert "**blocked**" in line and "what to do:" in line and "validation.html" in line
