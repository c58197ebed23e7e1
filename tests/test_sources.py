"""Sources: directory reading and the sources YAML file (directories, URLs, fetch limits, alert URLs)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tasks.ingest.sources import (ALERT_URLS_ENV, FetchSettings, SourcesConfig, SourcesError, alert_urls, parse_sources,
                           read_directory, resolve_sources)

FULL = """
directories: [texts, /abs/bulletins]
urls:
  - https://www.nhsa.gov.cn/art/2025/7/14/art_7_17054.html
fetch: {timeout: 5, retries: 1, backoff: 0.5, max_bytes: 1000, content_types: [text/html]}
alerts:
  urls: ["json://hooks.example.org/etl"]
  min_severity: critical
"""


def test_full_sources_file_is_parsed_with_paths_relative_to_it(tmp_path):
    config = parse_sources(FULL, base_dir=tmp_path, origin="sources.yml")
    assert config.directories == (tmp_path / "texts", Path("/abs/bulletins"))
    assert config.urls == ("https://www.nhsa.gov.cn/art/2025/7/14/art_7_17054.html",)
    assert config.fetch == FetchSettings(timeout=5, retries=1, backoff=0.5, max_bytes=1000,
                                         content_types=("text/html",))
    assert config.alert_urls == ("json://hooks.example.org/etl",)
    assert config.alert_min_severity == "critical"


def test_empty_file_gives_defaults(tmp_path):
    assert parse_sources("", base_dir=tmp_path, origin="s.yml") == SourcesConfig(origin="s.yml")


@pytest.mark.parametrize("text, message", [
    ("- a\n- b", "expected a mapping"),
    ("directory: [a]", "unknown keys ['directory']"),
    ("directories: a", "'directories' must be a list"),
    ("urls: [ftp://x.org/a]", "must start with http"),
    ("fetch: {timeout: 0}", "bad fetch settings"),
    ("fetch: {retry: 3}", "unknown fetch settings ['retry']"),
    ("alerts: {min_severity: loud}", "min_severity must be one of"),
    ("directories: [a", "not valid YAML"),
])
def test_bad_sources_files_are_refused_with_the_file_and_reason(tmp_path, text, message):
    with pytest.raises(SourcesError, match="sources.yml") as err:
        parse_sources(text, base_dir=tmp_path, origin="sources.yml")
    assert message in str(err.value)


def test_resolve_sources_accepts_a_directory_or_a_yaml_file(tmp_path):
    (tmp_path / "s.yaml").write_text("directories: [docs]\n", encoding="utf-8")
    assert resolve_sources(tmp_path / "s.yaml").directories == (tmp_path / "docs",)
    assert resolve_sources(tmp_path).directories == (tmp_path,)
    with pytest.raises(SourcesError, match="no such directory or sources file"):
        resolve_sources(tmp_path / "nope")


def test_read_directory_is_recursive_sorted_and_filters_suffixes(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/2.md", "a.txt", "c.HTML", "d.htm", "notes.pdf", "e.csv"):
        (tmp_path / name).write_bytes(f"text of {name}".encode())
    raws, errors = read_directory(tmp_path)
    assert [Path(r.source_uri).relative_to(tmp_path).as_posix() for r in raws] == ["a.txt", "b/2.md", "c.HTML",
                                                                                    "d.htm"]
    assert [r.content_type for r in raws] == ["text/plain", "text/markdown", "text/html", "text/html"]
    assert all(r.fetched_at.endswith("Z") for r in raws) and errors == []


def test_unreadable_file_is_an_error_naming_it_and_the_rest_is_read(tmp_path):
    (tmp_path / "ok.txt").write_text("2024年", encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing-target")
    raws, errors = read_directory(tmp_path)
    assert [Path(r.source_uri).name for r in raws] == ["ok.txt"]
    assert len(errors) == 1 and errors[0].source.endswith("gone.txt") and "unreadable" in errors[0].reason


def test_missing_directory_is_an_error(tmp_path):
    raws, errors = read_directory(tmp_path / "nope")
    assert raws == [] and "does not exist" in errors[0].reason


def test_alert_urls_come_from_environment_and_file_without_duplicates():
    config = SourcesConfig(alert_urls=("json://a.example/x", "mailto://u:p@example.org"))
    env = {ALERT_URLS_ENV: " json://a.example/x , slack://T/B/C ,"}
    assert alert_urls(config, env) == ["json://a.example/x", "slack://T/B/C", "mailto://u:p@example.org"]
    assert alert_urls(SourcesConfig(), {}) == []
