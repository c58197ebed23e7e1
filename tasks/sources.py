"""Where input documents come from: a directory tree, or a sources YAML listing directories and URLs."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

from tasks.alerts import SEVERITY_RANK
from tasks.raw import RawDocument

SUFFIX_TYPES = {".txt": "text/plain", ".md": "text/markdown", ".html": "text/html", ".htm": "text/html"}
ALERT_URLS_ENV = "BULLETIN_ETL_ALERT_URLS"


class SourcesError(ValueError):
    """The sources file is malformed (the message names the file and the problem)."""


@dataclass(frozen=True)
class IngestError:
    """An input that could not be read: which one and why; the run goes on without it."""

    source: str
    reason: str


@dataclass(frozen=True)
class FetchSettings:
    """Limits of URL fetching: time, retries with exponential backoff, size and accepted content types."""

    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0
    max_bytes: int = 5_000_000
    content_types: tuple[str, ...] = ("text/html", "text/plain", "text/markdown", "application/xhtml+xml")


@dataclass(frozen=True)
class SourcesConfig:
    """Everything a run reads from: directories, URLs, fetch limits and where alerts go."""

    directories: tuple[Path, ...] = ()
    urls: tuple[str, ...] = ()
    fetch: FetchSettings = field(default_factory=FetchSettings)
    alert_urls: tuple[str, ...] = ()
    alert_min_severity: str = "warning"
    origin: str = ""


def now_utc() -> str:
    """Fetch time as ISO-8601 UTC (provenance only; never written into data files)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def resolve_sources(path: str | Path) -> SourcesConfig:
    """A directory is a source by itself; a .yml/.yaml file is a sources file."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() in (".yml", ".yaml"):
        return load_sources_file(path)
    if not path.is_dir():
        raise SourcesError(f"{path}: no such directory or sources file (expected a directory or a .yml/.yaml file)")
    return SourcesConfig(directories=(path,), origin=str(path))


def load_sources_file(path: Path) -> SourcesConfig:
    """Read and check a sources YAML file; relative directories are relative to the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read sources file ({exc.strerror or exc})") from exc
    return parse_sources(text, base_dir=path.parent, origin=str(path))


def parse_sources(text: str, base_dir: Path, origin: str = "<sources>") -> SourcesConfig:
    """Parse sources YAML text into a checked SourcesConfig."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SourcesError(f"{origin}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise SourcesError(f"{origin}: expected a mapping with 'directories', 'urls', 'fetch', 'alerts'")
    unknown = set(data) - {"directories", "urls", "fetch", "alerts"}
    if unknown:
        raise SourcesError(f"{origin}: unknown keys {sorted(unknown)}")
    dirs = tuple(_as_path(d, base_dir) for d in _str_list(data, "directories", origin))
    urls = tuple(_str_list(data, "urls", origin))
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise SourcesError(f"{origin}: urls must start with http:// or https://: {bad}")
    alerts = data.get("alerts") or {}
    if not isinstance(alerts, dict):
        raise SourcesError(f"{origin}: 'alerts' must be a mapping with 'urls' and 'min_severity'")
    severity = str(alerts.get("min_severity", "warning"))
    if severity not in SEVERITY_RANK:
        raise SourcesError(f"{origin}: alerts.min_severity must be one of {list(SEVERITY_RANK)}")
    return SourcesConfig(directories=dirs, urls=urls, fetch=_fetch_settings(data.get("fetch"), origin),
                         alert_urls=tuple(_str_list(alerts, "urls", origin)), alert_min_severity=severity,
                         origin=origin)


def _str_list(data: dict, key: str, origin: str) -> list[str]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise SourcesError(f"{origin}: '{key}' must be a list of non-empty strings")
    return items


def _as_path(item: str, base_dir: Path) -> Path:
    path = Path(os.path.expanduser(item))
    return path if path.is_absolute() else base_dir / path


def _fetch_settings(data: object, origin: str) -> FetchSettings:
    if data is None:
        return FetchSettings()
    if not isinstance(data, dict):
        raise SourcesError(f"{origin}: 'fetch' must be a mapping")
    allowed = set(FetchSettings.__dataclass_fields__)
    unknown = set(data) - allowed
    if unknown:
        raise SourcesError(f"{origin}: unknown fetch settings {sorted(unknown)}; allowed: {sorted(allowed)}")
    values = dict(data)
    if "content_types" in values:
        values["content_types"] = tuple(values["content_types"])
    try:
        settings = FetchSettings(**values)
        numbers_ok = settings.timeout > 0 and settings.retries >= 0 and settings.backoff >= 0
        if not numbers_ok or settings.max_bytes <= 0:
            raise ValueError("timeout and max_bytes must be positive, retries and backoff not negative")
    except (TypeError, ValueError) as exc:
        raise SourcesError(f"{origin}: bad fetch settings ({exc})") from exc
    return settings


def alert_urls(config: SourcesConfig, environ: dict[str, str] | None = None) -> list[str]:
    """Apprise URLs from the environment variable plus the sources file, without duplicates."""
    env = (environ if environ is not None else os.environ).get(ALERT_URLS_ENV, "")
    urls = [u.strip() for u in env.split(",") if u.strip()] + list(config.alert_urls)
    return list(dict.fromkeys(urls))


def read_directory(root: Path) -> tuple[list[RawDocument], list[IngestError]]:
    """Every .txt/.md/.html/.htm file under root, recursively and sorted; unreadable ones become errors."""
    if not root.is_dir():
        return [], [IngestError(str(root), "sources directory does not exist")]
    raws: list[RawDocument] = []
    errors: list[IngestError] = []
    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIX_TYPES and not p.is_dir())
    for path in paths:
        raw, error = read_file(path)
        raws += [raw] if raw else []
        errors += [error] if error else []
    return raws, errors


def read_file(path: Path) -> tuple[RawDocument | None, IngestError | None]:
    """One file as a RawDocument, or why it cannot be read (decoding is the documents stage's job)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, IngestError(str(path), f"unreadable: {exc.strerror or exc}")
    return RawDocument(source_uri=str(path), data=data, fetched_at=now_utc(),
                       content_type=SUFFIX_TYPES[path.suffix.lower()]), None

