"""indicators_spreadsheet.csv: the release table as Excel opens it in any locale (UTF-8 BOM, names, the bulletin's
units, plain decimals), beside indicators.csv whose contract columns stay as they are."""
from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from tasks.contract.catalogue import Catalogue
from tasks.contract.schema import KEY
from tasks.present.display import neutralise, plain_decimal
from tasks.publish.derive import derived_indicators

BOM = "\ufeff".encode("utf-8")
SPREADSHEET_COLUMNS = ["indicator_id", "name_zh", "name_en", "region", "period_year", "measure", "value", "unit",
                       "value_bulletin_unit", "bulletin_unit", "status", "vintage", "qualifier", "sources", "note",
                       "release_year"]
NUMBER_COLUMNS = ("value", "value_bulletin_unit")     # plain decimals, written as they are (a sign is no formula)


@lru_cache(maxsize=1)
def bulletin_units() -> dict:
    """The bulletin's units per canonical unit and per change measure (spreadsheet.yaml)."""
    return yaml.safe_load(Path(__file__).with_name("spreadsheet.yaml").read_text(encoding="utf-8"))


def bulletin_unit(unit: str, measure: str) -> dict:
    """How a row of this unit and measure is written in the bulletin: {unit, divisor, places}."""
    rules = bulletin_units()
    return rules["measures"].get(measure) or rules["units"].get(unit) or {"unit": unit, "divisor": 1, "places": None}


def spreadsheet_frame(published: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """One row per published row with Chinese and English names and the value in the bulletin's unit, as text."""
    entries = {**catalogue.indicators, **derived_indicators(catalogue)}
    rows = published.sort_values(KEY).reset_index(drop=True)
    shown = [bulletin_unit(u, m) for u, m in zip(rows["unit"], rows["measure"])]
    return rows.assign(
        name_zh=rows["indicator_id"].map(lambda i: entries[i].zh if i in entries else ""),
        name_en=rows["indicator_id"].map(lambda i: entries[i].en if i in entries else ""),
        value=[plain_decimal(v) for v in rows["value"]],
        value_bulletin_unit=[plain_decimal(v / s["divisor"], s["places"]) if pd.notna(v) else ""
                             for v, s in zip(rows["value"], shown)],
        bulletin_unit=[s["unit"] for s in shown])[SPREADSHEET_COLUMNS]


def spreadsheet_bytes(published: pd.DataFrame, catalogue: Catalogue) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Chinese in any locale); text cells a spreadsheet would run
    as a formula are neutralised, numbers are plain decimals."""
    frame = spreadsheet_frame(published, catalogue)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SPREADSHEET_COLUMNS)
    for row in frame.itertuples(index=False):
        writer.writerow([_cell(name, value) for name, value in zip(SPREADSHEET_COLUMNS, row)])
    return BOM + buffer.getvalue().encode("utf-8")


def _cell(name: str, value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if name in NUMBER_COLUMNS:
        return str(value)
    if isinstance(value, float):
        return plain_decimal(value)
    return neutralise(value) if isinstance(value, str) else str(value)
