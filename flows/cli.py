"""`bulletin-etl`: run, nightly, annual, backfill, serve, query, show and status; prints progress and summary tables."""
from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from flows import cli_checks, console_log, console_view, prefect_home, where

# Exit codes (README "Running it"): published, a release blocked or failed, bad arguments or sources file,
# warehouse locked by another run, warehouse unwritable (read-only, disk full, permission denied).
EXIT_OK, EXIT_NOT_PUBLISHED, EXIT_USAGE, EXIT_LOCKED, EXIT_UNWRITABLE = 0, 1, 2, 3, 4
UNWRITABLE = {errno.EROFS: "read-only file system", errno.ENOSPC: "no space left on device",
              errno.EDQUOT: "disk quota exceeded", errno.EACCES: "permission denied", errno.EPERM: "not permitted"}
RUN_COMMANDS = cli_checks.RUN_COMMANDS


def build_parser() -> argparse.ArgumentParser:
    """Every command and option (tests check that each one is documented in README.md)."""
    parser = argparse.ArgumentParser(prog="bulletin-etl", description="ETL for China's national medical-security "
                                     "statistical bulletins: texts -> facts -> validated Parquet -> releases.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_paths(p: argparse.ArgumentParser, lock_default: float) -> argparse.ArgumentParser:
        p.add_argument("--sources", action="append", metavar="PATH", help="a directory of .txt/.md/.html files, "
                       "one such file, or a sources YAML listing directories and URLs; repeat it to combine "
                       "sources (default: seeds)")
        p.add_argument("--warehouse", default="warehouse", help="warehouse directory (default: warehouse)")
        p.add_argument("--lock-timeout", type=float, default=lock_default, metavar="SECONDS",
                       help=f"wait this long for another run's warehouse lock (default: {lock_default:g})")
        p.add_argument("--accept-shrink", action="store_true", help="publish a release even when it loses rows, "
                       "indicators, periods or documents (otherwise it is blocked; recorded in the run manifest)")
        p.add_argument("--keep-builds", type=int, default=3, metavar="N",
                       help="finished builds kept per release for rollback (default: 3)")
        with_output(p)
        return p

    def with_output(p: argparse.ArgumentParser) -> None:
        p.add_argument("--quiet", action="store_true", help="no progress display and no log lines below ERROR: "
                       "only the summary and errors")
        p.add_argument("--log-level", choices=console_log.LEVELS, default="WARNING", type=str.upper,
                       help="lowest level of the log lines shown (default: WARNING; DEBUG adds tracebacks)")

    run = with_paths(commands.add_parser("run", help="build every release found in the sources"), 0.0)
    run.add_argument("--release-year", type=int, action="append", metavar="YEAR",
                     help="only rebuild this release (repeatable)")
    run.add_argument("--parallel", type=int, default=1, help="workers of the Dask LocalCluster with --runner dask; releases are built one after another in year order (default: 1)")
    run.add_argument("--runner", choices=("thread", "dask"), default="thread", help="task runner of the release "
                     "work: threads here, or Dask (a LocalCluster of --parallel workers) (default: thread)")
    run.add_argument("--dask-address", default="", metavar="URL", help="with --runner dask: use this scheduler "
                     "(tcp://host:8786) instead of a LocalCluster")
    with_paths(commands.add_parser("nightly", help="rebuild only releases whose inputs changed"), 0.0)
    annual = with_paths(commands.add_parser("annual", help="look for the new release until it is published"), 0.0)
    annual.add_argument("--release-year", type=int, metavar="YEAR", help="expected release (default: last year)")
    backfill = with_paths(commands.add_parser("backfill", help="rebuild a range of releases, resumable"), 0.0)
    backfill.add_argument("years", help="release years: 2018-2024, 2019,2021 or 2020")
    backfill.add_argument("--force", action="store_true", help="rebuild releases that are already published")
    backfill.add_argument("--parallel", type=int, default=2, help="workers of the Dask LocalCluster with --runner dask; releases are built in year order (default: 2)")
    serve = commands.add_parser("serve", help="start a local Prefect server and serve the deployments")
    serve.add_argument("--sources", action="append", metavar="PATH",
                       help="sources the scheduled runs read, repeatable like run's (default: seeds)")
    serve.add_argument("--warehouse", default="warehouse", help="warehouse the scheduled runs write")
    serve.add_argument("--host", default="127.0.0.1", help="server address (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4200, help="server port (default: 4200)")
    serve.add_argument("--no-server", action="store_true",
                       help="do not start a server; use PREFECT_API_URL as configured")
    with_output(serve)
    query = commands.add_parser("query", help="run SQL (DuckDB) over the warehouse datasets")
    query.add_argument("sql", help='e.g. "select * from latest where indicator_id = \'bmi.participants\'"')
    query.add_argument("--warehouse", default="warehouse", help="warehouse directory (default: warehouse)")
    query.add_argument("--format", choices=("table", "csv", "json", "jsonl"), default="table",
                       help="output format (json: one array; jsonl: one object per line)")
    status = commands.add_parser("status", help="per release: what is published, from what, when, fresh or stale")
    status.add_argument("--warehouse", default="warehouse", help="warehouse directory (default: warehouse)")
    status.add_argument("--sources", help="also compare these source files with the last build (URLs not fetched)")
    status.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    rollback = commands.add_parser("rollback", help="make the previous build of a release current again")
    rollback.add_argument("release_year", type=int, help="e.g. 2024")
    rollback.add_argument("--to", metavar="BUILD", help="this build id instead of the previous one")
    rollback.add_argument("--warehouse", default="warehouse", help="warehouse directory (default: warehouse)")
    show = commands.add_parser("show", help="a published release as a terminal table")
    show.add_argument("release_year", type=int, help="e.g. 2024")
    show.add_argument("--warehouse", default="warehouse", help="warehouse directory (default: warehouse)")
    show.add_argument("--no-derived", action="store_true", help="leave derived rows out")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console command."""
    args = build_parser().parse_args(argv)
    prefect_home.configure()          # before anything imports prefect: this checkout's PREFECT_HOME, analytics off
    if getattr(args, "warehouse", None):
        from tasks.store.location import WarehouseLocationError, local_root

        try:                                # runs record where they wrote, not "warehouse"; file:// URLs work
            args.warehouse = str(local_root(args.warehouse).resolve())
        except WarehouseLocationError as exc:
            Console().print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            return EXIT_USAGE
    console = Console()
    handler = {"run": _run, "nightly": _nightly, "annual": _annual, "backfill": _backfill, "serve": _serve,
               "query": _query, "show": _show, "status": _status, "rollback": _rollback}[args.command]
    from tasks.ingest.sources import SourcesError
    from tasks.store.warehouse import WarehouseLocked

    try:
        cli_checks.check(args)
        if args.command in RUN_COMMANDS or args.command == "serve":
            _quiet_prefect(console, args)
        return handler(args, console)
    except WarehouseLocked as exc:
        console.print(f"[bold red]refused:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_LOCKED
    except (SourcesError, cli_checks.UsageError) as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_USAGE
    except OSError as exc:
        if exc.errno not in UNWRITABLE:
            raise
        return _unwritable(console, args, exc)
    except Exception as exc:
        from flows.server import ServerError

        if not isinstance(exc, ServerError):
            raise
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return EXIT_USAGE


def _quiet_prefect(console: Console, args: argparse.Namespace) -> None:
    """Prefect's log lines through our console at the level asked for (--quiet: errors only)."""
    import prefect  # noqa: F401  (configures logging on import; its console handler is replaced below)

    from flows.server import ServerError
    from tasks.ingest.sources import SourcesError
    from tasks.store.warehouse import WarehouseLocked

    level = "ERROR" if args.quiet else args.log_level
    console_log.route_logs(console, level, reported=(WarehouseLocked, SourcesError, ServerError))


def _finish(console: Console, args: argparse.Namespace, record: dict) -> int:
    return console_view.print_record(console, record, args.warehouse, where.command_prefix())


def _unwritable(console: Console, args: argparse.Namespace, exc: OSError) -> int:
    """One readable line for a warehouse that cannot be written, then what the warehouse still publishes."""
    where = exc.filename or getattr(args, "warehouse", "")
    console.print(f"[bold red]warehouse unwritable:[/] {escape(UNWRITABLE[exc.errno])}: {escape(str(where))}; "
                  "this run stopped and published nothing new (the releases already published are unchanged)")
    console_view.print_published(console, Path(getattr(args, "warehouse", "warehouse")))
    return EXIT_UNWRITABLE


def _run(args: argparse.Namespace, console: Console) -> int:
    from flows.pipeline import release_pipeline
    from flows.stages import progress_listener

    with console_view.run_progress(console, "run", args.release_year, enabled=not args.quiet) as advance, \
            progress_listener(advance):
        record = release_pipeline(sources=args.sources_parameter, warehouse=args.warehouse,
                                  release_years=args.release_year, lock_timeout=args.lock_timeout,
                                  parallel=args.parallel, accept_shrink=args.accept_shrink, runner=args.runner,
                                  dask_address=args.dask_address, keep_builds=args.keep_builds)
    return _finish(console, args, record)


def _nightly(args: argparse.Namespace, console: Console) -> int:
    from flows.nightly import nightly_flow
    from flows.stages import progress_listener

    with console_view.run_progress(console, "nightly", enabled=not args.quiet) as advance, \
            progress_listener(advance):
        record = nightly_flow(sources=args.sources_parameter, warehouse=args.warehouse,
                              lock_timeout=args.lock_timeout, accept_shrink=args.accept_shrink,
                              keep_builds=args.keep_builds)
    return _finish(console, args, record)


def _annual(args: argparse.Namespace, console: Console) -> int:
    from flows.nightly import annual_flow
    from flows.stages import progress_listener

    years = [args.release_year] if args.release_year else None
    with console_view.run_progress(console, "annual", years, enabled=not args.quiet) as advance, \
            progress_listener(advance):
        record = annual_flow(sources=args.sources_parameter, warehouse=args.warehouse, release_year=args.release_year,
                             lock_timeout=args.lock_timeout, accept_shrink=args.accept_shrink,
                             keep_builds=args.keep_builds)
    return _finish(console, args, record)


def _backfill(args: argparse.Namespace, console: Console) -> int:
    from flows.backfill import backfill_flow
    from flows.stages import progress_listener

    years = args.years_list
    with console_view.run_progress(console, "backfill", years, enabled=not args.quiet) as advance, \
            progress_listener(advance):
        record = backfill_flow(release_years=years, sources=args.sources_parameter, warehouse=args.warehouse,
                               force=args.force, parallel=args.parallel, lock_timeout=args.lock_timeout,
                               accept_shrink=args.accept_shrink, keep_builds=args.keep_builds)
    return _finish(console, args, record)


def _serve(args: argparse.Namespace, console: Console) -> int:
    from flows.server import start_server, stop_server

    process, api_url = None, os.environ.get("PREFECT_API_URL", "")
    if not api_url and args.no_server:
        console.print("[bold red]error:[/] --no-server needs PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)")
        return EXIT_USAGE
    if not api_url:
        api_url, process = start_server(args.host, args.port)
        os.environ["PREFECT_API_URL"] = api_url          # flow-run subprocesses inherit it
        console.print(f"Prefect server and UI: {api_url.removesuffix('/api')} (SQLite database in PREFECT_HOME)")
    try:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from flows.deployments import serve_deployments

        with temporary_settings({PREFECT_API_URL: api_url}):
            serve_deployments(args.warehouse, _serve_sources(args.sources or ["seeds"]))
    finally:
        stop_server(process)
    return EXIT_OK


def _serve_sources(given: list[str]) -> str:
    from tasks.ingest.sources import joined_sources

    return given[0] if len(given) == 1 else joined_sources(given)


def _query(args: argparse.Namespace, console: Console) -> int:
    from tasks.present.query import QueryError, format_result, run_query

    try:
        sys.stdout.write(format_result(run_query(Path(args.warehouse), args.sql), args.format))
    except QueryError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}")
        return EXIT_USAGE
    return EXIT_OK


def _status(args: argparse.Namespace, console: Console) -> int:
    from tasks.present.status import format_status, gather, local_inputs

    inputs = local_inputs(args.sources) if args.sources else None
    sys.stdout.write(format_status(gather(Path(args.warehouse), inputs), args.format))
    return EXIT_OK


def _show(args: argparse.Namespace, console: Console) -> int:
    from tasks.present.query import QueryError, show_release

    try:
        sys.stdout.write(show_release(Path(args.warehouse), args.release_year, include_derived=not args.no_derived))
    except QueryError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}")
        return EXIT_USAGE
    return EXIT_OK

def _rollback(args: argparse.Namespace, console: Console) -> int:
    from tasks.store.builds import BuildError
    from tasks.store.warehouse import Warehouse

    wh = Warehouse(args.warehouse)
    with wh.lock(timeout=0):
        try:
            build = wh.builds.rollback(args.release_year, args.to)
        except BuildError as exc:
            console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            return EXIT_USAGE
    console.print(f"release {args.release_year}: build {build} is current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
