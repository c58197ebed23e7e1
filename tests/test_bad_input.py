"""Bad input never stalls, shrinks or corrupts a run: limits, links out of the sources, markup in names, exit codes,
formula cells, UTF-16/32, single-line pages, implausible and overflowing figures (issue #10)."""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import yaml
from werkzeug import Response

from tasks.ingest.fetch import fetch_url
from tasks.ingest.limits import LIMITS_PATH, Limits, default_limits, parse_limits, time_refusal
from tasks.ingest.sources import (FetchSettings, SourcesError, load_sources_file, parse_sources, read_directory,
                           require_inputs)

BULLETIN = ("2031年全国医疗保障事业发展统计公报\n2031年末，全国基本医疗保险参保人数133000万人，参保率稳定在95%以上。\n"
            "全年基本医疗保险基金总收入34000亿元，总支出28000亿元。\n")


def small(**changes) -> Limits:
    return replace(default_limits(), **changes)


# --- limits: data, schema, refusal with the limit named ------------------------------------------------------------
def test_limits_file_sets_every_limit_to_a_positive_number():
    data = yaml.safe_load(LIMITS_PATH.read_text(encoding="utf-8"))
    assert set(data) == set(vars(default_limits())) and all(v > 0 for v in data.values())


def test_limits_in_a_sources_file_override_the_defaults_and_bad_ones_are_config_errors(tmp_path):
    config = parse_sources("directories: [d]\nlimits:\n  max_line_chars: 50\n", base_dir=tmp_path)
    assert config.limits.max_line_chars == 50
    assert config.limits.max_document_bytes == default_limits().max_document_bytes
    assert config.fetch.limits == config.limits
    for bad in ("limits: {max_lines: 3}", "limits: {max_line_chars: -1}", "limits: [1]"):
        with pytest.raises(SourcesError, match="limits"):
            parse_sources(bad, base_dir=tmp_path)


def test_a_file_over_the_byte_limit_is_refused_naming_the_limit_and_the_rest_is_read(tmp_path):
    (tmp_path / "big.txt").write_bytes(BULLETIN.encode() * 50)
    (tmp_path / "ok.txt").write_text(BULLETIN, encoding="utf-8")
    raws, errors = read_directory(tmp_path, small(max_document_bytes=len(BULLETIN.encode()) * 2))
    assert [Path(r.source_uri).name for r in raws] == ["ok.txt"]
    assert errors[0].source.endswith("big.txt") and "limits.max_document_bytes" in errors[0].reason


def test_a_line_over_the_line_limit_is_refused_but_html_markup_on_one_line_is_not(tmp_path):
    (tmp_path / "long.txt").write_text(BULLETIN.replace("\n", "") * 3, encoding="utf-8")
    blocks = "".join(f"<p>{line}</p>" for line in BULLETIN.splitlines())
    (tmp_path / "minified.html").write_text(f"<html><body>{blocks}</body></html>", encoding="utf-8")
    raws, errors = read_directory(tmp_path, small(max_line_chars=len(BULLETIN)))
    assert [Path(r.source_uri).name for r in raws] == ["minified.html"]
    assert errors[0].source.endswith("long.txt") and "limits.max_line_chars" in errors[0].reason


def test_a_slow_extraction_is_refused_naming_the_limit():
    assert time_refusal(1.0, small(extraction_seconds=5)) == ""
    assert "limits.extraction_seconds" in time_refusal(6.0, small(extraction_seconds=5))


def test_parse_limits_keeps_unspecified_limits():
    assert parse_limits({"download_seconds": 3}, "x").download_seconds == 3.0
    assert parse_limits(None, "x") == default_limits()


def test_a_url_dripping_bytes_is_cut_at_the_whole_download_deadline(httpserver):
    def drip():
        for _ in range(40):
            yield b"x"
            time.sleep(0.1)

    httpserver.expect_request("/drip.txt").respond_with_handler(
        lambda request: Response(drip(), content_type="text/plain"))
    settings = FetchSettings(timeout=2.0, retries=2, backoff=0.01, limits=small(download_seconds=0.5))
    started = time.monotonic()
    with httpx.Client(timeout=settings.timeout) as client:
        outcome = fetch_url(client, httpserver.url_for("/drip.txt"), settings, None, sleep=lambda s: None)
    assert time.monotonic() - started < 2.5
    assert outcome.status == "error" and "limits.download_seconds" in outcome.reason and outcome.attempts == 1


