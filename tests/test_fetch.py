"""URL fetching against a real loopback HTTP server: 200, 304 on ETag, 500, timeout, oversized, wrong type."""
from __future__ import annotations

import hashlib
import time

import httpx
import pytest
from werkzeug import Response

from tasks.ingest.fetch import fetch_url, fetch_urls
from tasks.ingest.sources import FetchSettings

PAGE = "<html><body><p>2024年全国医疗保障事业发展统计公报</p></body></html>".encode("utf-8")
FAST = FetchSettings(timeout=2.0, retries=2, backoff=0.01, max_bytes=10_000)


def requests_to(server, path: str) -> int:
    """Requests the server received for a path (a slow handler of an earlier test may still log late)."""
    return sum(1 for request, _ in server.log if request.path == path)


def fetch(server, path, previous=None, settings=FAST):
    delays: list[float] = []
    with httpx.Client(timeout=settings.timeout) as client:
        outcome = fetch_url(client, server.url_for(path), settings, previous, sleep=delays.append)
    return outcome, delays


def test_200_gives_new_bytes_with_provenance_and_validators(httpserver):
    httpserver.expect_request("/b.html").respond_with_data(
        PAGE, content_type="text/html; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 14 Jul 2025 08:00:00 GMT"})
    outcome, _ = fetch(httpserver, "/b.html")
    assert outcome.status == "new" and outcome.raw.data == PAGE
    assert outcome.raw.source_uri == httpserver.url_for("/b.html") and outcome.raw.fetched_at.endswith("Z")
    assert outcome.raw.content_type == "text/html; charset=utf-8"
    assert outcome.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert outcome.validators["etag"] == '"v1"' and outcome.validators["sha256"] == outcome.sha256
    assert outcome.validators["last_modified"] == "Mon, 14 Jul 2025 08:00:00 GMT"


def test_304_on_etag_means_unchanged_without_downloading(httpserver):
    previous = {"sha256": "ab" * 32, "etag": '"v1"', "fetched_at": "2025-07-14T08:00:00Z"}
    httpserver.expect_request("/b.html", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    outcome, _ = fetch(httpserver, "/b.html", previous)
    assert (outcome.status, outcome.raw, outcome.sha256) == ("unchanged", None, "ab" * 32)
    assert outcome.validators == previous


def test_same_bytes_again_are_unchanged_by_sha256(httpserver):
    httpserver.expect_request("/b.html").respond_with_data(PAGE, content_type="text/html")
    previous = {"sha256": hashlib.sha256(PAGE).hexdigest(), "fetched_at": "2025-07-14T08:00:00Z"}
    outcome, _ = fetch(httpserver, "/b.html", previous)
    assert outcome.status == "unchanged" and outcome.raw.data == PAGE
    assert outcome.validators["fetched_at"] == "2025-07-14T08:00:00Z"


def test_500_is_retried_with_exponential_backoff_then_reported(httpserver):
    httpserver.expect_request("/down").respond_with_data("oops", status=500)
    outcome, delays = fetch(httpserver, "/down", {"sha256": "cd" * 32})
    assert outcome.status == "error" and outcome.reason == "HTTP 500 (after 3 attempts)"
    assert delays == [0.01, 0.02] and requests_to(httpserver, "/down") == 3
    assert outcome.sha256 == "cd" * 32          # the last good snapshot stays usable


def test_transient_500_then_200_succeeds(httpserver):
    httpserver.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    httpserver.expect_request("/flaky").respond_with_data(PAGE, content_type="text/html")
    outcome, delays = fetch(httpserver, "/flaky")
    assert outcome.status == "new" and outcome.attempts == 2 and delays == [0.01]


def test_timeout_is_retried_then_reported(httpserver):
    def slow(request):
        time.sleep(0.6)
        return Response(PAGE, content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    outcome, _ = fetch(httpserver, "/slow", settings=FetchSettings(timeout=0.2, retries=1, backoff=0.0))
    assert outcome.status == "error" and outcome.reason == "timed out after 0.2 s (after 2 attempts)"


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_oversized_response_is_refused_without_retry(httpserver, streamed):
    body = b"x" * 20_000
    if streamed:
        httpserver.expect_request("/big").respond_with_handler(
            lambda request: Response((body[i:i + 4096] for i in range(0, len(body), 4096)), content_type="text/html"))
    else:
        httpserver.expect_request("/big").respond_with_data(body, content_type="text/html")
    outcome, _ = fetch(httpserver, "/big")
    assert outcome.status == "error" and "exceeds the limit of 10000 bytes" in outcome.reason
    assert requests_to(httpserver, "/big") == 1


@pytest.mark.parametrize("status, content_type, reason", [
    (200, "application/pdf", "content-type 'application/pdf' is not one of"),
    (404, "text/html", "HTTP 404"),
])
def test_refused_responses_are_not_retried(httpserver, status, content_type, reason):
    httpserver.expect_request("/x").respond_with_data(b"%PDF", status=status, content_type=content_type)
    outcome, delays = fetch(httpserver, "/x")
    assert outcome.status == "error" and reason in outcome.reason and delays == [] and requests_to(httpserver, "/x") == 1


def test_fetch_urls_keeps_order_and_uses_previous_validators(httpserver):
    httpserver.expect_request("/a").respond_with_data(PAGE, content_type="text/plain")
    httpserver.expect_request("/b", headers={"If-None-Match": '"e"'}).respond_with_data("", status=304)
    urls = [httpserver.url_for("/a"), httpserver.url_for("/b")]
    outcomes = fetch_urls(urls, FAST, {urls[1]: {"sha256": "ef" * 32, "etag": '"e"'}})
    assert [(o.url, o.status) for o in outcomes] == [(urls[0], "new"), (urls[1], "unchanged")]
