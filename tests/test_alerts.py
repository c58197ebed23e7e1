"""Alert records and their delivery to an Apprise webhook on loopback (json://), which never fails a run."""
from __future__ import annotations

import pandas as pd
import pytest

from tasks.quality import alerts, notice
from tasks.contract.schema import columns

RECORDS = [
    alerts.make_alert(2024, "warning", "conflict", "published 63.4 percent; other sources state 63.2",
                      indicator_id="cross_region.visits", period_year=2024, measure="yoy_pct", doc_id="6f1d39fb7c2bd3b1"),
    alerts.make_alert(2024, "critical", "published_suite:expect_column_values_to_be_in_set", "column unit; 1 unexpected"),
    alerts.make_alert(0, "info", "note", "just so you know"),
]


def test_alert_records_have_the_dataset_columns():
    frame = alerts.alerts_frame(RECORDS, "run-1")
    assert list(frame.columns) == columns("alerts") and set(frame["run_id"]) == {"run-1"}
    assert frame["period_year"][0] == 2024 and pd.isna(frame["period_year"][1])
    with pytest.raises(ValueError, match="unknown severity"):
        alerts.make_alert(2024, "loud", "x", "y")


def test_published_alerts_flag_conflicts_and_repairs_only():
    published = pd.DataFrame([
        {"indicator_id": "bmi.fund.revenue", "period_year": 2024, "measure": "level", "value": 3.491337e12,
         "unit": "CNY", "status": "repaired", "sources": "3785d4ff51e68f84;6f1d39fb7c2bd3b1",
         "note": "x1000 unit error corrected", "source_text": "CNY 34,913.37 billion", "release_year": 2024},
        {"indicator_id": "bmi.participants", "period_year": 2024, "measure": "level", "value": 1.32662e9,
         "unit": "persons", "status": "agreed", "sources": "a", "note": "", "source_text": "", "release_year": 2024},
    ])
    found = alerts.published_alerts(published)
    assert [(a["rule"], a["indicator_id"], a["doc_id"]) for a in found] == [
        ("repaired_value", "bmi.fund.revenue", "3785d4ff51e68f84")]
    assert "x1000 unit error corrected" in found[0]["evidence"] and "CNY 34,913.37 billion" in found[0]["evidence"]


def test_notification_respects_min_severity_and_puts_critical_first():
    title, body = alerts.notification(RECORDS, "run-1", "warning")
    assert title == "bulletin-etl: 1 critical, 1 warning (run run-1)"
    assert body.index("critical") < body.index("conflict") and "just so you know" not in body
    assert alerts.notification(RECORDS[:1], "run-1", "critical") is None


def test_redact_keeps_tokens_out_of_logs():
    assert alerts.redact("slack://T000SECRET/B000/XXXXSECRET") == "slack://…"
    assert alerts.redact("json://user:pw@hooks.example.org:8443/x?token=s") == "json://hooks.example.org:8443"


