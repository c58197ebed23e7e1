"""Run a GX suite from expectations/ on a frame and return a verdict with the exact rows that break it."""
from __future__ import annotations

import argparse
import json
import threading
from dataclasses import dataclass, field

import pandas as pd

from tasks.contract.catalogue import Catalogue, load_catalogue
from tasks.quality.coherence import POWERS
from tasks.quality.suites import EXPECTATIONS_DIR, NOT_CATALOGUED, unit_pairs, write_suites

SAMPLE_SIZE = 5
NAMED_ROWS = 50                     # failing rows named per expectation (the count says how many in all)
# What names a row of each suite's frame for people: its identity, never its position.
ROW_NAME_COLUMNS = {"documents": ("doc_id", "title", "source_uri"),
                    "facts": ("indicator_id", "region", "period_year", "measure", "doc_id", "span_start"),
                    "published": ("indicator_id", "region", "period_year", "measure"),
                    "identities": ("identity", "indicator_id", "period_year")}
_GX_LOCK = threading.RLock()        # one GX context per process, used by one thread at a time
_GX: dict = {}


@dataclass
class ValidationResult:
    """Verdict of one suite on one frame; bad_rows are positions (0..n-1) in the frame given."""

    suite: str
    success: bool
    n_rows: int
    failures: list[dict] = field(default_factory=list)
    bad_rows: list[int] = field(default_factory=list)
    gx_result: object | None = None
    expectations: list[dict] = field(default_factory=list)   # every expectation: passed or not, observed values


def load_suite(name: str):
    """The GX ExpectationSuite stored in expectations/<name>.json."""
    path = EXPECTATIONS_DIR / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no expectation suite named {name!r}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from exc
    with _GX_LOCK:
        return _context()["gx"].ExpectationSuite(**data)


