"""GX validation: suites load, good frames pass, each broken row fails the right expectation and only it."""
from __future__ import annotations

import pandas as pd
import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.quality.suites import EXPECTATIONS_DIR
from tasks.quality.validate import load_suite, validate_frame

CAT = load_catalogue()


def first_with_unit(unit: str) -> str:
    return next(i for i in CAT.ids if CAT[i].unit == unit)


CNY, PERCENT, PERSONS = first_with_unit("CNY"), first_with_unit("percent"), first_with_unit("persons")


def mid(indicator_id: str, measure: str = "level") -> float:
    low, high = CAT[indicator_id].bounds(measure)
    return (low + high) / 2


def figures(n_extra_keys: int = 0) -> pd.DataFrame:
    """Plausible figures of release 2024: a level of each unit family and each kind of change."""
    rows = [(CNY, "level", mid(CNY), "CNY"), (CNY, "yoy_pct", 4.2, "percent"),
            (CNY, "yoy_abs", mid(CNY, "yoy_abs") / 2, "CNY"), (PERCENT, "level", mid(PERCENT), "percent"),
            (PERCENT, "yoy_pp", 0.5, "percent"), (PERSONS, "level", mid(PERSONS), "persons")]
    rows += [(i, "level", mid(i), CAT[i].unit) for i in CAT.ids[:n_extra_keys]
             if i not in (CNY, PERCENT, PERSONS)]
    frame = pd.DataFrame(rows, columns=["indicator_id", "measure", "value", "unit"])
    return frame.assign(region="CN", period_year=2024, qualifier="exact", release_year=2024)


def facts() -> pd.DataFrame:
    n = len(figures(12))
    return figures(12).assign(doc_id="00aa11bb22cc33dd", text="x", span_start=range(0, 10 * n, 10),
                              span_end=range(5, 10 * n + 5, 10), flags=None, confidence=0.9,
                              kind="final_bulletin")


def published() -> pd.DataFrame:
    return figures(12).assign(status="agreed", n_sources=2, sources="a;b", vintage="final_bulletin",
                              note=None, source_text="x")


def documents() -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["00aa11bb22cc33dd", "ffee00112233aabb"], "source_uri": ["a.txt", "b.html"],
                         "sha256": ["00aa11bb22cc33dd" + "0" * 48, "ffee00112233aabb" + "1" * 48],
                         "language": ["zh", "en"], "kind": ["final_bulletin", "unrelated"],
                         "status": ["ok", "quarantined"], "problems": [None, "no figures"],
                         "n_facts": [12, 0], "release_year": [2024, 0]})


def test_each_suite_loads_with_its_expectations():
    counts = {name: len(load_suite(name).expectations) for name in ("documents", "facts", "published")}
    assert counts == {"documents": 15, "facts": 23, "published": 24}
    for path in EXPECTATIONS_DIR.glob("*.json"):          # any suite file present loads the same way
        assert load_suite(path.stem).name == path.stem


@pytest.mark.parametrize("suite, frame", [("facts", facts), ("published", published), ("documents", documents)])
def test_good_frame_passes(suite, frame):
    result = validate_frame(suite, frame().set_index(pd.Index(range(100, 100 + len(frame())))), CAT)
    assert (result.success, result.failures, result.bad_rows) == (True, [], [])
    assert result.n_rows == len(frame())


# (suite, row position, column changes, expectation that must fail on that row)
BROKEN = [
    ("facts", 0, {"indicator_id": "bmi.unknown"}, "expect_column_values_to_be_in_set"),
    ("facts", 1, {"unit": "CNY"}, "expect_column_pair_values_to_be_equal"),            # a growth rate in yuan
    ("facts", 2, {"value": mid(CNY, "level") * 1e3}, "expect_column_pair_values_a_to_be_greater_than_b"),
    ("facts", 3, {"value": 180.0}, "expect_column_values_to_be_between"),                # percent level > 100
    ("facts", 5, {"unit": "person_times"}, "expect_column_pair_values_to_be_equal"),   # not the catalogue unit
    ("facts", 6, {"period_year": 1980}, "expect_column_values_to_be_between"),           # 44 years before release
    ("facts", 7, {"doc_id": None}, "expect_column_values_to_not_be_null"),
    ("facts", 8, {"measure": "level_ish"}, "expect_column_values_to_be_in_set"),
    ("facts", 9, {"span_end": 0}, "expect_column_pair_values_a_to_be_greater_than_b"),
    ("published", 0, {"value": None}, "expect_column_values_to_not_be_null"),
    ("published", 4, {"status": "guessed"}, "expect_column_values_to_be_in_set"),
    ("published", 5, {"measure": "yoy_pp", "unit": "percent", "value": 1.0},             # pp of a head count
     "expect_column_pair_values_to_be_equal"),
    ("documents", 0, {"sha256": "xyz"}, "expect_column_values_to_match_regex"),
    ("documents", 1, {"problems": None}, "expect_column_values_to_not_be_null"),
]


@pytest.mark.parametrize("suite, frame", [("facts", facts), ("published", published), ("documents", documents)])
def test_broken_rows_fail_the_right_expectation(suite, frame):
    df = frame()
    cases = [c for c in BROKEN if c[0] == suite]
    for _, row, changes, _ in cases:
        for column, value in changes.items():
            if value is None or isinstance(value, str) != isinstance(df.at[row, column], str):
                df[column] = df[column].astype(object)
            df.at[row, column] = value
    if suite == "published":
        df = pd.concat([df, df.iloc[[2]]], ignore_index=True)      # duplicate key of row 2
        cases.append((suite, 2, {}, "expect_compound_columns_to_be_unique"))
        cases.append((suite, len(df) - 1, {}, "expect_compound_columns_to_be_unique"))
    result = validate_frame(suite, df.set_index(pd.Index(range(500, 500 + len(df)))), CAT)
    assert not result.success
    assert result.bad_rows == sorted({row for _, row, _, _ in cases})
    failed = {(f["expectation"], tuple(f["columns"])): f for f in result.failures}
    for _, row, changes, expectation in cases:
        hits = [f for (name, _), f in failed.items() if name == expectation]
        assert hits, f"{expectation} did not fail for row {row} {changes}"
        assert all(f["unexpected_count"] >= 1 and f["sample"] for f in hits)
    assert {f["expectation"] for f in result.failures} <= {c[3] for c in cases}


def test_unknown_suite_names_the_file():
    with pytest.raises(FileNotFoundError, match="nosuch.json"):
        validate_frame("nosuch", facts())


def test_results_keep_every_expectation_and_name_the_failing_rows():
    good = validate_frame("documents", documents(), CAT)
    bad = validate_frame("documents", documents().assign(status="lost"), CAT)
    assert len(good.expectations) == len(load_suite("documents").expectations) and all(
        e["success"] for e in good.expectations)
    [status] = [f for f in bad.failures if "status" in f["columns"]]
    assert status["failing_rows"] == [f"doc_id={d} source_uri={s}" for d, s in
                                      documents()[["doc_id", "source_uri"]].itertuples(index=False)]
    assert any(not e["success"] for e in bad.expectations) and "lost" in status["sample"]