"""Bounds on one input document (bytes, line length, extraction and download time) so bad input cannot stall a run."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import yaml

LIMITS_PATH = Path(__file__).with_name("limits.yaml")
CHUNK = 1 << 16


class LimitExceeded(ValueError):
    """An input over one of the limits: the message names the input and the limit."""


@dataclass(frozen=True)
class Limits:
    """Per-document limits; defaults in tasks/ingest/limits.yaml, overridable under `limits:` in a sources YAML."""

    max_document_bytes: int
    max_line_chars: int
    extraction_seconds: float
    download_seconds: float


@lru_cache(maxsize=1)
def default_limits() -> Limits:
    """The limits of tasks/ingest/limits.yaml."""
    return parse_limits(yaml.safe_load(LIMITS_PATH.read_text(encoding="utf-8")), str(LIMITS_PATH), base=None)


def parse_limits(data: object, origin: str, base: Limits | None = None) -> Limits:
    """Limits from a mapping (missing keys keep `base`, else the defaults); ValueError names a bad key or value."""
    if data is None:
        return base or default_limits()
    if not isinstance(data, dict):
        raise ValueError(f"{origin}: 'limits' must be a mapping")
    names = {f.name: f.type for f in fields(Limits)}
    unknown = set(data) - set(names)
    if unknown:
        raise ValueError(f"{origin}: unknown limits {sorted(unknown)}; allowed: {sorted(names)}")
    values = {} if base is None and data.keys() == names.keys() else vars(base or default_limits()).copy()
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{origin}: limits.{name} must be a positive number, not {value!r}")
        values[name] = int(value) if names[name] == "int" else float(value)
    return Limits(**values)


def read_capped(path: Path, max_bytes: int) -> bytes:
    """A file's bytes, read in chunks and refused as soon as it passes max_bytes (memory stays bounded)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise LimitExceeded(f"{size} bytes exceeds the limit of {max_bytes} bytes per document "
                            "(limits.max_document_bytes)")
    chunks, total = [], 0
    descriptor = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(descriptor, CHUNK):
            total += len(chunk)
            if total > max_bytes:      # the file grew while being read
                raise LimitExceeded(f"more than {max_bytes} bytes per document (limits.max_document_bytes)")
            chunks.append(chunk)
    finally:
        os.close(descriptor)
    return b"".join(chunks)


def longest_line(text: str) -> int:
    """Characters in the longest line (any of \\n, \\r breaks a line)."""
    return max((len(line) for line in text.splitlines()), default=0)


def line_refusal(text: str, limits: Limits) -> str:
    """Why a decoded text is refused for its line length ('' when within the limit)."""
    longest = longest_line(text)
    if longest <= limits.max_line_chars:
        return ""
    return (f"a line of {longest} characters exceeds the limit of {limits.max_line_chars} characters per line "
            "(limits.max_line_chars)")


def time_refusal(seconds: float, limits: Limits) -> str:
    """Why a document whose reading took `seconds` is refused ('' when within limits.extraction_seconds)."""
    if seconds <= limits.extraction_seconds:
        return ""
    return (f"extraction took {seconds:.1f} s, over the limit of {limits.extraction_seconds:g} s per document "
            "(limits.extraction_seconds); its figures are not used")
