"""Document trust is earned: kind, language, damage, and agreement with independent documents and identities."""
import pandas as pd
from test_reconcile import R, doc, fact, publish

from tasks.contract.schema import columns
from tasks.publish.trust import document_trust

# Figures three Chinese bulletins agree on (short sentences of the catalogue's meaning, written for the test).
SHARED = [("bmi.participants", 1.3266e9, "13.266亿人"), ("bmi.fund.revenue", 3.4913e12, "34913亿元"),
          ("bmi.fund.expenditure", 2.9764e12, "29764亿元"), ("ebmi.participants", 3.7929e8, "37929万人")]


def trust_of(docs, facts):
    return document_trust(pd.DataFrame(docs, columns=columns("documents")),
                          pd.DataFrame(facts, columns=columns("facts")))


def test_kind_and_language_set_the_starting_weight():
    docs = [doc("zh"), doc("en", "en"), doc("quick", kind="quick_report"), doc("bare", official=False)]
    trust = trust_of(docs, [])
    assert trust["zh"].score == 1.0 > trust["quick"].score > trust["en"].score
    assert trust["bare"].score < trust["zh"].score and "names no official source" in trust["bare"].reasons[0]


def test_a_spun_document_that_disagrees_everywhere_is_set_aside_with_the_reason():
    docs = [doc("a"), doc("b"), doc("spun")]
    facts = [fact(d, i, v, t) for d in ("a", "b") for i, v, t in SHARED]
    facts += [fact("spun", i, v * 1.37, t) for i, v, t in SHARED]
    trust = trust_of(docs, facts)
    assert trust["spun"].quarantined and "disagrees with the consensus" in " ".join(trust["spun"].reasons)
    assert not trust["a"].quarantined and trust["a"].score == 1.0


def test_a_growth_turned_into_a_decline_is_outvoted_and_costs_trust():
    docs = [doc("a"), doc("b"), doc("spun")]
    facts = [fact(d, i, v, t) for d in ("a", "b", "spun") for i, v, t in SHARED]
    facts += [fact(d, "bmi.fund.revenue", 4.2, "增长4.2%", "yoy_pct") for d in ("a", "b")]
    facts += [fact("spun", "bmi.fund.revenue", -4.2, "下降4.2%", "yoy_pct")]
    trust = trust_of(docs, facts)
    assert trust["spun"].disagrees == 1 and trust["spun"].score < trust["a"].score
    pub = publish(docs, facts)
    assert pub[("bmi.fund.revenue", R, "yoy_pct")].value == 4.2


def test_identities_a_document_states_count_for_it():
    facts = [fact("a", "bmi.participants", 1.3266e9, "13.266亿人"), fact("a", "ebmi.participants", 3.7929e8, "37929万人"),
             fact("a", "rbmi.participants", 9.4731e8, "94731万人")]
    assert trust_of([doc("a")], facts)["a"].agrees == 1


def test_identical_bytes_are_one_source_not_two():
    twin = doc("b")
    twin["sha256"] = doc("a")["sha256"]
    pub = publish([doc("a"), twin], [fact("a", "bmi.participants", 1.3266e9, "13.266亿人"),
                                     fact("b", "bmi.participants", 1.3266e9, "13.266亿人")])
    assert pub[("bmi.participants", R, "level")].status == "single_source"


def test_repair_rules_in_trust_yaml_let_at_most_one_power_of_ten_fit():
    from tasks.publish.trust import trust_rules

    rules = trust_rules()["repair"]
    assert 0 < rules["restated_tolerance"] < 0.1
    assert 1 < rules["annual_ratio"] < 10 ** 0.5    # two scales ten-fold apart can never both be within it
