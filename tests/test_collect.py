"""Collecting inputs: directories plus URLs, with unchanged or unreachable pages served from the raw archive."""
from __future__ import annotations

from tasks.ingest.collect import FETCH_STATE_FILE, archived_inputs, collect_sources, merge_inputs
from tasks.ingest.raw import RawDocument
from tasks.ingest.sources import FetchSettings, SourcesConfig
from tasks.store.warehouse import Warehouse

PAGE = "<p>2024年医保统计公报</p>".encode("utf-8")
SETTINGS = FetchSettings(timeout=2, retries=0, backoff=0)


def config(tmp_path, httpserver) -> SourcesConfig:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "a.txt").write_text("2024年全国医疗保障事业发展统计公报", encoding="utf-8")
    return SourcesConfig(directories=(docs,), urls=(httpserver.url_for("/page.html"),), fetch=SETTINGS)


def test_first_collect_reads_files_and_fetches_urls(tmp_path, httpserver):
    httpserver.expect_request("/page.html").respond_with_data(PAGE, content_type="text/html", headers={"ETag": "e1"})
    got = collect_sources(config(tmp_path, httpserver), Warehouse(tmp_path / "wh"))
    assert sorted(r.source_uri.rsplit("/", 1)[-1] for r in got.raws) == ["a.txt", "page.html"]
    assert got.errors == [] and got.fetch_state_changed
    assert got.fetch_state[httpserver.url_for("/page.html")]["etag"] == "e1"


def test_unchanged_page_comes_from_the_archive_and_changes_no_state(tmp_path, httpserver):
    wh = Warehouse(tmp_path / "wh")
    url = httpserver.url_for("/page.html")
    raw = RawDocument(url, PAGE, "2025-07-14T08:00:00Z", "text/html")
    wh.put_raw(raw)
    wh.write_json(FETCH_STATE_FILE, {url: {"sha256": raw.sha256, "etag": "e1", "fetched_at": raw.fetched_at}})
    httpserver.expect_request("/page.html", headers={"If-None-Match": "e1"}).respond_with_data("", status=304)
    got = collect_sources(config(tmp_path, httpserver), wh)
    page = next(r for r in got.raws if r.source_uri == url)
    assert page.data == PAGE and page.fetched_at == "2025-07-14T08:00:00Z" and page.content_type == "text/html"
    assert not got.fetch_state_changed and got.errors == []


def test_unreachable_page_falls_back_to_its_snapshot_and_is_reported(tmp_path, httpserver):
    wh = Warehouse(tmp_path / "wh")
    url = httpserver.url_for("/page.html")
    raw = RawDocument(url, PAGE, "2025-07-14T08:00:00Z", "text/html")
    wh.put_raw(raw)
    wh.write_json(FETCH_STATE_FILE, {url: {"sha256": raw.sha256, "fetched_at": raw.fetched_at}})
    httpserver.expect_request("/page.html").respond_with_data("down", status=500)
    got = collect_sources(config(tmp_path, httpserver), wh)
    assert any(r.source_uri == url and r.data == PAGE for r in got.raws)
    assert [e.source for e in got.errors] == [url]
    assert "HTTP 500" in got.errors[0].reason and "using the snapshot fetched 2025-07-14T08:00:00Z" in got.errors[0].reason


def test_never_fetched_page_that_fails_is_only_an_error(tmp_path, httpserver):
    httpserver.expect_request("/page.html").respond_with_data("down", status=500)
    got = collect_sources(config(tmp_path, httpserver), Warehouse(tmp_path / "wh"))
    assert [r.source_uri.rsplit("/", 1)[-1] for r in got.raws] == ["a.txt"]
    assert "no earlier snapshot" in got.errors[0].reason


def test_archive_gives_the_latest_snapshot_per_uri_and_current_inputs_win(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    wh.put_raw(RawDocument("http://x/a", b"old", "2025-01-01T00:00:00Z", "text/html"))
    wh.put_raw(RawDocument("http://x/a", b"new", "2025-02-01T00:00:00Z", "text/html"))
    wh.put_raw(RawDocument("/d/b.txt", b"bee", "2025-01-05T00:00:00Z", "text/plain"))
    archived = archived_inputs(wh)
    assert [(r.source_uri, r.data) for r in archived] == [("/d/b.txt", b"bee"), ("http://x/a", b"new")]
    merged = merge_inputs([RawDocument("/d/b.txt", b"bee v2")], archived)
    assert [(r.source_uri, r.data) for r in merged] == [("/d/b.txt", b"bee v2"), ("http://x/a", b"new")]
