"""When the scheduled deployments run (one definition: deployments schedule them, annual says when it looks again)."""
from __future__ import annotations

from datetime import datetime

TIMEZONE = "Asia/Shanghai"
NIGHTLY_CRON = "30 2 * * *"      # every day at 02:30 Beijing time
ANNUAL_CRON = "0 10 * 7,8 1"     # Mondays 10:00 Beijing time in July and August, when the bulletin appears


def next_run(cron: str, after: datetime) -> datetime:
    """The first time after `after` this cron fires in TIMEZONE, computed by the code Prefect's scheduler uses."""
    from prefect.server.schemas.schedules import CronSchedule
    from prefect.utilities.asyncutils import run_coro_as_sync

    [when] = run_coro_as_sync(CronSchedule(cron=cron, timezone=TIMEZONE).get_dates(n=1, start=after))
    return when
