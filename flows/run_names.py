"""Flow run names that say what ran (`nightly 2026-12-02`, `backfill 2018-2024`) instead of Prefect's random ones."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flows.schedules import TIMEZONE


def today() -> date:
    """The date in the schedules' time zone (a 02:30 nightly belongs to that Beijing day)."""
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def dated(kind: str) -> Callable[[], str]:
    """`<kind> <date>`, for runs that look at whatever the sources hold today."""
    return lambda: f"{kind} {today().isoformat()}"


def years_label(years: list[int]) -> str:
    """2018-2024 for a run of consecutive years, else 2019,2021 (as `backfill` takes them)."""
    wanted = sorted(set(int(y) for y in years))
    if len(wanted) > 1 and wanted == list(range(wanted[0], wanted[-1] + 1)):
        return f"{wanted[0]}-{wanted[-1]}"
    return ",".join(str(y) for y in wanted)


def backfill() -> str:
    """`backfill 2018-2024`: the release years asked for."""
    from prefect.runtime import flow_run

    return f"backfill {years_label(flow_run.parameters.get('release_years') or [])}"


def annual() -> str:
    """`annual 2026-07-06 (release 2025)`: the day and the release it waits for."""
    from prefect.runtime import flow_run

    return f"annual {today().isoformat()} (release {expected_release(flow_run.parameters.get('release_year'))})"


def expected_release(release_year: int | None, on: date | None = None) -> int:
    """The release an annual run waits for: the one given, else last year's, whose bulletin appears this summer."""
    return int(release_year) if release_year else (on or today()).year - 1
