"""The committed suite files are exactly what the catalogue generates, and every suite file is real GX JSON."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from tasks.contract import schema
from tasks.contract.catalogue import load_catalogue, parse_catalogue
from tasks.quality.suites import EXPECTATIONS_DIR, GENERATED, NOT_CATALOGUED, PREPARED, suite_json, unit_pairs
from tasks.quality.validate import load_suite, prepare

FIX = "regenerate with `python -m tasks.quality.validate --write-suites`"


@pytest.mark.parametrize("name", GENERATED)
def test_committed_suite_equals_generated(name):
    path = EXPECTATIONS_DIR / f"{name}.json"
    assert path.is_file(), f"{path} is missing; {FIX}"
    assert path.read_text(encoding="utf-8") == suite_json(name), f"{path} drifted; {FIX}"


@pytest.mark.parametrize("path", sorted(EXPECTATIONS_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_suite_file_is_gx_suite_json(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    suite = load_suite(path.stem)                       # gx.ExpectationSuite(**data)
    assert suite.name == path.stem and suite.expectations
    assert suite.to_json_dict()["expectations"] == data["expectations"]


def test_catalogue_value_sets_follow_the_catalogue():
    data = json.loads(suite_json("facts", load_catalogue()))
    value_sets = {e["kwargs"]["column"]: e["kwargs"]["value_set"] for e in data["expectations"]
                  if e["type"] == "expect_column_values_to_be_in_set"}
    assert value_sets["indicator_id"] == load_catalogue().ids
    assert value_sets["unit"] == list(schema.UNITS) and value_sets["measure"] == list(schema.MEASURES)
    assert data["meta"]["prepared_columns"] == PREPARED


def test_unit_pairs_fix_the_unit_of_each_measure():
    cat = parse_catalogue("""
indicators:
  - {id: a.fund, unit: CNY, zh: 基金, en: fund, range: [1, 2]}
  - {id: a.rate, unit: percent, zh: 比例, en: rate, range: [10, 90]}
""")
    assert unit_pairs(cat) == [["a.fund|level", "CNY"], ["a.fund|yoy_pct", "percent"], ["a.fund|yoy_abs", "CNY"],
                               ["a.rate|level", "percent"], ["a.rate|yoy_pct", "percent"],
                               ["a.rate|yoy_pp", "percent"]]
    assert "a.rate" in suite_json("published", cat)
    frame = prepare(pd.DataFrame({"indicator_id": ["a.fund", "a.fund", "a.rate", "a.gone"],
                                  "measure": ["yoy_abs", "yoy_pp", "yoy_pp", "level"]}), cat)
    assert list(frame["catalogue_unit"]) == ["CNY", NOT_CATALOGUED, "percent", NOT_CATALOGUED]
