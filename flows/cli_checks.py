"""Checks of the command line made before Prefect is imported or started: a mistyped path or a busy warehouse
costs one line and no seconds."""
from __future__ import annotations

import argparse
from pathlib import Path

RUN_COMMANDS = ("run", "nightly", "annual", "backfill")
READ_COMMANDS = ("query", "show")


class UsageError(ValueError):
    """A bad argument (the message names it); exit code 2."""


def sources_parameter(args: argparse.Namespace) -> str:
    """The sources as the flows take them: one path, or several joined by os.pathsep (checked first)."""
    from tasks.ingest.sources import joined_sources, require_inputs, resolve_sources

    given = args.sources or ["seeds"]
    require_inputs(resolve_sources(given))
    return given[0] if len(given) == 1 else joined_sources(given)


def check(args: argparse.Namespace) -> None:
    """Raise UsageError, SourcesError or WarehouseLocked for what would only fail later inside a flow."""
    if args.command == "backfill":
        from flows.backfill_years import parse_years

        try:
            args.years_list = parse_years(args.years)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if args.command in RUN_COMMANDS:
        if getattr(args, "parallel", 1) is not None and getattr(args, "parallel", 1) < 1:
            raise UsageError(f"--parallel must be at least 1 (got {args.parallel})")
        if args.keep_builds < 1:
            raise UsageError(f"--keep-builds must be at least 1: the current build is always kept "
                             f"(got {args.keep_builds})")
        if args.lock_timeout < 0:
            raise UsageError(f"--lock-timeout must not be negative (got {args.lock_timeout:g})")
        args.sources_parameter = sources_parameter(args)
        _writable_root(Path(args.warehouse))
        if args.lock_timeout == 0:
            refuse_if_locked(Path(args.warehouse))
    if args.command in READ_COMMANDS and not Path(args.warehouse).is_dir():
        raise UsageError(f"{args.warehouse}: no such warehouse directory (build one with `bulletin-etl run "
                         f"--warehouse {args.warehouse}`)")
    if args.command == "show" and not (Path(args.warehouse) / "published").is_dir():
        raise UsageError(f"no published release {args.release_year} under {Path(args.warehouse) / 'published'} "
                         "(the warehouse publishes no release yet)")


def _writable_root(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise UsageError(f"--warehouse {root}: exists and is not a directory")


def refuse_if_locked(root: Path) -> None:
    """WarehouseLocked now when another run holds the lock (a run that waits not at all is refused anyway)."""
    if not (root / ".lock").is_file():
        return
    from tasks.store.warehouse import Warehouse, WarehouseLocked

    try:
        with Warehouse(root).lock(timeout=0):
            pass
    except WarehouseLocked as exc:
        raise WarehouseLocked(f"{exc}. This run is refused; retry later or let it wait "
                              "(--lock-timeout SECONDS).") from None
