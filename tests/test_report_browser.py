"""The release report and its validation page open in headless Chromium, offline, with the key figures visible."""
from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from release_frames import seed_bundle

from tasks.present.report import render_release, render_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
         "--host-resolver-rules=MAP * ~NOTFOUND",          # offline: the pages must not need the network
         "--window-size=1280,2000"]


def chromium(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a local page with its own profile directory."""
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *action, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=True)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """releases/ as the pipeline writes it: index, one release and its validation page from real validations."""
    from tasks.ops.runlog import check_summary
    from tasks.present.validation_page import render_validation_page
    from tasks.quality.validate import validate_frame

    root = tmp_path_factory.mktemp("warehouse") / "releases"
    bundle = seed_bundle()
    checks = [check_summary(validate_frame("identities", bundle.identities))]
    docs = {"validation.html": render_validation_page(2024, checks, {"run_id": "run-1"}).encode("utf-8")}
    bundle.data_docs = ["validation.html"]
    files = {**render_release(bundle), **docs}
    for name, content in {**{f"2024/{k}": v for k, v in files.items()},
                          **render_site(bundle.published, None, bundle.catalogue)}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def test_report_renders_with_key_figures_visible(site, tmp_path):
    report = site / "2024" / "report.html"
    dom = chromium(report, tmp_path / "profile", "--dump-dom").stdout
    for figure in ("CNY 3,491.337 bn", "1,326.62 m persons", "84.8%", "+4.2% on previous year", "CNY 514.934 bn"):
        assert figure in dom, f"{figure} not in the rendered report"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom            # the quote stays text in the live DOM
    assert dom.count("<svg") >= 5
    shot = tmp_path / "report.png"
    chromium(report, tmp_path / "profile", f"--screenshot={shot}")
    assert png_size(shot) == (1280, 2000) and shot.stat().st_size > 50_000


def test_validation_page_linked_from_the_report_renders(site, tmp_path):
    report = (site / "2024" / "report.html").read_text(encoding="utf-8")
    assert 'href="validation.html"' in report
    page = site / "2024" / "validation.html"
    # the validation page is static HTML with inline CSS: readable offline
    dom = chromium(page, tmp_path / "profile", "--dump-dom").stdout
    for text in ("Validation of release 2024", "identities", "passed", "within_tolerance", "run-1",
                 "releases/2024/identities.csv"):
        assert text in dom, f"{text} not in the rendered validation page"
    shot = tmp_path / "validation.png"
    chromium(page, tmp_path / "profile", f"--screenshot={shot}")
    assert png_size(shot) == (1280, 2000) and shot.stat().st_size > 20_000


def test_index_links_the_release(site, tmp_path):
    dom = chromium(site / "index.html", tmp_path / "profile", "--dump-dom").stdout
    assert 'href="2024/report.html"' in dom and "Release 2024" in dom


def rendered_text(dom: str) -> str:
    """What a reader sees of a dumped DOM: text without tags, styles and scripts, entities decoded."""
    import html as html_module
    import re

    visible = re.sub(r"<(style|script)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", visible)).split())


@pytest.fixture(scope="module")
def revised_site(tmp_path_factory) -> Path:
    """Releases 2024 and 2025: 2025 restates 2024's revenue 13.2 bn higher, the ratio unchanged, with derived notes."""
    import pandas as pd
    from release_frames import published

    from tasks.publish.vintages import build_revisions

    root = tmp_path_factory.mktemp("revised") / "releases"
    bundle = seed_bundle()
    later = published([("bmi.fund.revenue", 2024, "level", 3491337e6 + 1.32e10),
                       ("ebmi.inpatient_reimbursement_ratio", 2024, "level", 84.8),
                       ("bmi.fund.revenue", 2025, "level", 3.6e12)], release_year=2025)
    later["evidence"] = "vintage final_bulletin | value from 6f1d39fb7c2bd3b1 (exact, ±5e+07)"
    everything = pd.concat([bundle.published, later], ignore_index=True)
    revisions = build_revisions(bundle.facts.iloc[:0], bundle.documents, everything)
    bundle.published_all, bundle.revisions = everything, revisions
    files = {**{f"2024/{k}": v for k, v in render_release(bundle).items()},
             **{f"2025/{k}": v for k, v in render_release(type(bundle)(
                 release_year=2025, published=later, facts=bundle.facts.iloc[:0], documents=bundle.documents,
                 identities=bundle.identities.iloc[:0], published_all=everything, revisions=revisions,
                 catalogue=bundle.catalogue)).items()},
             **render_site(everything, revisions, bundle.catalogue)}
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


@pytest.mark.parametrize("page", ["index.html", "2024/report.html", "2025/report.html"])
def test_numbers_read_as_numbers_on_screen(revised_site, tmp_path, page):
    """No exponent notation (1e+10, ±5e+07) in what the browser renders; revisions in the catalogue's unit."""
    import re

    shown = revised_site / page
    dom = chromium(shown, tmp_path / "profile", "--dump-dom").stdout
    text = rendered_text(dom)
    assert "e+" not in text and not re.search(r"\d[eE]-\d", text), re.findall(r".{40}\d[eE][+-]\d.{10}", text)
    if page != "2024/report.html":
        section = rendered_text(re.split(r'id="(?:restatements|revisions)"', dom)[1].split("</section>")[0])
        assert "+CNY 13.2 bn" in section                     # the restatement, read in the catalogue's unit
        assert "payment ratio" not in section                # restated unchanged: no revision
    shot = tmp_path / "page.png"
    chromium(shown, tmp_path / "profile", f"--screenshot={shot}")
    assert png_size(shot) == (1280, 2000) and shot.stat().st_size > 20_000
