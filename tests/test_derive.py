"""Derived indicators, identity residuals and the derivations file, on small hand-made release frames."""
from __future__ import annotations

import math

import pytest
from release_frames import SEED_2024, published

from tasks.contract.catalogue import load_catalogue
from tasks.publish.derive import IDENTITY_COLUMNS, catalogue_with_derived, derive_indicators, identity_checks
from tasks.publish.formulas import DerivationsError, load_derivations, parse_derivations, parse_formula
from tasks.contract.schema import UNITS, columns

CAT = load_catalogue()
# Employee/resident split of the 1,326.62 m participants (illustrative, adds up exactly).
PARTICIPANTS = [("bmi.participants", 2024, "level", 1326620000), ("ebmi.participants", 2024, "level", 379310000),
                ("rbmi.participants", 2024, "level", 947310000)]


def one(frame, **where):
    """The single row matching the given column values."""
    for column, value in where.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, f"expected one row for {where}, got {len(frame)}"
    return frame.iloc[0]


@pytest.mark.parametrize("derived_id, rows, expected", [
    ("derived.bmi.fund.balance", SEED_2024, 3491337e6 - 2976403e6),
    ("derived.ebmi.fund.balance", SEED_2024, 2373247e6 - 1910254e6),
    ("derived.rbmi.fund.balance", SEED_2024, 1.12e12 - 1.07e12),
    ("derived.ltc.fund.balance", SEED_2024, 24415e6 - 13108e6),
    ("derived.bmi.fund.expenditure_revenue_ratio", SEED_2024, 100 * 2976403 / 3491337),
    ("derived.ebmi.fund.expenditure_revenue_ratio", SEED_2024, 100 * 1910254 / 2373247),
    ("derived.rbmi.fund.expenditure_revenue_ratio", SEED_2024, 100 * 1.07 / 1.12),
    ("derived.ltc.fund.expenditure_revenue_ratio", SEED_2024, 100 * 13108 / 24415),
    ("derived.ltc.fund.balance_rate", SEED_2024, 100 * (24415 - 13108) / 24415),
    ("derived.bmi.fund.revenue_per_participant", SEED_2024, 3491337e6 / 1326620000),
    ("derived.bmi.fund.expenditure_per_participant", SEED_2024, 2976403e6 / 1326620000),
    ("derived.ebmi.fund.revenue_per_participant", SEED_2024 + PARTICIPANTS, 2373247e6 / 379310000),
    ("derived.ebmi.fund.expenditure_per_participant", SEED_2024 + PARTICIPANTS, 1910254e6 / 379310000),
    ("derived.rbmi.fund.revenue_per_participant", SEED_2024 + PARTICIPANTS, 1.12e12 / 947310000),
    ("derived.rbmi.fund.expenditure_per_participant", SEED_2024 + PARTICIPANTS, 1.07e12 / 947310000),
    ("derived.ebmi.benefit_visits_per_participant", SEED_2024 + PARTICIPANTS, 5308e6 / 379310000),
    ("derived.rbmi.benefit_visits_per_participant", SEED_2024 + PARTICIPANTS, 3035e6 / 947310000),
    ("derived.ebmi.retiree_share", [("ebmi.participants", 2024, "level", 379310000),
                                    ("ebmi.participants.retired", 2024, "level", 104090000)], 100 * 10409 / 37931),
    ("derived.cross_region.visits_share", SEED_2024, 100 * 397 / (5308 + 3035)),
    ("derived.cross_region.visits_share.ebmi", SEED_2024, 100 * 262 / 5308),
    ("derived.cross_region.visits_share.rbmi", SEED_2024, 100 * 134 / 3035),
])
def test_each_derived_indicator(derived_id, rows, expected):
    derived = derive_indicators(published(rows), CAT)
    row = one(derived, indicator_id=derived_id)
    tolerance = float(row["note"].rsplit("±", 1)[1].split()[0])
    assert abs(row["value"] - expected) <= tolerance, (row["value"], expected, tolerance)
    assert (row["status"], row["vintage"], row["measure"], row["period_year"]) == ("derived", "derived", "level", 2024)
    assert row["unit"] == load_derivations(CAT).derived[[d.id for d in load_derivations(CAT).derived].index(
        derived_id)].unit
    formula = next(d.formula for d in load_derivations(CAT).derived if d.id == derived_id)
    assert row["note"].startswith(formula.text)
    assert set(row["sources"].split(";")) == {f"{name}@2024:level" for name in formula.names}
    assert row["n_sources"] == len(formula.names)


