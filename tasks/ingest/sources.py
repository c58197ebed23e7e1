"""Where input documents come from: directory trees, single files, sources YAMLs listing directories and URLs."""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import yaml

from tasks.quality.alerts import SEVERITY_RANK
from tasks.ingest.limits import LimitExceeded, Limits, default_limits, line_refusal, parse_limits, read_capped
from tasks.ingest.raw import RawDocument

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
    limits: Limits = field(default_factory=default_limits)   # whole-download deadline, line length (not a key)


@dataclass(frozen=True)
class SourcesConfig:
    """Everything a run reads from: directories, URLs, fetch limits and where alerts go."""

    directories: tuple[Path, ...] = ()
    urls: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    fetch: FetchSettings = field(default_factory=FetchSettings)
    alert_urls: tuple[str, ...] = ()
    alert_min_severity: str = "warning"
    origin: str = ""
    limits: Limits = field(default_factory=default_limits)


def now_utc() -> str:
    """Fetch time as ISO-8601 UTC (provenance only; never written into data files)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def resolve_sources(spec: str | Path | Sequence[str | Path]) -> SourcesConfig:
    """One source or several combined: a directory, a .txt/.md/.html/.htm file, a .yml/.yaml sources file; a
    string holding os.pathsep (seeds:more.yml, how a flow parameter names several) is split like PATH."""
    items = [spec] if isinstance(spec, (str, Path)) else list(spec)
    paths = [Path(p) for item in items for p in _split(item)]
    if not paths:
        raise SourcesError("no sources given")
    return combine_sources([_resolve_one(p) for p in paths])


def joined_sources(paths: Sequence[str | Path]) -> str:
    """Several sources as one flow parameter string (absolute paths joined by os.pathsep)."""
    return os.pathsep.join(str(Path(p).absolute()) for p in paths)


def _split(item: str | Path) -> list[str]:
    text = str(item)
    return [text] if os.pathsep not in text or Path(text).exists() else [p for p in text.split(os.pathsep) if p]


def _resolve_one(path: Path) -> SourcesConfig:
    if path.is_file() and path.suffix.lower() in (".yml", ".yaml"):
        return load_sources_file(path)
    if path.is_file() and path.suffix.lower() in SUFFIX_TYPES:
        return SourcesConfig(files=(path,), origin=str(path))
    if path.is_file():
        raise SourcesError(f"{path}: not a document ({', '.join(SUFFIX_TYPES)}) nor a .yml/.yaml sources file")
    if not path.is_dir():
        raise SourcesError(f"{path}: no such directory or sources file (expected a directory or a .yml/.yaml file)")
    return SourcesConfig(directories=(path,), origin=str(path))


def combine_sources(configs: list[SourcesConfig]) -> SourcesConfig:
    """Every directory, file, URL and alert URL of all configs (first occurrence kept); fetch settings, limits and
    the alert threshold may be set by one sources file only, or alike in several, never differently."""
    if len(configs) == 1:
        return configs[0]
    default = SourcesConfig()
    settings = {}
    for name in ("fetch", "limits", "alert_min_severity"):
        chosen = {repr(getattr(c, name)): c for c in configs if getattr(c, name) != getattr(default, name)}
        if len(chosen) > 1:
            raise SourcesError(f"{' and '.join(c.origin for c in chosen.values())}: different {name} settings; "
                               "set them in one sources file only")
        settings[name] = getattr(next(iter(chosen.values()), default), name)
    merged = {name: tuple(dict.fromkeys(x for c in configs for x in getattr(c, name)))
              for name in ("directories", "files", "urls", "alert_urls")}
    return replace(default, **merged, **settings, origin=" + ".join(c.origin for c in configs))


def load_sources_file(path: Path) -> SourcesConfig:
    """Read and check a sources YAML file; relative directories are relative to the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read sources file ({exc.strerror or exc})") from exc
    return parse_sources(text, base_dir=path.parent, origin=str(path))


def require_inputs(config: SourcesConfig) -> SourcesConfig:
    """The config, or a SourcesError when nothing it names exists (no directory there and no URL): a run over
    no inputs is a configuration error, as the same missing directory given on the command line is."""
    if config.urls or any(d.is_dir() for d in config.directories) or any(f.is_file() for f in config.files):
        return config
    missing = ", ".join(str(d) for d in config.directories + config.files) or "none listed"
    raise SourcesError(f"{config.origin}: no such sources directory ({missing}) and no urls: nothing to read")


