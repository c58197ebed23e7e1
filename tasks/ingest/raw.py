"""The raw input unit: bytes plus where and when they came from (provenance travels with the data)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class RawDocument:
    """Bytes of one source document exactly as fetched or read."""

    source_uri: str
    data: bytes
    fetched_at: str = ""       # ISO-8601 UTC; provenance only, never written into data files
    content_type: str = ""     # from HTTP, or guessed from the file suffix

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def doc_id(self) -> str:
        """Stable id: content-addressed, so the same bytes are the same document everywhere."""
        return self.sha256[:16]