def test_derived_rows_have_the_published_columns_and_are_exact_only_without_rounding():
    derived = derive_indicators(published(SEED_2024), CAT)
    assert list(derived.columns) == columns("published")
    assert one(derived, indicator_id="derived.bmi.fund.balance")["qualifier"] == "exact"
    assert one(derived, indicator_id="derived.bmi.fund.expenditure_revenue_ratio")["qualifier"] == "approx"
    assert one(derived, indicator_id="derived.rbmi.fund.balance")["source_text"] == "1120000000000 - 1070000000000"


def test_previous_year_levels_from_stated_changes():
    derived = derive_indicators(published(SEED_2024), CAT)
    from_abs = one(derived, indicator_id="bmi.fund.revenue", period_year=2023)      # yoy_abs wins over yoy_pct
    assert from_abs["value"] == 3491337e6 - 141237e6 and from_abs["qualifier"] == "exact"
    assert from_abs["sources"] == "bmi.fund.revenue@2024:level;bmi.fund.revenue@2024:yoy_abs"
    from_pct = one(derived, indicator_id="ebmi.fund.revenue", period_year=2023)
    assert from_pct["value"] == pytest.approx(2373247e6 / 1.035, rel=1e-3)
    assert from_pct["qualifier"] == "approx" and from_pct["note"].startswith("level / (1 + change / 100)")
    from_pp = one(derived, indicator_id="ebmi.inpatient_reimbursement_ratio", period_year=2023)
    assert from_pp["value"] == pytest.approx(84.6) and from_pp["unit"] == "percent"


def test_derived_rows_never_replace_a_stated_value():
    frame = published(SEED_2024)
    derived = derive_indicators(frame, CAT)
    stated = set(zip(frame["indicator_id"], frame["period_year"], frame["measure"]))
    assert not stated & set(zip(derived["indicator_id"], derived["period_year"], derived["measure"]))
    assert ("rbmi.fund.current_balance", 2023, "level") in stated          # stated, so not derived from yoy_abs
    assert derive_indicators(frame._append(derived, ignore_index=True), CAT).empty   # idempotent


def test_growth_implied_by_two_levels_is_published_only_where_plausible_and_unstated():
    rows = [("bmi.fund.revenue", 2024, "level", 3491337e6), ("bmi.fund.revenue", 2023, "level", 3350100e6),
            ("rbmi.fund.current_balance", 2024, "level", 51942e6),
            ("rbmi.fund.current_balance", 2023, "level", 11206e6),
            ("ebmi.inpatient_reimbursement_ratio", 2024, "level", 84.8),
            ("ebmi.inpatient_reimbursement_ratio", 2023, "level", 84.6)]
    derived = derive_indicators(published(rows), CAT)
    growth = one(derived, indicator_id="bmi.fund.revenue", measure="yoy_pct")
    assert growth["value"] == pytest.approx(100 * (3491337 / 3350100 - 1), abs=1e-3) and growth["unit"] == "percent"
    assert one(derived, indicator_id="ebmi.inpatient_reimbursement_ratio", measure="yoy_pp")["value"] == \
        pytest.approx(0.2)
    # +363.5 % is outside the catalogue's plausible growth range for a balance: not published
    assert derived[(derived["indicator_id"] == "rbmi.fund.current_balance")].empty