def parse_sources(text: str, base_dir: Path, origin: str = "<sources>") -> SourcesConfig:
    """Parse sources YAML text into a checked SourcesConfig."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SourcesError(f"{origin}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise SourcesError(f"{origin}: expected a mapping with 'directories', 'urls', 'fetch', 'alerts'")
    unknown = set(data) - {"directories", "urls", "fetch", "alerts", "limits"}
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
    try:
        limits = parse_limits(data.get("limits"), origin)
    except ValueError as exc:
        raise SourcesError(str(exc)) from exc
    return SourcesConfig(directories=dirs, urls=urls, fetch=_fetch_settings(data.get("fetch"), origin, limits),
                         alert_urls=tuple(_str_list(alerts, "urls", origin)), alert_min_severity=severity,
                         origin=origin, limits=limits)


def _str_list(data: dict, key: str, origin: str) -> list[str]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise SourcesError(f"{origin}: '{key}' must be a list of non-empty strings")
    return items


def _as_path(item: str, base_dir: Path) -> Path:
    path = Path(os.path.expanduser(item))
    return path if path.is_absolute() else base_dir / path


def _fetch_settings(data: object, origin: str, limits: Limits) -> FetchSettings:
    if data is None:
        return FetchSettings(limits=limits)
    if not isinstance(data, dict):
        raise SourcesError(f"{origin}: 'fetch' must be a mapping")
    allowed = set(FetchSettings.__dataclass_fields__) - {"limits"}
    unknown = set(data) - allowed
    if unknown:
        raise SourcesError(f"{origin}: unknown fetch settings {sorted(unknown)}; allowed: {sorted(allowed)}")
    values = {**data, "limits": limits}
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


def read_local(config: SourcesConfig) -> tuple[list[RawDocument], list[IngestError]]:
    """Every configured directory tree and single file (a file named on its own is read wherever it lives)."""
    raws: list[RawDocument] = []
    errors: list[IngestError] = []
    for directory in config.directories:
        found, failed = read_directory(directory, config.limits)
        raws, errors = raws + found, errors + failed
    for path in config.files:
        raw, error = read_file(path, config.limits)
        raws += [raw] if raw else []
        errors += [error] if error else []
    return raws, errors


def read_directory(root: Path, limits: Limits | None = None) -> tuple[list[RawDocument], list[IngestError]]:
    """Every .txt/.md/.html/.htm file under root, recursively and sorted; unreadable, oversized files and links
    leaving root become errors naming the file (the rest is read)."""
    if not root.is_dir():
        return [], [IngestError(str(root), "sources directory does not exist")]
    limits = limits or default_limits()
    real_root = root.resolve()
    raws: list[RawDocument] = []
    errors: list[IngestError] = []
    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIX_TYPES and not p.is_dir())
    folders: dict[Path, Path] = {}          # each directory resolved once, not every file's whole path
    for path in paths:
        outside = _outside(path, real_root, folders)
        raw, error = (None, IngestError(str(path), outside)) if outside else read_file(path, limits)
        raws += [raw] if raw else []
        errors += [error] if error else []
    return raws, errors


def _outside(path: Path, real_root: Path, folders: dict[Path, Path] | None = None) -> str:
    """Why a path is refused for leading out of the sources root through a symbolic link ('' when inside); a
    plain file lies where its directory resolves to (`folders` caches directories already resolved)."""
    folders = {} if folders is None else folders
    if path.is_symlink():
        target = path.resolve()
    else:
        if path.parent not in folders:
            folders[path.parent] = path.parent.resolve()
        target = folders[path.parent] / path.name
    if target == real_root or real_root in target.parents:
        return ""
    return f"refused: symbolic link leaves the sources directory {real_root} (points to {target})"


def read_file(path: Path, limits: Limits | None = None) -> tuple[RawDocument | None, IngestError | None]:
    """One file as a RawDocument, or why it cannot be read or is over a limit (decoding is the documents
    stage's job; the line-length check decodes a copy to measure lines of the text, not of the markup)."""
    limits = limits or default_limits()
    try:
        data = read_capped(path, limits.max_document_bytes)
    except LimitExceeded as exc:
        return None, IngestError(str(path), f"refused: {exc}")
    except OSError as exc:
        return None, IngestError(str(path), f"unreadable: {exc.strerror or exc}")
    raw = RawDocument(source_uri=str(path), data=data, fetched_at=now_utc(),
                      content_type=SUFFIX_TYPES[path.suffix.lower()])
    refusal = text_refusal(raw, limits)
    return (None, IngestError(str(path), f"refused: {refusal}")) if refusal else (raw, None)


def text_refusal(raw: RawDocument, limits: Limits) -> str:
    """Why a raw document's decoded text is over the line limit ('' when fine or not decodable here)."""
    from tasks.ingest.documents import DecodeError, decode

    if len(raw.data) <= limits.max_line_chars:   # no decoding gives more characters than it has bytes
        return ""
    try:
        text, _ = decode(raw)
    except DecodeError:
        return ""            # the documents stage quarantines it with the reason
    return line_refusal(text, limits)