def test_a_fetched_page_over_the_line_limit_is_refused(httpserver):
    httpserver.expect_request("/one-line.txt").respond_with_data(BULLETIN.replace("\n", "") * 3,
                                                                 content_type="text/plain")
    settings = FetchSettings(timeout=2.0, retries=0, limits=small(max_line_chars=len(BULLETIN)))
    with httpx.Client(timeout=settings.timeout) as client:
        outcome = fetch_url(client, httpserver.url_for("/one-line.txt"), settings, None)
    assert outcome.status == "error" and "limits.max_line_chars" in outcome.reason


# --- sources: links out of the root, a missing only directory ------------------------------------------------------
def test_symlinks_leaving_the_sources_root_are_refused_per_file(tmp_path):
    root, outside = tmp_path / "sources", tmp_path / "elsewhere"
    root.mkdir(), outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (outside / "docs").mkdir()
    (outside / "docs" / "inner.txt").write_text(BULLETIN, encoding="utf-8")
    (root / "ok.txt").write_text(BULLETIN, encoding="utf-8")
    (root / "inside.txt").symlink_to(root / "ok.txt")
    (root / "passwd.txt").symlink_to(outside / "secret.txt")
    (root / "linked").symlink_to(outside / "docs", target_is_directory=True)
    raws, errors = read_directory(root)
    assert sorted(Path(r.source_uri).name for r in raws) == ["inside.txt", "ok.txt"]
    assert all(b"root:x" not in r.data for r in raws)
    refused = {Path(e.source).name: e.reason for e in errors}
    assert "passwd.txt" in refused and "leaves the sources directory" in refused["passwd.txt"]
    assert set(refused) <= {"passwd.txt", "inner.txt"}


