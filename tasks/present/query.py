"""DuckDB views over every warehouse dataset and a terminal view of a release, so users ask questions without code."""
from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table

from tasks.contract.catalogue import load_catalogue
from tasks.present.datapackage import csv_bytes
from tasks.present.display import format_change, format_value
from tasks.present.report import indicator_names
from tasks.store.warehouse import Warehouse

FORMATS = ("table", "csv", "json", "jsonl")
# The latest vintage of every key across releases: a stated value before a derived one, then the latest release.
LATEST_VIEW = """
CREATE VIEW latest AS SELECT * EXCLUDE (vintage_rank) FROM (
  SELECT *, row_number() OVER (PARTITION BY indicator_id, region, period_year, measure
    ORDER BY (status <> 'derived') DESC, release_year DESC, (vintage <> 'quick_report') DESC) AS vintage_rank
  FROM published) WHERE vintage_rank = 1
"""


class QueryError(RuntimeError):
    """A query could not run; the message says why and which views exist."""


def dataset_files(warehouse_root: Path) -> dict[str, list[str]]:
    """Dataset name -> its partition files, each release resolved once through its current build, so the views
    never mix two builds of a release (hidden staging directories never match)."""
    return {name: [str(p) for p in files] for name, files in Warehouse(warehouse_root).partition_files().items()}


def connect(warehouse_root: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per dataset (plus `latest` when published/ exists)."""
    connection = duckdb.connect(":memory:")
    for name, files in dataset_files(warehouse_root).items():
        source = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        connection.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet([{source}], '
                           "hive_partitioning = true, union_by_name = true, "
                           "hive_types = {'release_year': BIGINT})")
        if name == "published":
            connection.execute(LATEST_VIEW)
    return connection


def run_query(warehouse_root: Path, sql: str) -> pd.DataFrame:
    """Run SQL over the warehouse's views (documents, facts, published, revisions, alerts, latest ...)."""
    connection = connect(warehouse_root)
    try:
        return connection.execute(sql).df()
    except duckdb.Error as exc:
        views = sorted(connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").df()["view_name"])
        raise QueryError(f"{exc}\nviews over {warehouse_root}: {', '.join(views) or 'none (empty warehouse)'}") \
            from exc
    finally:
        connection.close()


def format_result(frame: pd.DataFrame, fmt: str = "table", width: int = 160) -> str:
    """A query result as a rich table, CSV, one JSON array or JSON Lines."""
    if fmt == "csv":
        return csv_bytes(frame, list(frame.columns)).decode("utf-8")
    if fmt == "json":
        return frame.to_json(orient="records", force_ascii=False) + "\n"
    if fmt == "jsonl":
        return frame.to_json(orient="records", lines=True, force_ascii=False)
    if fmt != "table":
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    table = Table(show_lines=False)
    for name in frame.columns:
        table.add_column(str(name), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    return _render(table, width, f"{len(frame)} row(s)")


def show_release(warehouse_root: Path, release_year: int, include_derived: bool = True, width: int = 160) -> str:
    """The published release as a readable terminal table (values scaled, names in English)."""
    where = "" if include_derived else " AND status <> 'derived'"
    rows = run_query(warehouse_root, f"SELECT * FROM published WHERE release_year = {int(release_year)}{where} "
                     "ORDER BY status = 'derived', indicator_id, region, period_year, measure")
    if rows.empty:
        raise QueryError(f"no published release {int(release_year)} under {Path(warehouse_root) / 'published'}")
    names = indicator_names(load_catalogue())
    table = Table(title=f"Release {int(release_year)}", show_lines=False)
    for column, justify in (("indicator", "left"), ("name", "left"), ("period", "right"), ("measure", "left"),
                            ("value", "right"), ("status", "left"), ("vintage", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for r in rows.itertuples(index=False):
        shown = format_value(r.value, r.unit) if r.measure == "level" else format_change(r.value, r.measure, r.unit)
        table.add_row(r.indicator_id, names.get(r.indicator_id, ""), str(r.period_year), r.measure, shown,
                      r.status, r.vintage or "")
    counts = ", ".join(f"{status} {n}" for status, n in sorted(rows["status"].value_counts().items()))
    return _render(table, width, f"{len(rows)} rows: {counts}")


def _render(table: Table, width: int, footer: str) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None, legacy_windows=False)
    console.print(table)
    console.print(footer)
    return buffer.getvalue()
