"""What the terminal shows: a progress bar over releases and the summary table of a run."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
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
                progress.update(bar, advance=1, description=f"release {year}: {event.get('status', '')}")

        yield advance


def print_record(console: Console, record: dict) -> int:
    """Print a run's summary table; exit code 1 when a release was blocked or failed, else 0."""
    table = Table(title=f"bulletin-etl {record['kind']} run {record['run_id']}")
    for name, numeric in (("release", False), ("status", False), ("docs", True), ("quarantined", True),
                          ("facts", True), ("rows", True), ("row statuses", False), ("alerts", False)):
        table.add_column(name, justify="right" if numeric else "left", no_wrap=name in ("release", "status"))
    releases = sorted(record.get("releases", {}).items(), key=lambda kv: int(kv[0]))
    for year, rel in releases:
        table.add_row(str(year) if int(year) else "unknown", _styled(rel.get("status", "")),
                      str(rel.get("documents", "")), str(rel.get("quarantined_documents", "")),
                      str(rel.get("facts", "")), str(rel.get("published_rows", "")),
                      ", ".join(f"{k} {v}" for k, v in rel.get("status_counts", {}).items()),
                      ", ".join(f"{k} {v}" for k, v in rel.get("alerts", {}).items()))
    if releases:
        console.print(table)
    for error in record.get("ingest_errors", []):
        console.print(f"[yellow]not ingested:[/] {error['source']}: {error['reason']}")
    alerts = ", ".join(f"{n} {s}" for s, n in record.get("alerts", {}).items()) or "none"
    console.print(f"alerts: {alerts}  (query them: bulletin-etl query \"select * from alerts\")")
    for delivery in record.get("deliveries", []):
        state = "delivered" if delivery["delivered"] else f"[red]not delivered[/] ({delivery['error']})"
        console.print(f"alert notification to {delivery['target']}: {state}")
    console.print(f"[bold]{record.get('outcome', '')}[/]: {record.get('message', '')}")
    bad = any(rel.get("status") in NOT_PUBLISHED for _, rel in releases)
    return 1 if bad else 0


def _styled(status: str) -> str:
    colour = {"published": "green", "blocked": "red", "failed": "red"}.get(status, "")
    return f"[{colour}]{status}[/]" if colour else status