def test_a_sources_file_whose_only_directory_is_missing_is_a_config_error(tmp_path):
    sources = tmp_path / "sources.yml"
    sources.write_text("directories: [nowhere]\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="nowhere"):
        require_inputs(load_sources_file(sources))
    (tmp_path / "here").mkdir()
    sources.write_text("directories: [nowhere, here]\n", encoding="utf-8")
    assert len(require_inputs(load_sources_file(sources)).directories) == 2
    sources.write_text("directories: [nowhere]\nurls: ['https://example.org/b.html']\n", encoding="utf-8")
    assert require_inputs(load_sources_file(sources)).urls


# --- text is never markup; exit codes are distinct -----------------------------------------------------------------
def printed(record: dict) -> tuple[str, int]:
    import io

    from rich.console import Console

    from flows.console_view import print_record

    buffer = io.StringIO()
    code = print_record(Console(file=buffer, width=200, color_system=None), record)
    return buffer.getvalue(), code


def test_a_path_holding_markup_prints_as_itself_in_the_summary():
    record = {"kind": "run", "run_id": "r[/b]1", "outcome": "published", "message": "title [draft] kept [/]",
              "releases": {"2031": {"status": "published", "documents": 1, "status_counts": {"agreed": 2}}},
              "ingest_errors": [{"source": "/data/[/b]odd[bold].txt", "reason": "unreadable: [/red] gone"}],
              "alerts": {"warning": 1}, "deliveries": [{"target": "json://[x]", "delivered": False,
                                                         "error": "[/i] refused"}]}
    text, code = printed(record)
    assert code == 0
    for shown in ("/data/[/b]odd[bold].txt", "unreadable: [/red] gone", "title [draft] kept [/]", "r[/b]1",
                  "[/i] refused", "json://[x]"):
        assert shown in text


def run_cli(argv: list[str]) -> tuple[int, str]:
    import io

    from rich.console import Console

    import flows.cli as cli

    buffer = io.StringIO()
    original = cli.Console
    cli.Console = lambda: Console(file=buffer, width=300, color_system=None)
    try:
        return cli.main(argv), buffer.getvalue()
    finally:
        cli.Console = original


def test_a_sources_file_whose_only_directory_is_missing_exits_with_the_config_code(tmp_path):
    from flows.cli import EXIT_USAGE

    sources = tmp_path / "[x]sources.yml"
    sources.write_text("directories: [gone[/b]]\n", encoding="utf-8")
    code, out = run_cli(["run", "--sources", str(sources), "--warehouse", str(tmp_path / "wh")])
    assert code == EXIT_USAGE and "gone[/b]" in out and "[x]sources.yml" in out
    code, _ = run_cli(["nightly", "--sources", str(tmp_path / "absent"), "--warehouse", str(tmp_path / "wh")])
    assert code == EXIT_USAGE


@pytest.mark.parametrize("error", ["EROFS", "ENOSPC", "EACCES"])
def test_an_unwritable_warehouse_exits_with_its_own_code_and_one_readable_line(tmp_path, monkeypatch, error):
    import errno
    import os

    import flows.cli as cli

    def unwritable(args, console):
        code = getattr(errno, error)
        raise OSError(code, os.strerror(code), str(tmp_path / "wh" / "published" / "part.parquet"))

    monkeypatch.setattr(cli, "_run", unwritable)
    (tmp_path / "docs").mkdir()
    code, out = run_cli(["run", "--sources", str(tmp_path / "docs"), "--warehouse", str(tmp_path / "wh")])
    assert code == cli.EXIT_UNWRITABLE
    assert len({cli.EXIT_OK, cli.EXIT_NOT_PUBLISHED, cli.EXIT_USAGE, cli.EXIT_LOCKED, cli.EXIT_UNWRITABLE}) == 5
    assert "warehouse unwritable" in out and "part.parquet" in out and "Traceback" not in out
    assert "published releases" in out


def test_other_os_errors_are_not_mistaken_for_an_unwritable_warehouse(tmp_path, monkeypatch):
    import flows.cli as cli

    def broken(args, console):
        raise FileNotFoundError(2, "No such file or directory", "x")

    monkeypatch.setattr(cli, "_run", broken)
    (tmp_path / "docs").mkdir()
    with pytest.raises(FileNotFoundError):
        run_cli(["run", "--sources", str(tmp_path / "docs"), "--warehouse", str(tmp_path / "wh")])


# --- spreadsheet formula injection ---------------------------------------------------------------------------------
def test_text_cells_that_a_spreadsheet_would_run_are_neutralised_and_numbers_stay_numbers():
    import csv
    import io

    import pandas as pd

    from tasks.present.datapackage import csv_bytes, neutralise

    assert neutralise("\rCR") == "'\rCR" and neutralise("2031") == "2031"
    frame = pd.DataFrame({"title": ['=HYPERLINK("http://x.example","click")', "+1 call", "-cmd", "@SUM(A1)",
                                    "\tTAB", "=1+1", "plain 2031年"],
                          "value": [-5.0, -1.5, 2.0, -0.25, 1e20, 3.0, -7.0], "n": [-1, 2, 3, -4, 5, 6, 7]})
    rows = list(csv.DictReader(io.StringIO(csv_bytes(frame, ["title", "value", "n"]).decode("utf-8"))))
    assert [r["title"][0] for r in rows[:6]] == ["'"] * 6 and rows[6]["title"] == "plain 2031年"
    assert rows[0]["title"] == "'" + frame.title[0]
    assert [float(r["value"]) for r in rows] == list(frame.value) and [int(r["n"]) for r in rows] == list(frame.n)


def test_release_documents_csv_neutralises_a_formula_title():
    import pandas as pd

    from tasks.contract.catalogue import load_catalogue
    from tasks.present.datapackage import DOCUMENT_COLUMNS, release_tables
    from tasks.contract.schema import columns

    docs = pd.DataFrame([{c: "" for c in DOCUMENT_COLUMNS} | {"doc_id": "abc", "title": "=HYPERLINK(\"x\")",
                          "status": "ok", "sha256": "00", "source_uri": "@evil.txt", "release_year": 2031}])
    published = pd.DataFrame(columns=columns("published")).astype({"release_year": "int64"})
    from tasks.publish.derive import IDENTITY_COLUMNS

    files = release_tables(published, pd.DataFrame(columns=IDENTITY_COLUMNS), docs, load_catalogue())
    text = files["documents.csv"].decode("utf-8")
    assert "'=HYPERLINK" in text and "'@evil.txt" in text and "\n=" not in text and ",=" not in text


# --- files of releases a run does not touch stay as they are -------------------------------------------------------
def test_site_files_whose_bytes_are_unchanged_are_not_rewritten(tmp_path):
    from tasks.present.site import changed_files

    (tmp_path / "report.html").write_bytes("<p>2031</p>".encode())
    (tmp_path / "series.csv").write_text("a\n1\n", encoding="utf-8")
    built = {"report.html": "<p>2031</p>", "series.csv": b"a\n2\n", "new.csv": b"x\n"}
    assert changed_files(built, tmp_path) == {"series.csv": b"a\n2\n", "new.csv": b"x\n"}


def test_a_long_line_is_refused_however_short_the_file_is_in_bytes(tmp_path):
    """The line check reads no text when the file has fewer bytes than the limit has characters (no decoding
    gives more characters than bytes); one byte more and the text is measured."""
    (tmp_path / "at_limit.txt").write_text("年" * 10, encoding="utf-8")      # 30 bytes, one line of 10 characters
    raws, errors = read_directory(tmp_path, small(max_line_chars=30))
    assert len(raws) == 1 and not errors
    raws, errors = read_directory(tmp_path, small(max_line_chars=9))
    assert not raws and "limits.max_line_chars" in errors[0].reason
