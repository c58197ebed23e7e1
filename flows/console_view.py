"""What the terminal shows: a progress display of stages and releases, and the summary of a run, readable at 80
columns.

Every name, path, reason and message is printed escaped (rich.markup.escape): text is never markup, so a path
holding "[/b]" cannot crash the summary and "[draft]" does not vanish."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows import console_log, where

NOT_PUBLISHED = ("blocked", "failed")
# What a run does after each stage task finishes (Prefect task names, tasks/ops/prefect_tasks.py).
NEXT_STAGE = {"collect-sources": "extracting facts", "collect-archive": "extracting facts",
              "process-documents": "validating the batch", "validate-batch": "storing the batch",
              "snapshot-raw": "storing the batch", "store-batch": "publishing releases",
              "read-release-inputs": "building releases", "build-release": "writing release files",
              "write-release": "publishing releases", "release": "publishing releases",
              "write-alerts": "writing alerts and the site", "write-site": "finishing the run"}


@contextlib.contextmanager
def run_progress(console: Console, kind: str, years: list[int] | None = None,
                 enabled: bool = True) -> Iterator[Callable[[dict], None]]:
    """A live display of the stage the run is in and of the releases done (of `years` when known); yields the
    callback that counts a finished release. Log lines are printed above it, never through it."""
    if not enabled:
        yield lambda event: None
        return
    columns = (SpinnerColumn(), TextColumn(f"[bold]{escape(kind)}[/]"), TextColumn("{task.description}"),
               BarColumn(bar_width=16), TextColumn("{task.fields[count]}"), TimeElapsedColumn())
    seen: set[int] = set()
    with Progress(*columns, console=console, transient=False, redirect_stderr=True) as progress:
        stage = progress.add_task("starting Prefect", total=None, count="")
        releases = progress.add_task("releases", total=len(years) if years else None, visible=bool(years),
                                     count=f"0/{len(years)}" if years else "")

        def on_stage(name: str, event: str) -> None:
            if name.startswith("release-") and event == "began":
                text = f"publishing {name.replace('-', ' ')}"
            elif name.startswith("bulletin-") and event == "began":
                text = "collecting sources"
            else:
                text = NEXT_STAGE.get(name, "") if event == "finished" else ""
            if text:
                progress.update(stage, description=escape(text))

        def advance(event: dict) -> None:
            year = int(event["release_year"])
            if year and year not in seen and (not years or year in years):
                seen.add(year)
                status = escape(str(event.get("status", "")))
                progress.update(releases, advance=1, visible=True, description=f"release {year}: {status}",
                                count=f"{len(seen)}/{len(years) if years else '?'}")

        detach = console_log.watch_stages(on_stage)
        try:
            yield advance
        finally:
            detach()
            done = len(seen) if not years else len(years)
            progress.update(stage, visible=False)
            progress.update(releases, total=done or None, visible=bool(seen), count=f"{len(seen)}/{done or '?'}")


def print_record(console: Console, record: dict, warehouse: str = "", command: str = "bulletin-etl") -> int:
    """Print a run's summary, where its results are and commands to look at them; exit code 1 when a release
    was blocked or failed, else 0."""
    table = Table(title=escape(f"bulletin-etl {record['kind']} {record['run_id']}"), box=box.SIMPLE_HEAD,
                  title_justify="left", pad_edge=False, show_edge=False)
    for name, numeric in (("release", False), ("status", False), ("docs", True), ("quar.", True),
                          ("facts", True), ("rows", True), ("alerts", False)):
        table.add_column(name, justify="right" if numeric else "left", no_wrap=name != "alerts")
    releases = sorted(record.get("releases", {}).items(), key=lambda kv: int(kv[0]))
    for year, rel in releases:
        table.add_row(str(year) if int(year) else "unknown", _styled(rel.get("status", "")),
                      *(escape(str(rel.get(k, ""))) for k in ("documents", "quarantined_documents", "facts",
                                                               "published_rows")),
                      escape(_joined(rel.get("alerts", {}))))
    if releases:
        console.print(table)
    for year, rel in releases:
        if rel.get("status_counts"):
            console.print(Padding(f"{year} rows: {escape(_joined(rel['status_counts']))}", (0, 0, 0, 2)),
                          highlight=False)
    for error in record.get("ingest_errors", []):
        console.print(f"[yellow]not ingested:[/] {escape(str(error['source']))}: {escape(str(error['reason']))}",
                      soft_wrap=True)
    for delivery in record.get("deliveries", []):
        state = "delivered" if delivery["delivered"] else f"[red]not delivered[/] ({escape(str(delivery['error']))})"
        console.print(f"alert notification to {escape(str(delivery['target']))}: {state}")
    outcome, message = str(record.get("outcome", "")), str(record.get("message", ""))
    if outcome and outcome in message:         # a message that already says "nothing to do" says it once
        head, _, tail = message.partition(outcome)
        console.print(f"{escape(head)}[bold]{escape(outcome)}[/]{escape(tail)}")
    else:
        console.print(f"[bold]{escape(outcome)}[/]: {escape(message)}")
    alerts = ", ".join(f"{n} {s}" for s, n in record.get("alerts", {}).items()) or "none"
    console.print(f"alerts: {escape(alerts)}")
    published = [int(y) for y, rel in releases if rel.get("status") == "published" and int(y)]
    print_results(console, Path(warehouse or record.get("warehouse", "warehouse")), published, command,
                  str(record.get("run_id", "")) if record.get("alerts") else "")
    bad = any(rel.get("status") in NOT_PUBLISHED for _, rel in releases)
    return 1 if bad else 0


def print_results(console: Console, warehouse: Path, published: list[int], command: str, run_id: str) -> None:
    """Absolute paths of the report, the CSV and the warehouse, and commands that work when pasted as printed."""
    for label, path in where.result_paths(warehouse, published):
        console.print(f"{label:<10} {escape(str(path))}", highlight=False, soft_wrap=True)
    for line in where.next_commands(command, warehouse, published, run_id):
        console.print(f"  {escape(line)}", highlight=False, soft_wrap=True)


def _joined(counts: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())


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