def test_bounded_inputs_and_other_releases_are_kept_apart():
    rows = [("rbmi.fund.revenue", 2024, "level", 1.12e12, {"qualifier": "lower_bound"}),
            ("rbmi.fund.expenditure", 2024, "level", 1.07e12)]
    assert derive_indicators(published(rows), CAT).empty
    two = published([("ltc.fund.revenue", 2024, "level", 24415e6), ("ltc.fund.expenditure", 2024, "level", 13108e6)])
    two = two._append(published([("ltc.fund.revenue", 2023, "level", 2e10)], release_year=2023), ignore_index=True)
    derived = derive_indicators(two, CAT)
    assert set(derived["release_year"]) == {2024}


IDENTITY_CASES = [  # identity id, rows, within tolerance?
    ("participants.employee_plus_resident", PARTICIPANTS, True),
    ("participants.employee_plus_resident", PARTICIPANTS[:2] + [("rbmi.participants", 2024, "level", 957310000)],
     False),
    ("fund_revenue.employee_plus_resident", SEED_2024, True),
    ("fund_revenue.employee_plus_resident", [r for r in SEED_2024 if r[0] != "rbmi.fund.revenue"]
     + [("rbmi.fund.revenue", 2024, "level", 1.13e12)], False),
    ("fund_expenditure.employee_plus_resident", SEED_2024, True),
    ("fund_expenditure.employee_plus_resident", [r for r in SEED_2024 if r[0] != "rbmi.fund.expenditure"]
     + [("rbmi.fund.expenditure", 2024, "level", 1.08e12)], False),
    ("pooled_balance.employee_plus_resident", [("bmi.fund.pooled_current_balance", 2024, "level", 463.9e9),
                                               ("rbmi.fund.current_balance", 2024, "level", 51.942e9),
                                               ("ebmi.fund.pooled_current_balance", 2024, "level", 411.958e9)], True),
    ("pooled_balance.employee_plus_resident", [("bmi.fund.pooled_current_balance", 2024, "level", 463.9e9),
                                               ("rbmi.fund.current_balance", 2024, "level", 51.942e9),
                                               ("ebmi.fund.pooled_current_balance", 2024, "level", 401.958e9)], False),
    ("participants.active_plus_retired", [("ebmi.participants", 2024, "level", 379310000),
                                          ("ebmi.participants.active", 2024, "level", 275220000),
                                          ("ebmi.participants.retired", 2024, "level", 104090000)], True),
    ("participants.active_plus_retired", [("ebmi.participants", 2024, "level", 379310000),
                                          ("ebmi.participants.active", 2024, "level", 265220000),
                                          ("ebmi.participants.retired", 2024, "level", 104090000)], False),
    ("cross_region.employee_plus_resident", SEED_2024, True),        # 262 m + 134 m vs 397 m: rounding
    ("cross_region.employee_plus_resident", [r for r in SEED_2024 if r[0] != "cross_region.visits.rbmi"]
     + [("cross_region.visits.rbmi", 2024, "level", 131e6)], False),
    ("rbmi.balance_is_revenue_minus_expenditure", SEED_2024, True),  # 519.42亿 vs 1.12万亿 - 1.07万亿
    ("rbmi.balance_is_revenue_minus_expenditure", [r for r in SEED_2024 if r[:3] != ("rbmi.fund.current_balance", 2024,
                                                   "level")] + [("rbmi.fund.current_balance", 2024, "level", 71.942e9)],
     False),
    ("ebmi.pooled_balance_is_revenue_minus_expenditure", [
        ("ebmi.fund.pooled_current_balance", 2024, "level", 411.958e9),
        ("ebmi.fund.pooled_revenue", 2024, "level", 1650e9),
        ("ebmi.fund.pooled_expenditure", 2024, "level", 1238.042e9)], True),
    ("ltc.balance_rate_stated_vs_derived", SEED_2024, True),
    ("ltc.balance_rate_stated_vs_derived", [r for r in SEED_2024 if r[0] != "ltc.fund.balance_rate"]
     + [("ltc.fund.balance_rate", 2024, "level", 48.3)], False),
    ("ebmi.tier_ratios_bracket_overall", SEED_2024, True),
    ("ebmi.tier_ratios_bracket_overall", [r for r in SEED_2024 if r[:3] != ("ebmi.inpatient_reimbursement_ratio", 2024,
                                                                            "level")]
     + [("ebmi.inpatient_reimbursement_ratio", 2024, "level", 90.5)], False),
    ("rbmi.tier_ratios_bracket_overall", [("rbmi.inpatient_reimbursement_ratio", 2024, "level", 68.6),
                                          ("rbmi.inpatient_reimbursement_ratio.tier1", 2024, "level", 81.5),
                                          ("rbmi.inpatient_reimbursement_ratio.tier2", 2024, "level", 73.3),
                                          ("rbmi.inpatient_reimbursement_ratio.tier3", 2024, "level", 64.1)], True),
    ("rbmi.tier_ratios_bracket_overall", [("rbmi.inpatient_reimbursement_ratio", 2024, "level", 63.0),
                                          ("rbmi.inpatient_reimbursement_ratio.tier1", 2024, "level", 81.5),
                                          ("rbmi.inpatient_reimbursement_ratio.tier2", 2024, "level", 73.3),
                                          ("rbmi.inpatient_reimbursement_ratio.tier3", 2024, "level", 64.1)], False),
    ("change.yoy_abs", SEED_2024, True),                               # 519.42亿 - 112.06亿 = 407.36亿
    ("change.yoy_pct", [("bmi.fund.revenue", 2024, "level", 3491337e6), ("bmi.fund.revenue", 2024, "yoy_pct", 4.2),
                        ("bmi.fund.revenue", 2023, "level", 3350100e6)], True),
    ("change.yoy_pct", [("bmi.fund.revenue", 2024, "level", 3491337e6), ("bmi.fund.revenue", 2024, "yoy_pct", 5.2),
                        ("bmi.fund.revenue", 2023, "level", 3350100e6)], False),
    ("previous_level.yoy_abs_vs_yoy_pct", [r for r in SEED_2024 if r[0] == "bmi.fund.revenue"], True),
    ("previous_level.yoy_abs_vs_yoy_pct", [r for r in SEED_2024 if r[:3] == ("bmi.fund.revenue", 2024, "level")
                                           or r[2] == "yoy_pct" and r[0] == "bmi.fund.revenue"]
     + [("bmi.fund.revenue", 2024, "yoy_abs", 241237e6)], False),
]


