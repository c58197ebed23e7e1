"""The validation page reads offline: every suite of a seeds run, each expectation, failing rows by name."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.extraction.process import process_documents
from tasks.ingest.raw import RawDocument
from tasks.ops.runlog import check_summary
from tasks.present.validation_page import render_validation_page
from tasks.publish.release import build_release, checks_files
from tasks.quality.gate import check_batch, publishable_facts
from tasks.quality.validate import validate_frame
from conftest import SEEDS

CAT = load_catalogue()
RUN = {"run_id": "20261202T000000Z-abcdef12", "kind": "run", "flow_run_id": "abcdef12-0000",
       "flow_run_name": "release-2024"}
REMOTE = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""",
                    re.IGNORECASE)


@pytest.fixture(scope="module")
def seeds_run():
    """A seeds run without Prefect: extract, gate, build release 2024, and the files written beside it."""
    raws = [RawDocument(str(p), p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))]
    result = process_documents(raws, CAT)
    gated = check_batch(result.documents, result.facts, CAT)
    build = build_release(2024, publishable_facts(gated.facts, gated.documents), gated.documents, CAT)
    build.run = dict(RUN)
    files = checks_files(build, [check_summary(c) for c in gated.checks])
    return build, files


def test_seeds_page_shows_every_suite_with_its_expectations_run_and_assets(seeds_run):
    build, files = seeds_run
    html = files["validation.html"].decode("utf-8")
    for suite in ("documents", "facts", "published", "identities"):
        assert f'id="suite-{suite}"' in html and f"<code>{suite}</code>" in html
    assert html.count("badge ok\">passed") >= 15 + 23 + 24 + 15         # every expectation, passed ones included
    assert "expect_column_values_to_be_in_set" in html and "within_tolerance" in html
    assert RUN["run_id"] in html and "release-2024" in html
    assert "published/release_year=2024" in html and "releases/2024/identities.csv" in html
    assert "None" not in html and "__none__" not in html and "not recorded" not in html
    assert "datadocs/index.html" not in files and b"validation.html" in files["validation.json"]


def test_page_is_self_contained(seeds_run):
    html = seeds_run[1]["validation.html"].decode("utf-8")
    assert "<style>" in html and "<script" not in html and "<link" not in html
    assert not REMOTE.search(html) and "http://" not in html and "https://" not in html


def test_failing_identity_is_named_not_numbered(seeds_run):
    build, _ = seeds_run
    frame = build.identities.reset_index(drop=True).copy()
    bad = [3, 4]
    frame.loc[bad, "within_tolerance"] = False
    check = validate_frame("identities", frame, CAT)
    assert not check.success and check.bad_rows == bad
    html = render_validation_page(2024, [check_summary(check)], RUN)
    section = html[html.index('id="suite-identities"'):]
    for pos in bad:
        row = frame.loc[pos]
        assert f"identity={row.identity} indicator_id={row.indicator_id} period_year={row.period_year}" in section
    assert "badge fail\">failed" in section and "2 unexpected" in section
    assert not re.search(r"<code>\s*(row\s*)?[34]\s*</code>|\b3, 4\b", section)


def test_failing_document_is_named_by_its_id_and_title():
    from test_validate import documents

    frame = documents().assign(status="lost")
    html = render_validation_page(2024, [check_summary(validate_frame("documents", frame, CAT))], RUN)
    first = frame.iloc[0]
    assert f"doc_id={first.doc_id}" in html and "lost" in html


def test_a_suite_that_did_not_run_says_so():
    html = render_validation_page(2024, [], {})
    assert html.count("not recorded") >= 4 and "None" not in html


CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium)")
def test_page_renders_offline_in_headless_chromium(seeds_run, tmp_path):
    page = tmp_path / "validation.html"
    page.write_bytes(seeds_run[1]["validation.html"])
    out = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND",
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    visible = re.sub(r"<style>.*?</style>|<[^>]+>", " ", out, flags=re.DOTALL)
    assert len(visible.split()) > 200
    for text in ("Validation of release 2024", "identities", "facts", "documents", "published", "passed"):
        assert text in visible
