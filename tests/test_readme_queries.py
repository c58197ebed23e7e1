"""Every `bulletin-etl query` in the README runs on a seeds warehouse and returns what its comment says."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import SEEDS, SHARED
from flows.pipeline import release_pipeline
from tasks.present.query import run_query

pytestmark = pytest.mark.slow
README = Path(__file__).resolve().parents[1] / "README.md"
VALUE_COLUMNS = {"value", "previous_value", "revision", "revision_pct", "n"}


def readme_queries() -> list[str]:
    """The SQL of every `bulletin-etl query "…"` in the README, a continued string joined into one line."""
    found = re.findall(r'bulletin-etl query "((?:[^"\\]|\\.)*)"', README.read_text(encoding="utf-8"), re.S)
    return [" ".join(sql.split()) for sql in found if sql != "SQL"]


@pytest.fixture(scope="module")
def seeds_warehouse(prefect_harness, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("readme") / "warehouse"
    release_pipeline(sources=str(SEEDS), warehouse=str(root))
    return root


def test_the_readme_has_queries_to_check():
    queries = readme_queries()
    assert len(queries) >= 5 and any("from latest" in q for q in queries)


@pytest.mark.parametrize("sql", readme_queries())
def test_each_readme_query_runs_and_every_value_row_says_which_value_it_is(seeds_warehouse, sql):
    """A row showing a value names everything that tells it apart (a growth rate never passes as the level)."""
    result = run_query(seeds_warehouse, sql)
    labels = [c for c in result.columns if c not in VALUE_COLUMNS]
    if VALUE_COLUMNS & set(result.columns) and len(result):
        if not labels:                                      # a bare aggregate: one row, nothing to tell apart
            assert len(result) == 1, f"{sql}: {len(result)} unlabelled value rows"
        else:
            duplicated = result[result.duplicated(labels, keep=False)]
            assert duplicated.empty, f"{sql}: rows alike but for their value:\n{duplicated}"
    for column, literal in re.findall(r"\b(\w+) = '([^']*)'", sql):     # what the query filters holds on the rows
        if column in result.columns:
            assert set(result[column].astype(str)) <= {literal}, (sql, column)


def test_the_latest_fund_levels_query_returns_the_bulletins_levels(seeds_warehouse):
    sql = next(q for q in readme_queries() if "from latest" in q and "bmi.fund." in q)
    result = run_query(seeds_warehouse, sql)
    expected = pd.read_csv(SHARED / "seeds" / "expected_release_2024.csv")
    expected = expected[expected["indicator_id"].str.startswith("bmi.fund.") & (expected["measure"] == "level")]
    revenue = result[(result["indicator_id"] == "bmi.fund.revenue") & (result["period_year"] == 2024)]
    assert len(revenue) == 1
    stated = expected[(expected["indicator_id"] == "bmi.fund.revenue") & (expected["period_year"] == 2024)]
    assert revenue["value"].iloc[0] == pytest.approx(float(stated["value"].iloc[0]))
    assert set(expected["indicator_id"]) <= set(result["indicator_id"])
