"""The release report and its GX Data Docs open in headless Chromium, offline, with the key figures visible."""
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
    """releases/ as the pipeline writes it: index, one release and its Data Docs from real validations."""
    from tasks.quality.validate import build_data_docs, validate_frame

    root = tmp_path_factory.mktemp("warehouse") / "releases"
    bundle = seed_bundle()
    docs = {f"datadocs/{k}": v for k, v in build_data_docs([validate_frame("identities", bundle.identities)]).items()}
    bundle.data_docs = sorted(name for name in docs if name.endswith(".html"))
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


def test_data_docs_linked_from_the_report_render(site, tmp_path):
    report = (site / "2024" / "report.html").read_text(encoding="utf-8")
    assert 'href="datadocs/index.html"' in report
    page = next((site / "2024" / "datadocs" / "validations").rglob("*.html"))
    assert f'href="{page.relative_to(site / "2024").as_posix()}"' in report
    # the validation page is static HTML: its statistics are readable offline (the index needs GX's CDN scripts)
    dom = chromium(page, tmp_path / "profile", "--dump-dom").stdout
    for text in ("Expectation Validation Result", "identities", "Succeeded", "Evaluated Expectations",
                 "within_tolerance"):
        assert text in dom, f"{text} not in the rendered Data Docs page"
    for name, shown in (("datadocs-index", site / "2024" / "datadocs" / "index.html"), ("validation", page)):
        shot = tmp_path / f"{name}.png"
        chromium(shown, tmp_path / "profile", f"--screenshot={shot}")
        assert png_size(shot) == (1280, 2000) and shot.stat().st_size > 20_000


def test_index_links_the_release(site, tmp_path):
    dom = chromium(site / "index.html", tmp_path / "profile", "--dump-dom").stdout
    assert 'href="2024/report.html"' in dom and "Release 2024" in dom