@pytest.mark.parametrize("identity, rows, within", IDENTITY_CASES)
def test_each_identity_within_and_beyond_rounding(identity, rows, within):
    checks = identity_checks(published(rows), CAT)
    assert list(checks.columns) == IDENTITY_COLUMNS
    row = one(checks, identity=identity)
    assert bool(row["within_tolerance"]) is within
    assert row["residual"] == pytest.approx(row["lhs"] - row["rhs"])
    assert bool(abs(row["residual"]) <= row["tolerance"]) is within


def test_tolerance_is_the_rounding_of_the_inputs():
    row = one(identity_checks(published(SEED_2024), CAT), identity="fund_revenue.employee_plus_resident")
    # 2373247000000 (±5e5) + 1.12e12 (±5e9) vs 3491337000000 (±5e5)
    assert row["tolerance"] == pytest.approx(5e9 + 5e5 + 5e5, rel=1e-6)
    assert row["inputs"] == "ebmi.fund.revenue@2024:level;rbmi.fund.revenue@2024:level;bmi.fund.revenue@2024:level"


def test_implausible_derived_value_is_withheld_and_reported_by_a_range_check():
    rows = [("ltc.fund.revenue", 2024, "level", 6e9), ("ltc.fund.expenditure", 2024, "level", 24e9)]
    assert derive_indicators(published(rows), CAT)["indicator_id"].eq(
        "derived.ltc.fund.expenditure_revenue_ratio").sum() == 0
    check = one(identity_checks(published(rows), CAT), identity="range.derived.ltc.fund.expenditure_revenue_ratio")
    assert not check["within_tolerance"] and check["lhs"] == pytest.approx(400)


