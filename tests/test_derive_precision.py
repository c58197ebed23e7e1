"""One precision per figure, carried forward: derived tolerances from input resolutions, weakest input status."""
from __future__ import annotations

import pytest
from release_frames import published

from tasks.contract.catalogue import load_catalogue
from tasks.publish.derive import derive_indicators, input_status, row_resolution

CAT = load_catalogue()


def one(frame, **where):
    """The single row matching the given column values."""
    for column, value in where.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, f"expected one row for {where}, got {len(frame)}"
    return frame.iloc[0]


@pytest.mark.parametrize("quote, value, unit", [("1.12万亿元", 1.12e12, 5e9), ("23732.47亿元", 2373247000000, 5e5),
                                                ("84.8%", 84.8, 0.05), ("95%", 95, 0.5), ("7408.08元", 7408.08, 0.005),
                                                ("132662.08万人", 1326620800, 50)])
def test_a_row_without_a_resolution_takes_the_precision_of_its_quote(quote, value, unit):
    assert row_resolution({"value": value, "source_text": quote, "resolution": float("nan")}) == pytest.approx(unit)


def test_the_stated_resolution_wins_over_what_the_value_looks_like():
    # 13.30亿 is rounded to the 百万: the value 1.33e9 alone would suggest 5e6, the quote says 5e5
    assert row_resolution({"value": 1.33e9, "source_text": "13.30亿人", "resolution": 5e5}) == 5e5


def test_derived_tolerance_comes_from_the_inputs_resolutions_not_their_values():
    rows = [("bmi.fund.revenue", 2024, "level", 3.49e12, {"resolution": 5e5}),
            ("bmi.fund.expenditure", 2024, "level", 2.97e12, {"resolution": 5e5})]
    tight = one(derive_indicators(published(rows), CAT), indicator_id="derived.bmi.fund.balance")
    loose = one(derive_indicators(published([r[:4] for r in rows]), CAT), indicator_id="derived.bmi.fund.balance")
    assert tight["resolution"] == pytest.approx(1e6, rel=1e-3) and loose["resolution"] == pytest.approx(1e10, rel=1e-3)
    assert tight["value"] == pytest.approx(0.52e12)


def test_derived_rows_carry_the_weakest_status_of_their_inputs():
    rows = [("bmi.fund.revenue", 2024, "level", 3.49e12, {"status": "agreed", "input_status": "agreed"}),
            ("bmi.fund.expenditure", 2024, "level", 2.97e12, {"status": "repaired", "input_status": "repaired"})]
    row = one(derive_indicators(published(rows), CAT), indicator_id="derived.bmi.fund.balance")
    assert (row["status"], row["input_status"]) == ("derived", "repaired")
    assert "bmi.fund.expenditure@2024:level (repaired)" in row["evidence"]
    assert input_status(({"status": "agreed"}, {"status": "suspect"}, {"status": "conflict"})) == "suspect"


def test_derived_rows_never_mix_regions():
    rows = published([("bmi.fund.revenue", 2024, "level", 3.49e12), ("bmi.fund.expenditure", 2024, "level", 2.1e11)])
    rows.loc[rows["indicator_id"] == "bmi.fund.expenditure", "region"] = "440000"
    assert not derive_indicators(rows, CAT)["indicator_id"].eq("derived.bmi.fund.balance").any()
