"""Fetch bulletin pages over HTTP politely: timeouts, a whole-download deadline, retries with backoff, size, line
and type limits, conditional GET."""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from tasks.ingest.raw import RawDocument
from tasks.ingest.sources import FetchSettings, now_utc, text_refusal

log = logging.getLogger(__name__)
USER_AGENT = "bulletin-etl/0.1 (statistical bulletin archiver)"
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchRejected(Exception):
    """A response the pipeline refuses (too large, wrong type, client error): retrying will not help."""


class FetchRetryable(Exception):
    """A failure worth retrying (server error, timeout, connection problem)."""


@dataclass(frozen=True)
class FetchOutcome:
    """What one URL gave: new bytes, the same bytes as last time, or an error with its reason."""

    url: str
    status: str                      # new, unchanged, error
    raw: RawDocument | None = None   # the bytes when the server sent them (new or unchanged by sha256)
    sha256: str = ""                 # current content hash ('' when never fetched successfully)
    validators: dict = field(default_factory=dict)   # etag, last_modified, sha256, fetched_at
    reason: str = ""
    attempts: int = 1


def fetch_urls(urls: list[str], settings: FetchSettings, previous: dict[str, dict]) -> list[FetchOutcome]:
    """Fetch every URL in order with one client; previous holds last run's validators per URL."""
    with httpx.Client(timeout=httpx.Timeout(settings.timeout), follow_redirects=True,
                      headers={"User-Agent": USER_AGENT}) as client:
        return [fetch_url(client, url, settings, previous.get(url)) for url in urls]


def fetch_url(client: httpx.Client, url: str, settings: FetchSettings, previous: dict | None,
              sleep: Callable[[float], None] = time.sleep) -> FetchOutcome:
    """Fetch one URL with conditional GET, retrying transient failures with exponential backoff."""
    previous = previous or {}
    headers = {}
    if previous.get("sha256") and previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous.get("sha256") and previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    attempts = settings.retries + 1
    for attempt in range(1, attempts + 1):
        try:
            return _fetch_once(client, url, settings, headers, previous, attempt)
        except FetchRejected as exc:
            return _error(url, previous, str(exc), attempt)
        except FetchRetryable as exc:
            reason = str(exc)
        except httpx.TimeoutException:
            reason = f"timed out after {settings.timeout:g} s"
        except httpx.HTTPError as exc:
            reason = f"{type(exc).__name__}: {exc}"
        if attempt < attempts:
            delay = settings.backoff * 2 ** (attempt - 1)
            log.warning("fetch %s failed (%s); retry %d/%d in %.2f s", url, reason, attempt, settings.retries, delay)
            sleep(delay)
    return _error(url, previous, f"{reason} (after {attempts} attempts)", attempts)


def _fetch_once(client: httpx.Client, url: str, settings: FetchSettings, headers: dict, previous: dict,
                attempt: int) -> FetchOutcome:
    deadline = time.monotonic() + settings.limits.download_seconds
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 304 and previous.get("sha256"):
            validators = {**previous, **_validators(response)}
            return FetchOutcome(url, "unchanged", None, previous["sha256"], validators, "not modified (304)",
                                attempt)
        if response.status_code in RETRY_STATUS:
            raise FetchRetryable(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise FetchRejected(f"HTTP {response.status_code}")
        content_type = response.headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in settings.content_types:
            raise FetchRejected(f"content-type {media_type or 'missing'!r} is not one of {list(settings.content_types)}")
        data = _read_limited(response, min(settings.max_bytes, settings.limits.max_document_bytes), deadline,
                             settings.limits.download_seconds)
    fetched_at = now_utc()
    sha = hashlib.sha256(data).hexdigest()
    raw = RawDocument(source_uri=url, data=data, fetched_at=fetched_at, content_type=content_type)
    refusal = text_refusal(raw, settings.limits)
    if refusal:
        raise FetchRejected(refusal)
    validators = {**_validators(response), "sha256": sha, "fetched_at": fetched_at}
    if sha == previous.get("sha256"):
        return FetchOutcome(url, "unchanged", raw, sha, {**previous, **_validators(response)},
                            "same sha256 as last fetch", attempt)
    return FetchOutcome(url, "new", raw, sha, validators, "", attempt)


def _read_limited(response: httpx.Response, max_bytes: int, deadline: float = float("inf"),
                  seconds: float = 0.0) -> bytes:
    """The body in chunks, refused past max_bytes or past the whole-download deadline (a server dripping bytes
    cannot hold the run: each read waits at most fetch.timeout, and the deadline is checked after every chunk)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRejected(f"response of {int(declared)} bytes exceeds the limit of {max_bytes} bytes")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchRejected(f"response exceeds the limit of {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise FetchRejected(f"download not finished after {seconds:g} s: over the whole-download deadline "
                                f"(limits.download_seconds) with {size} bytes received")
        chunks.append(chunk)
    return b"".join(chunks)


def _validators(response: httpx.Response) -> dict:
    found = {"etag": response.headers.get("etag", ""), "last_modified": response.headers.get("last-modified", "")}
    return {k: v for k, v in found.items() if v}


def _error(url: str, previous: dict, reason: str, attempts: int) -> FetchOutcome:
    log.warning("fetch %s: %s", url, reason)
    return FetchOutcome(url, "error", None, previous.get("sha256", ""), dict(previous), reason, attempts)
