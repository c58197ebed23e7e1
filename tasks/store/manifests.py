"""Run manifests read back (runs/<run_id>.json), so status can say when each release was last built."""
from __future__ import annotations

import json
from pathlib import Path


def run_manifests(root: str | Path) -> list[dict]:
    """Every readable run manifest of a warehouse, oldest first (run ids sort by start time)."""
    out = []
    for path in sorted((Path(root) / "runs").glob("*.json")):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):      # a manifest being written or damaged says nothing about builds
            continue
    return out