def test_identity_suite_fails_exactly_the_rows_beyond_rounding():
    from tasks.quality.validate import validate_frame     # GX import (~5 s): one module, two validations
    good = identity_checks(published(SEED_2024), CAT)
    assert validate_frame("identities", good).success
    bad_rows = [r for r in SEED_2024 if r[0] != "rbmi.fund.revenue"] + [("rbmi.fund.revenue", 2024, "level", 1.13e12)]
    bad = identity_checks(published(bad_rows), CAT)
    result = validate_frame("identities", bad)
    assert not result.success
    assert result.bad_rows == list(bad.index[~bad["within_tolerance"]])
    assert bad.loc[result.bad_rows, "identity"].tolist() == ["fund_revenue.employee_plus_resident"]


def test_formulas_evaluate_arithmetic_only():
    formula = parse_formula("100 * (ltc.fund.revenue - ltc.fund.expenditure) / ltc.fund.revenue")
    assert formula.names == ("ltc.fund.revenue", "ltc.fund.expenditure")
    assert formula({"ltc.fund.revenue": 200.0, "ltc.fund.expenditure": 50.0}) == 75.0
    assert math.isnan(formula({"ltc.fund.revenue": 0.0, "ltc.fund.expenditure": 1.0}))
    for text in ("__import__('os').system('true')", "a if b else c", "a ** 2", "a[0]", "'text'", "a.b()"):
        with pytest.raises(DerivationsError):
            parse_formula(text)


def test_derivations_file_matches_its_schema():
    rules = load_derivations(CAT)
    ids = [d.id for d in rules.derived]
    assert ids and len(ids) == len(set(ids))
    assert all(i.startswith("derived.") and i not in CAT for i in ids)
    assert all(d.unit in UNITS and d.range[0] < d.range[1] and set(d.formula.names) <= set(CAT.ids)
               for d in rules.derived)
    assert all(set(i.inputs) <= set(CAT.ids) for i in rules.identities)
    assert [c.measure for c in rules.changes] == ["yoy_abs", "yoy_pp", "yoy_pct"]
    extended = catalogue_with_derived(CAT)
    assert set(extended.ids) == set(CAT.ids) | set(ids) and extended.version != CAT.version


GOOD = {"id": "derived.x", "unit": "CNY", "en": "x", "zh": "x", "formula": "bmi.fund.revenue", "range": [0, 1]}


@pytest.mark.parametrize("entry, message", [
    ({**GOOD, "id": "x.balance"}, "must start with 'derived.'"),
    ({**GOOD, "unit": "yuan"}, "unknown unit"),
    ({**GOOD, "formula": "bmi.fund.revenue - nosuch.id"}, "not in the catalogue"),
    ({**GOOD, "formula": "open('x')"}, "not allowed"),
    ({**GOOD, "range": [1, 0]}, "low < high"),
    ({k: v for k, v in GOOD.items() if k != "unit"}, "lacks"),
])
def test_derivations_schema_rejects_bad_entries(entry, message):
    import yaml
    with pytest.raises(DerivationsError, match=message):
        parse_derivations(yaml.safe_dump({"derived": [entry]}), CAT)


@pytest.mark.parametrize("text, message", [
    ("identities: [{id: a, lhs: 'bmi.participants'}]", "needs lhs and rhs"),
    ("identities: [{id: a, kind: bracket, value: bmi.participants, within: [bmi.participants]}]", "at least two"),
    ("identities: [{id: a, kind: ratio, lhs: a, rhs: b}]", "unknown kind"),
    ("changes: [{measure: level, previous_level: level, implied_change: level}]", "bad measure"),
    ("changes: [{measure: yoy_pct, previous_level: 'level + x', implied_change: level}]", "may only use"),
    ("changes: [{measure: yoy_pct, previous_level: level, implied_change: level, publish_for: all}]", "publish_for"),
])
def test_derivations_schema_rejects_bad_identities_and_change_rules(text, message):
    with pytest.raises(DerivationsError, match=message):
        parse_derivations(text, CAT)
