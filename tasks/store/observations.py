"""Per-document observations kept under warehouse/observations/: a document is read once per extractor fingerprint."""
from __future__ import annotations

import json
import math
from pathlib import Path

from tasks.store.warehouse import atomic_write

FOLDER = "observations"
KEY_CHARS = 16          # of the fingerprint (folder) and of the reading context (file name)


class ObservationStore:
    """observations/<fingerprint[:16]>/<sha256[:2]>/<sha256>.<context[:16]>.json: one document's rows, as read."""

    def __init__(self, root: str | Path):
        self.root = Path(root) / FOLDER

    def path(self, key: tuple[str, str, str]) -> Path:
        sha256, fingerprint, context = key
        return self.root / fingerprint[:KEY_CHARS] / sha256[:2] / f"{sha256}.{context[:KEY_CHARS]}.json"

    def get(self, key: tuple[str, str, str]) -> dict | None:
        """The stored rows of this key, or None (missing, unreadable or written for another full key)."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            found = json.loads(path.read_text(encoding="utf-8"), object_hook=_nan_back)
        except (OSError, ValueError):
            return None
        return found if found.get("key") == list(key) else None

    def put(self, key: tuple[str, str, str], observation: dict) -> Path:
        """Write one document's rows atomically (temp file + rename)."""
        record = {"key": list(key), **observation}
        text = json.dumps(_nan_out(record), ensure_ascii=False, sort_keys=True, allow_nan=False)
        return atomic_write(self.path(key), text)

    def fingerprints(self) -> list[str]:
        """Fingerprint folders present (folders of older extractors are safe to delete)."""
        return sorted(p.name for p in self.root.glob("*") if p.is_dir()) if self.root.is_dir() else []


NAN = {"__float__": "nan"}


def _nan_out(value):
    """NaN as a marker object, so the file is strict JSON and the value comes back as the same float."""
    if isinstance(value, float) and math.isnan(value):
        return dict(NAN)
    if isinstance(value, dict):
        return {k: _nan_out(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_out(v) for v in value]
    return value


def _nan_back(obj: dict):
    return math.nan if obj == NAN else obj