def test_delivery_posts_the_alerts_to_a_webhook(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    url = f"json://{httpserver.host}:{httpserver.port}/hook"
    report = alerts.deliver(RECORDS, [url], "run-1", sleep=lambda s: None)
    assert report == [{"target": f"json://{httpserver.host}:{httpserver.port}", "delivered": True, "attempts": 1,
                       "error": ""}]
    payload = httpserver.log[0][0].get_json()
    assert payload["title"].startswith("bulletin-etl: 1 critical") and payload["type"] == "failure"
    assert "cross_region.visits" in payload["message"]


def test_failed_delivery_is_retried_reported_and_never_raised(httpserver):
    httpserver.expect_request("/hook").respond_with_data("down", status=500)
    url = f"json://{httpserver.host}:{httpserver.port}/hook"
    delays: list[float] = []
    report = alerts.deliver(RECORDS, [url, "notaservice://nowhere"], "run-1", retries=2, backoff=0.1,
                            sleep=delays.append)
    assert report[0]["delivered"] is False and report[0]["attempts"] == 3 and delays == [0.1, 0.2]
    assert sum(1 for request, _ in httpserver.log if request.path == "/hook") == 3
    assert report[1] == {"target": "notaservice://…", "delivered": False, "attempts": 0,
                         "error": "invalid Apprise URL"}


def test_nothing_is_sent_without_urls_or_alerts():
    assert alerts.deliver(RECORDS, [], "run-1") == []
    assert alerts.deliver([], ["json://localhost:1/x"], "run-1") == []


def test_suspect_and_unconfirmed_rows_raise_warnings():
    rows = [{"indicator_id": "bmi.fund.revenue", "period_year": 2024, "measure": "level", "value": 3.49e12,
             "unit": "CNY", "status": status, "sources": "a", "note": why, "source_text": "", "release_year": 2024}
            for status, why in (("suspect", "only the plausible range suggests it"),
                                ("unconfirmed", "no rule settles the disagreement"))]
    found = alerts.published_alerts(pd.DataFrame(rows))
    assert [(a["severity"], a["rule"]) for a in found] == [("warning", "suspect_value"),
                                                            ("warning", "unconfirmed_value")]
    assert "only the plausible range" in found[0]["evidence"]


CONTEXT = {"host": "etl-box-7", "warehouse": "/srv/wh", "flow_run_id": "fr-42",
           "flow_run_url": "http://127.0.0.1:4200/runs/flow-run/fr-42",
           "releases": {"2024": {"status": "published", "report": "file:///srv/wh/releases/2024/report.html"},
                        "2023": {"status": "blocked", "report": "file:///srv/wh/releases/2023/report.html"}}}


def test_flagged_values_read_as_people_read_them():
    published = pd.DataFrame([{"indicator_id": "bmi.fund.revenue", "period_year": 2024, "measure": "level",
                               "value": 3862852000000.0, "unit": "CNY", "status": "conflict", "sources": "a",
                               "note": "", "source_text": "", "release_year": 2024}])
    evidence = alerts.published_alerts(published)[0]["evidence"]
    assert "CNY 3,862.852 bn" in evidence and "3862852000000" not in evidence


def test_the_webhook_payload_says_where_what_was_published_and_what_to_do(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    found = [alerts.make_alert(2024, "warning", "conflict", "published CNY 3,862.852 bn", indicator_id="x"),
             alerts.make_alert(2023, "critical", "release_shrink", "would remove 81 of 135 rows")]
    alerts.deliver(found, [f"json://{httpserver.host}:{httpserver.port}/hook"], "run-1", context=CONTEXT)
    message = httpserver.log[0][0].get_json()["message"]
    assert "etl-box-7" in message and "/srv/wh" in message and "runs/flow-run/fr-42" in message
    assert "release 2024 **published anyway** with 1 warning" in message
    assert "file:///srv/wh/releases/2024/report.html" in message
    blocked = next(line for line in message.splitlines() if line.startswith("release 2023"))
    assert "**blocked**" in blocked and "--accept-shrink" in blocked and "CNY 3,862.852 bn" in message


def test_the_ledger_keeps_sent_findings_and_forgets_those_a_rebuild_no_longer_has():
    old, new = RECORDS[0], alerts.make_alert(2024, "warning", "conflict", "another", indicator_id="y")
    other_release = alerts.make_alert(2022, "warning", "conflict", "kept", indicator_id="z")
    ledger = notice.ledger_after({}, [old, other_release], [old, other_release], {2022, 2024})
    assert notice.unnotified([old, other_release], ledger) == []
    assert notice.unnotified([old, new], ledger) == [new]
    assert notice.fingerprint({**old, "run_id": "a later run"}) == notice.fingerprint(old)
    gone = notice.ledger_after(ledger, [new], [new], {2024})      # release 2024 rebuilt without the old finding
    assert notice.unnotified([old], gone) == [old] and notice.unnotified([other_release], gone) == []
