"""A fund part (pooled fund, personal accounts) narrows its fund metric in any word order."""
from __future__ import annotations

import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.cleaning.clean import clean_text
from tasks.extraction.extract import extract_facts
from tasks.extraction.vocabulary import load_vocabulary


@pytest.mark.parametrize("text,english,want", [
    ("Outlays of the employee medical insurance pooled fund were 1.5 trillion yuan.", True,
     ("ebmi.fund.pooled_expenditure", 1.5e12)),
    ("The pooled fund of employee medical insurance recorded a current-year balance of 80 billion yuan.", True,
     ("ebmi.fund.pooled_current_balance", 8e10)),
    ("The accumulated balance of employees' personal accounts was 1.5 trillion yuan.", True,
     ("ebmi.personal_account.cumulative_balance", 1.5e12)),
    ("职工医保统筹基金收支相抵，当期结存3500亿元。", False, ("ebmi.fund.pooled_current_balance", 3.5e11)),
    ("累计结存方面，职工医保统筹基金为3.0万亿元。", False, ("ebmi.fund.pooled_cumulative_balance", 3.0e12)),
    ("统筹基金支出方面，职工医保支出1.6万亿元。", False, ("ebmi.fund.pooled_expenditure", 1.6e12)),
])
def test_part_composes_in_any_order(text, english, want):
    facts = extract_facts(clean_text(text), 2030, load_catalogue(), english, load_vocabulary())
    assert want in {(f["indicator_id"], f["value"]) for f in facts if f["measure"] == "level"}


def test_a_fund_of_its_own_is_not_the_part():
    text = "职工医保基金收入2.5万亿元，其中统筹基金收入1.6万亿元。"
    facts = extract_facts(clean_text(text), 2030, load_catalogue(), False, load_vocabulary())
    assert {(f["indicator_id"], f["value"]) for f in facts} == {("ebmi.fund.revenue", 2.5e12),
                                                                ("ebmi.fund.pooled_revenue", 1.6e12)}
