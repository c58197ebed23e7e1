"""The notified ledger (state/notified.json): fingerprints of alerts already sent, so a rebuild repeats none."""
from __future__ import annotations

from tasks.store.warehouse import Warehouse

NOTIFIED_FILE = "state/notified.json"


def read_notified(wh: Warehouse) -> dict[str, list[str]]:
    """release year (as text) -> fingerprints of the alerts of that release already delivered."""
    found = wh.read_json(NOTIFIED_FILE) or {}
    return {str(y): list(v) for y, v in found.get("releases", {}).items()}


def write_notified(wh: Warehouse, ledger: dict[str, list[str]]) -> None:
    """Keep the ledger after a delivery (atomic, like every state file)."""
    releases = {y: sorted(set(v)) for y, v in sorted(ledger.items(), key=lambda kv: int(kv[0]))}
    wh.write_json(NOTIFIED_FILE, {"releases": releases})
