"""What the terminal shows: a progress bar over releases and the summary table of a run.

Every name, path, reason and message is printed escaped (rich.markup.escape): text is never markup, so a path
holding "[/b]" cannot crash the summary and "[draft]" does not vanish."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

NOT_PUBLISHED = ("blocked", "failed")


@contextlib.contextmanager
def release_progress(console: Console, years: list[int]) -> Iterator[Callable[[dict], None]]:
    """A progress bar that advances once per release (published, blocked, failed or skipped)."""
    columns = (TextColumn("[bold]backfill"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())
    seen: set[int] = set()
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task("starting", total=len(years))

        def advance(event: dict) -> None:
            year = event["release_year"]
            if year in years and year not in seen:
                seen.add(year)
                progress.update(bar, advance=1, description=f"release {year}: {escape(str(event.get('status', '')))}")

        yield advance


def print_record(console: Console, record: dict) -> int:
    """Print a run's summary table; exit code 1 when a release was blocked or failed, else 0."""
    table = Table(title=escape(f"bulletin-etl {record['kind']} run {record['run_id']}"))
    for name, numeric in (("release", False), ("status", False), ("docs", True), ("quarantined", True),
                          ("facts", True), ("rows", True), ("row statuses", False), ("alerts", False)):
        table.add_column(name, justify="right" if numeric else "left", no_wrap=name in ("release", "status"))
    releases = sorted(record.get("releases", {}).items(), key=lambda kv: int(kv[0]))
    for year, rel in releases:
        table.add_row(str(year) if int(year) else "unknown", _styled(rel.get("status", "")),
                      *(escape(str(rel.get(k, ""))) for k in ("documents", "quarantined_documents", "facts",
                                                               "published_rows")),
                      escape(", ".join(f"{k} {v}" for k, v in rel.get("status_counts", {}).items())),
                      escape(", ".join(f"{k} {v}" for k, v in rel.get("alerts", {}).items())))
    if releases:
        console.print(table)
    for error in record.get("ingest_errors", []):
        console.print(f"[yellow]not ingested:[/] {escape(str(error['source']))}: {escape(str(error['reason']))}")
    alerts = ", ".join(f"{n} {s}" for s, n in record.get("alerts", {}).items()) or "none"
    console.print(f"alerts: {escape(alerts)}  (query them: bulletin-etl query \"select * from alerts\")")
    for delivery in record.get("deliveries", []):
        state = "delivered" if delivery["delivered"] else f"[red]not delivered[/] ({escape(str(delivery['error']))})"
        console.print(f"alert notification to {escape(str(delivery['target']))}: {state}")
    console.print(f"[bold]{escape(str(record.get('outcome', '')))}[/]: {escape(str(record.get('message', '')))}")
    bad = any(rel.get("status") in NOT_PUBLISHED for _, rel in releases)
    return 1 if bad else 0


def _styled(status: str) -> str:
    colour = {"published": "green", "blocked": "red", "failed": "red"}.get(status, "")
    return f"[{colour}]{escape(status)}[/]" if colour else escape(status)


def print_published(console: Console, warehouse: Path) -> None:
    """What the warehouse publishes now (rows per release), for runs that stopped before writing anything."""
    try:
        from tasks.store.warehouse import Warehouse

        published = Warehouse(warehouse).read("published")
        counts = published.groupby("release_year").size().to_dict() if len(published) else {}
    except Exception as exc:   # the summary of a failed run must not fail in turn
        console.print(f"published releases: unknown ({escape(type(exc).__name__)}: {escape(str(exc))})")
        return
    shown = ", ".join(f"{int(y)}: {n} rows" for y, n in sorted(counts.items())) or "none"
    console.print(f"published releases in {escape(str(warehouse))}: {escape(shown)}")
