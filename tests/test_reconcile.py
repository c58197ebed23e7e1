"""Reconciliation rules on small frames: precision, trust, vintage, qualifiers, repairs, damage."""
import hashlib

import pandas as pd
import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.publish.reconcile import publish_release
from tasks.contract.schema import columns

R = 2030


def doc(doc_id, language="zh", official=True, kind="final_bulletin"):
    return {"doc_id": doc_id, "source_uri": f"{doc_id}.txt", "sha256": hashlib.sha256(doc_id.encode()).hexdigest(), "language": language, "kind": kind,
            "kind_reason": "", "title": "", "official_ref": official, "status": "ok", "problems": "",
            "n_facts": 0, "release_year": R}


def fact(doc_id, indicator, value, text, measure="level", qualifier="exact", kind="final_bulletin", flags="", year=R):
    unit = "percent" if measure in ("yoy_pct", "yoy_pp") else load_catalogue()[indicator].unit
    return {"doc_id": doc_id, "indicator_id": indicator, "region": "CN", "period_year": year, "measure": measure,
            "value": value, "unit": unit, "text": text, "span_start": 0, "span_end": len(text),
            "qualifier": qualifier, "flags": flags, "confidence": 1.0, "kind": kind, "release_year": R}


def publish(docs, facts):
    out = publish_release(R, pd.DataFrame(facts, columns=columns("facts")),
                          pd.DataFrame(docs, columns=columns("documents")), load_catalogue())
    return {(r.indicator_id, r.period_year, r.measure): r for r in out.itertuples()}


def test_more_precise_figure_wins_when_figures_agree_within_rounding():
    pub = publish([doc("a"), doc("b", "en")], [fact("a", "bmi.participants", 1.327e9, "13.27亿人"),
                                               fact("b", "bmi.participants", 1.32662e9, "1.32662 billion")])
    row = pub[("bmi.participants", R, "level")]
    assert row.value == 1.32662e9 and row.status == "agreed" and row.n_sources == 2 and row.sources == "a;b"


def test_original_chinese_wins_a_conflict_with_a_translation():
    pub = publish([doc("zh"), doc("en", "en")], [fact("zh", "cross_region.visits", 63.4, "63.4%", "yoy_pct"),
                                                 fact("en", "cross_region.visits", 63.2, "63.2%", "yoy_pct")])
    row = pub[("cross_region.visits", R, "yoy_pct")]
    assert row.value == 63.4 and row.status == "conflict" and "63.2" in row.note


def test_power_of_ten_unit_error_is_repaired_and_marked():
    pub = publish([doc("zh"), doc("en", "en")], [fact("zh", "bmi.fund.revenue", 3.49e12, "3.49万亿元"),
                                                 fact("en", "bmi.fund.revenue", 3.491337e13, "CNY 34,913.37 billion")])
    row = pub[("bmi.fund.revenue", R, "level")]
    assert row.value == pytest.approx(3.491337e12) and row.status == "repaired" and "10^1" in row.note


def test_change_repaired_from_the_level_times_growth_identity():
    facts = [fact("en", "bmi.fund.revenue", 3.491337e12, "34913.37亿元"),
             fact("en", "bmi.fund.revenue", 4.2, "4.2%", "yoy_pct"),
             fact("en", "bmi.fund.revenue", 1.41237e10, "14.1237 billion RMB", "yoy_abs")]
    pub = publish([doc("en", "en")], facts)
    assert pub[("bmi.fund.revenue", R, "yoy_abs")].value == pytest.approx(1.41237e11)


def test_final_bulletin_wins_over_quick_report_which_is_published_only_when_alone():
    docs = [doc("final"), doc("quick", kind="quick_report")]
    facts = [fact("final", "bmi.fund.cumulative_balance", 3.15e12, "31500亿元"),
             fact("quick", "bmi.fund.cumulative_balance", 3.14e12, "3.14万亿元", kind="quick_report"),
             fact("quick", "maternity.participants", 2.35e8, "2.35亿人", kind="quick_report")]
    pub = publish(docs, facts)
    assert pub[("bmi.fund.cumulative_balance", R, "level")].value == 3.15e12
    quick = pub[("maternity.participants", R, "level")]
    assert quick.status == "quick_report" and quick.vintage == "quick_report"


def test_exact_figure_preferred_over_an_agreeing_bound_and_bound_kept_when_alone():
    pub = publish([doc("a"), doc("b")], [fact("a", "bmi.fund.revenue", 2.44e12, "2.44 trillion", qualifier="lower_bound"),
                                         fact("b", "bmi.fund.revenue", 2.4421e12, "24421亿元"),
                                         fact("a", "rbmi.participants", 1e9, "a billion", qualifier="lower_bound")])
    assert pub[("bmi.fund.revenue", R, "level")].qualifier == "exact"
    assert pub[("rbmi.participants", R, "level")].qualifier == "lower_bound"


