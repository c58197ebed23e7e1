"""A release subflow runs without heartbeats of its own (its parent's heartbeats cover the process)."""
from __future__ import annotations

from prefect.settings import get_current_settings

from flows import release


def test_release_subflows_send_no_heartbeats_and_the_parent_keeps_them(monkeypatch):
    seen: list = []
    monkeypatch.setattr(release, "release_flow",
                        lambda *args: seen.append(get_current_settings().flows.heartbeat_frequency) or {"ok": True})
    assert release.run_release.fn("warehouse", 2024, "run") == {"ok": True}
    assert seen == [None]
    assert get_current_settings().flows.heartbeat_frequency is not None
