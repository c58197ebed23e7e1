"""Tier words are data checked against the catalogue, and name the tier of a payment-ratio figure in any order."""
from __future__ import annotations

import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.cleaning.clean import clean_text
from tasks.extraction.extract import extract_facts
from tasks.extraction.vocabulary import load_vocabulary
from tasks.extraction.wording import load_wording


def test_tiers_and_tiered_metrics_are_catalogued():
    wording = load_wording()
    metrics = {ind.metric for ind in load_catalogue().indicators.values()}
    for metric in wording.tiered_metrics:
        for tier in set(wording.tier_keys.values()):
            assert f"{metric}.{tier}" in metrics, (metric, tier)


def test_tier_words_are_whole_words():
    wording = load_wording()
    assert [k for _, _, k in wording.tier_hits("tertiary, secondary and primary-level hospitals")] == \
        ["tier3", "tier2", "tier1"]
    assert wording.tier_hits("primarily, secondarily") == []


def _ids(text: str, english: bool) -> set:
    facts = extract_facts(clean_text(text), 2030, load_catalogue(), english, load_vocabulary())
    return {(f["indicator_id"], f["measure"], f["value"]) for f in facts}


@pytest.mark.parametrize("text,english,want", [
    ("居民医保在二级医疗机构的住院费用目录内基金支付比例为73.5%，较上年提高0.4个百分点。", False,
     {("rbmi.inpatient_reimbursement_ratio.tier2", "level", 73.5),
      ("rbmi.inpatient_reimbursement_ratio.tier2", "yoy_pp", 0.4)}),
    ("一级及以下医疗机构职工医保住院支付比例91.2%。", False, {("ebmi.inpatient_reimbursement_ratio.tier1", "level", 91.2)}),
    ("For residents, the fund covered 71 percent of eligible inpatient costs at third-tier hospitals.", True,
     {("rbmi.inpatient_reimbursement_ratio.tier3", "level", 71.0)}),
    ("Resident fund payment ratios at tertiary, secondary and primary-and-below hospitals were 63%, 72% and 81% "
     "respectively.", True, {("rbmi.inpatient_reimbursement_ratio.tier3", "level", 63.0),
                             ("rbmi.inpatient_reimbursement_ratio.tier2", "level", 72.0),
                             ("rbmi.inpatient_reimbursement_ratio.tier1", "level", 81.0)}),
])
def test_one_tier_named_anywhere(text, english, want):
    assert want <= _ids(text, english)


@pytest.mark.parametrize("text,want", [
    ("3.52万亿元的基本医保基金总支出比上年增长3.9%。", {("bmi.fund.expenditure", "level", 3.52e12),
                                                   ("bmi.fund.expenditure", "yoy_pct", 3.9)}),
    ("2.2万亿元，这是职工医保基金全年的收入，较上年增加900亿元。", {("ebmi.fund.revenue", "level", 2.2e12),
                                                       ("ebmi.fund.revenue", "yoy_abs", 9e10)}),
    ("4.1亿人次的异地就医比上年增加2000万人次。", {("cross_region.visits", "level", 4.1e8)}),
])
def test_chinese_figure_before_what_it_counts(text, want):
    assert want <= _ids(text, False)


@pytest.mark.parametrize("text,want", [
    ("Maternity insurance covered 249 million people, 3.1 million more than a year earlier.",
     {("maternity.participants", "level", 2.49e8), ("maternity.participants", "yoy_abs", 3.1e6)}),
    ("The coverage rate was 95.1 percent, 0.2 percentage points lower than the previous year.",
     {("bmi.coverage_rate", "level", 95.1), ("bmi.coverage_rate", "yoy_pp", -0.2)}),
])
def test_english_comparative_after_a_figure_is_a_change(text, want):
    assert want <= _ids(text, True)


def test_a_change_from_a_level_is_that_level_at_the_start_year():
    facts = extract_facts(clean_text("From 2016 to 2030, maternity insurance participants increased from 185 million "
                                     "to 249 million."), 2030, load_catalogue(), True, load_vocabulary())
    got = {(f["indicator_id"], f["period_year"], f["measure"], f["value"]) for f in facts}
    assert ("maternity.participants", 2016, "level", 1.85e8) in got
    assert not any(f["measure"] == "yoy_abs" for f in facts)