def prepare(df: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Add the computed columns the suites refer to (tasks.quality.suites.PREPARED); rows keep their positions."""
    frame = df.reset_index(drop=True)
    if {"indicator_id", "measure"} <= set(frame.columns):
        joined = frame["indicator_id"].astype("string") + "|" + frame["measure"].astype("string")
        frame["indicator_measure"] = joined.astype(object).where(joined.notna(), None)
        units = dict(unit_pairs(catalogue))
        frame["catalogue_unit"] = [units.get(pair, NOT_CATALOGUED) for pair in frame["indicator_measure"]]
        flags = frame["flags"] if "flags" in frame.columns else pd.Series([""] * len(frame))
        regions = frame["region"] if "region" in frame.columns else pd.Series(["CN"] * len(frame))
        bounds = [_bounds(catalogue, i, m, "unit_suspect" in str(f or "")) if str(r or "CN") == "CN" else (None, None)
                  for i, m, f, r in zip(frame["indicator_id"], frame["measure"], flags, regions)]
        frame["range_low"] = pd.Series([b[0] for b in bounds], dtype="float64")
        frame["range_high"] = pd.Series([b[1] for b in bounds], dtype="float64")
    if {"release_year", "period_year"} <= set(frame.columns):
        frame["years_before_release"] = (pd.to_numeric(frame["release_year"], errors="coerce")
                                         - pd.to_numeric(frame["period_year"], errors="coerce"))
    return frame


def validate_frame(suite: str, df: pd.DataFrame, catalogue: Catalogue | None = None) -> ValidationResult:
    """Validate a frame with expectations/<suite>.json; failures name the expectation and the rows."""
    gx_suite = load_suite(suite)
    catalogue = catalogue or load_catalogue()
    if suite == "published":
        from tasks.publish.derive import catalogue_with_derived

        catalogue = catalogue_with_derived(catalogue)  # derived.* rows have their own units and ranges
    frame = prepare(df, catalogue)
    with _GX_LOCK:
        batch = _context()["batch_definition"].get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(gx_suite, result_format={"result_format": "COMPLETE"})
    failures, bad_rows, expectations = [], set(), []
    for item in result.results:
        entry = _failure(item, frame, suite)
        expectations.append({**entry, "success": bool(item.success)})
        if not item.success:
            failures.append(entry)
            bad_rows.update(int(i) for i in (item.result or {}).get("unexpected_index_list") or [])
    return ValidationResult(suite=suite, success=bool(result.success), n_rows=len(frame), failures=failures,
                            bad_rows=sorted(bad_rows), gx_result=result, expectations=expectations)


def row_names(frame: pd.DataFrame, suite: str, positions: list[int]) -> list[str]:
    """The rows at these positions by what identifies them (indicator, document, identity), for people."""
    columns = [c for c in ROW_NAME_COLUMNS.get(suite, ()) if c in frame.columns]
    names = []
    for pos in positions:
        if not 0 <= pos < len(frame):
            continue
        parts = [f"{c}={_plain(frame.at[pos, c])}" for c in columns if not _missing(frame.at[pos, c])]
        names.append(" ".join(parts) or f"row {pos}")
    return names


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _context() -> dict:
    """GX module, ephemeral context and a dataframe batch definition, created once per process."""
    with _GX_LOCK:
        if not _GX:
            import great_expectations as gx  # lazy: importing GX costs ~4 s
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            asset = context.data_sources.add_pandas("bulletin_etl").add_dataframe_asset("frame")
            _GX.update(gx=gx, context=context, batch_definition=asset.add_batch_definition_whole_dataframe("all"))
        return _GX


def _bounds(catalogue: Catalogue, indicator_id: object, measure: object,
            unit_suspect: bool = False) -> tuple[float | None, float | None]:
    """Plausible bounds; a fact flagged as a likely unit error may be off by up to 10^3 until it is repaired."""
    if indicator_id not in catalogue or not isinstance(measure, str):
        return (None, None)
    low, high = catalogue[indicator_id].bounds(measure) or (None, None)
    if unit_suspect and low is not None:
        span = 10.0 ** max(POWERS)
        low, high = min(low * span, low / span), max(high * span, high / span)
    return (low, high)


def _failure(item, frame: pd.DataFrame, suite: str) -> dict:
    """One expectation's result as plain data: what, where, what was observed, how often it failed, the failing
    rows by name and a few offending values."""
    config = item.expectation_config.to_json_dict()
    kwargs = {k: (f"<{len(v)} values>" if k in ("value_set", "value_pairs_set") else v)
              for k, v in config["kwargs"].items() if k != "batch_id"}
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs] + kwargs.get("column_list", [])
    result = item.result or {}
    failure = {"expectation": config["type"], "columns": columns, "kwargs": kwargs,
               "unexpected_count": result.get("unexpected_count"),
               "sample": _plain(list(result.get("partial_unexpected_list") or [])[:SAMPLE_SIZE])}
    if "observed_value" in result:
        failure["observed"] = _plain(result["observed_value"])
    if result.get("unexpected_percent") is not None:
        failure["unexpected_percent"] = round(float(result["unexpected_percent"]), 3)
    failing = [int(i) for i in result.get("unexpected_index_list") or []]
    if failing and not item.success:
        failure["failing_rows"] = row_names(frame, suite, failing[:NAMED_ROWS])
    if (item.exception_info or {}).get("raised_exception"):
        failure["exception"] = item.exception_info.get("exception_message")
    return failure


def _plain(value):
    """numpy scalars, tuples and dicts from GX results as JSON-able Python values."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item"):
        return value.item()
    return None if value is pd.NA else value


def main(argv: list[str] | None = None) -> int:
    """`python -m tasks.quality.validate --write-suites`: regenerate the catalogue-derived suite files."""
    parser = argparse.ArgumentParser(prog="python -m tasks.quality.validate", description=main.__doc__)
    parser.add_argument("--write-suites", action="store_true", help="regenerate expectations/*.json")
    args = parser.parse_args(argv)
    if not args.write_suites:
        parser.print_help()
        return 2
    for path in write_suites():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