def test_damaged_figure_set_aside_when_an_intact_source_exists():
    pub = publish([doc("a"), doc("b")], [fact("a", "rbmi.fund.revenue", 7.2448e11, "724.48亿元", flags="digits_maybe_lost"),
                                         fact("b", "rbmi.fund.revenue", 9.72448e11, "9724.48亿元")])
    assert pub[("rbmi.fund.revenue", R, "level")].value == 9.72448e11


def test_quarantined_documents_never_reach_the_published_table():
    bad = doc("bad")
    bad["status"] = "quarantined"
    pub = publish([bad], [fact("bad", "bmi.participants", 1.3e9, "13亿人")])
    assert pub == {}


def test_the_exact_figure_beats_the_rounded_one_whichever_document_is_official():
    pub = publish([doc("rounded"), doc("exact", official=False)],
                  [fact("rounded", "bmi.participants", 1.327e9, "13.27亿人"),
                   fact("exact", "bmi.participants", 1.3266208e9, "132662.08万人")])
    row = pub[("bmi.participants", R, "level")]
    assert row.value == 1.3266208e9 and row.status == "agreed" and row.resolution == pytest.approx(50)


def test_a_qualified_figure_never_beats_an_exact_one_even_when_finer():
    pub = publish([doc("a"), doc("b")], [fact("a", "bmi.fund.revenue", 3.4913e12, "约34913亿元", qualifier="approx"),
                                         fact("b", "bmi.fund.revenue", 3.49e12, "3.49万亿元")])
    assert pub[("bmi.fund.revenue", R, "level")].qualifier == "exact"


def test_a_release_of_only_a_quick_report_is_never_a_bulletin_or_a_restatement():
    docs = [doc("quick", kind="quick_report"), doc("monthly", kind="monthly_release")]
    pub = publish(docs, [fact("quick", "bmi.fund.revenue", 3.49e12, "3.49万亿元", kind="quick_report", year=R - 1),
                         fact("monthly", "ltc.participants", 1.8e8, "1.8亿人", kind="monthly_release")])
    quick, monthly = pub[("bmi.fund.revenue", R - 1, "level")], pub[("ltc.participants", R, "level")]
    assert (quick.status, quick.vintage) == ("quick_report", "quick_report")
    assert (monthly.status, monthly.vintage) == ("monthly_release", "monthly_release")


def test_vintages_are_never_mixed_and_the_quick_report_cannot_outvote_the_bulletin():
    docs = [doc("b1"), doc("b2", "zht"), doc("q1", kind="quick_report"), doc("q2", "en", kind="quick_report"),
            doc("q3", kind="quick_report")]
    facts = [fact("b1", "bmi.fund.revenue", 3.0922e12, "30922亿元"), fact("b2", "bmi.fund.revenue", 3.0922e12, "30922億元"),
             *[fact(q, "bmi.fund.revenue", 3.0698e12, "30698亿元", kind="quick_report") for q in ("q1", "q2", "q3")]]
    row = pub = publish(docs, facts)[("bmi.fund.revenue", R, "level")]
    assert row.value == 3.0922e12 and row.sources == "b1;b2" and row.vintage == "final_bulletin"
    assert "kept in revisions/" in pub.note


def test_agreed_needs_two_independent_documents_and_weak_evidence_is_unconfirmed():
    lone = doc("lone", "mixed", official=False, kind="unknown")
    pub = publish([lone, doc("zh"), doc("zht", "zht")],
                  [fact("lone", "bmi.participants", 1.33e9, "13.3亿人"),
                   fact("zh", "cross_region.visits", 4.52, "4.52%", "yoy_pct"),
                   fact("zht", "cross_region.visits", 4.7, "4.7%", "yoy_pct")])
    assert pub[("bmi.participants", R, "level")].status == "unconfirmed"
    split = pub[("cross_region.visits", R, "yoy_pct")]
    assert split.status == "unconfirmed" and "no rule settles" in split.note


def test_every_row_says_what_decided_it():
    pub = publish([doc("a"), doc("b", "en")], [fact("a", "bmi.participants", 1.3266e9, "13.266亿人"),
                                               fact("b", "bmi.participants", 1.3266e9, "1.3266 billion")])
    evidence = pub[("bmi.participants", R, "level")].evidence
    assert "vintage final_bulletin" in evidence and "a (1.00)" in evidence and "b (0.80)" in evidence
