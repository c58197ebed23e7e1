"""Release years of a backfill as written on the command line (no Prefect import: checked before a run starts)."""
from __future__ import annotations


def parse_years(text: str) -> list[int]:
    """'2018-2024', '2019,2021' or '2020' -> sorted release years."""
    years: set[int] = set()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"not a release year or range: {part!r} (expected e.g. 2018-2024 or 2019,2021)")
        start, end = int(low), int(high or low)
        if start > end:
            raise ValueError(f"range {part!r} runs backwards")
        years.update(range(start, end + 1))
    if not years:
        raise ValueError("no release years given")
    return sorted(years)
