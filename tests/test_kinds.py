"""Document kinds from evidence: self-description, dates against the release calendar, and figure groups."""
import random

import pandas as pd
import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.cleaning.clean import clean_text
from tasks.ingest.kinds import ANNUAL_KINDS, KINDS, judge_kind, load_kind_rules
from tasks.extraction.process import process_documents
from tasks.ingest.raw import RawDocument
from tasks.contract.schema import columns
from tasks.publish.vintage_groups import assign_vintages
from tasks.extraction.vocabulary import load_vocabulary


def judge(text: str, uri: str = ""):
    return judge_kind(clean_text(text).text, load_vocabulary().partial_year, uri)


MISLABELLED_QUICK = (", March 8th. According to the administration's website on March 8, the National Healthcare "
                     "Security Administration released a statistical bulletin on the development of medical security "
                     "in 2030.\nIn 2030, the total income of the basic medical insurance fund will be 3,210.456 "
                     "billion yuan and the total expenditure will be 2,601.234 billion yuan.")
JUNE_BULLETIN = ("医保基金运行平稳\n发布时间:2031-07-09 10:20\n国家医保局日前发布《2030年全国医疗保障事业发展统计公报》。"
                 "公报显示,截至2030年底,全国基本医疗保险参保人数134001万人。")
UNDATED_NEWS = "截至2030年底,全国基本医疗保险参保人数约13.4亿人,医保基金运行平稳。2030年基金收入继续增长。"


def test_machine_translated_quick_report_calling_itself_a_bulletin_is_a_quick_report():
    verdict = judge(MISLABELLED_QUICK)
    assert (verdict.kind, verdict.release_year) == ("quick_report", 2030)
    assert verdict.confidence >= 0.75
    assert any("before the bulletin is published" in e for e in verdict.evidence)
    assert any("statistical bulletin" in e for e in verdict.evidence)      # the contrary signal is listed too


def test_june_dated_bulletin_rewrite_is_the_final_bulletin():
    verdict = judge(JUNE_BULLETIN)
    assert (verdict.kind, verdict.release_year, verdict.published_date) == ("final_bulletin", 2030, "2031-07-09")
    assert verdict.confidence >= 0.9


def test_quick_report_published_in_spring_belongs_to_the_year_before():
    verdict = judge("发布时间:2031-03-10\n国家医保局发布统计快报。截至2030年底参保人数133900万人。2031年工作将继续推进。"
                    "2031年将开展集采。")
    assert (verdict.kind, verdict.release_year) == ("quick_report", 2030)


def test_undated_news_with_only_years_and_figures_is_not_a_confident_bulletin():
    verdict = judge(UNDATED_NEWS)
    assert verdict.kind == "final_bulletin" and verdict.confidence < 0.5
    assert "assumed" in verdict.reason


def test_full_year_monthly_release_is_monthly_release():
    verdict = judge("时间:2031-02-06\n国家医保局公布数据,2030年1至12月,基本医疗保险基金(含生育保险)总收入"
                    "31012.34亿元,总支出26001.02亿元。")
    assert (verdict.kind, verdict.release_year) == ("monthly_release", 2030)
    assert "monthly_release" in ANNUAL_KINDS


def test_half_year_release_is_partial_year():
    verdict = judge("时间:2030-07-20\n2030年1-6月,基本医疗保险基金总收入14001.02亿元,总支出11002.03亿元。")
    assert (verdict.kind, verdict.release_year) == ("partial_year", 2030)


def test_a_page_sidebar_date_inside_the_period_is_not_its_publication_date():
    verdict = judge("推荐阅读 2030-12-06\n国家医保局今天(7月25日)发布《2030年全国医疗保障事业发展统计公报》。"
                    "截至2030年底参保134001万人。")
    assert verdict.kind == "final_bulletin" and verdict.published_date == ""


def doc_row(doc_id: str, kind: str, conf: float, release: int = 2030) -> dict:
    return {"doc_id": doc_id, "source_uri": f"{doc_id}.txt", "sha256": doc_id * 4, "language": "zh", "kind": kind,
            "kind_reason": "", "kind_evidence": "", "kind_confidence": conf, "published_date": "", "title": "",
            "official_ref": False, "status": "ok", "problems": "", "n_facts": 2, "release_year": release}


def fact_row(doc_id: str, indicator: str, value: float, text: str, kind: str) -> dict:
    return {"doc_id": doc_id, "indicator_id": indicator, "region": "CN", "period_year": 2030, "measure": "level",
            "value": value, "unit": "CNY", "text": text, "span_start": 0, "span_end": len(text), "qualifier": "exact",
            "flags": "", "confidence": 1.0, "kind": kind, "release_year": 2030}


def two_vintage_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    docs = [doc_row("a" * 16, "final_bulletin", 0.95), doc_row("b" * 16, "final_bulletin", 0.29),
            doc_row("c" * 16, "final_bulletin", 0.29), doc_row("d" * 16, "final_bulletin", 0.29)]
    final = {"bmi.fund.revenue": (3092217e6, "30922.17亿元"), "bmi.participants": (1345920000, "134592万人")}
    quick = {"bmi.fund.revenue": (3069772e6, "30697.72亿元"), "bmi.participants": (1345700000, "134570万人")}
    facts = []
    for doc, figures in (("a", final), ("b", quick), ("c", quick), ("d", final)):
        for indicator, (value, text) in figures.items():
            facts.append(fact_row(doc * 16, indicator, value, text, "final_bulletin"))
    return pd.DataFrame(docs, columns=columns("documents")), pd.DataFrame(facts, columns=columns("facts"))


def test_two_groups_of_slightly_different_exact_figures_are_two_vintages():
    docs, facts = assign_vintages(*two_vintage_frames())
    kinds = dict(zip(docs["doc_id"], docs["kind"]))
    assert kinds == {"a" * 16: "final_bulletin", "b" * 16: "quick_report", "c" * 16: "quick_report",
                     "d" * 16: "final_bulletin"}
    assert set(facts[facts["doc_id"] == "b" * 16]["kind"]) == {"quick_report"}
    assert set(facts[facts["doc_id"] == "d" * 16]["kind"]) == {"final_bulletin"}
    quick = docs.set_index("doc_id").loc["b" * 16]
    assert "two vintages" in quick["kind_evidence"] and quick["kind_reason"].startswith("two vintages")
    assert 0 < quick["kind_confidence"] <= 1 and "differ slightly" in quick["kind_evidence"]


def test_vintages_do_not_depend_on_input_order():
    docs, facts = two_vintage_frames()
    expected = assign_vintages(docs, facts)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = (docs.sample(frac=1, random_state=rng.randrange(1000)),
                    facts.sample(frac=1, random_state=rng.randrange(1000)))
        got = assign_vintages(*shuffled)
        pd.testing.assert_frame_equal(got[0], expected[0])
        pd.testing.assert_frame_equal(got[1], expected[1])


def test_weak_document_takes_the_kind_of_a_strong_one_it_agrees_with():
    docs, facts = two_vintage_frames()
    docs = docs[docs["doc_id"].isin(["a" * 16, "b" * 16, "c" * 16])].copy()
    docs.loc[docs["doc_id"] == "b" * 16, ["kind", "kind_confidence"]] = ["quick_report", 0.95]
    facts = facts[facts["doc_id"].isin(["b" * 16, "c" * 16])]
    out, _ = assign_vintages(docs, facts)
    row = out.set_index("doc_id").loc["c" * 16]
    assert row["kind"] == "quick_report" and "agree with" in row["kind_evidence"]


def test_undated_news_with_quick_report_figures_becomes_a_quick_report_in_a_batch():
    bulletin = ("2030年全国医疗保障事业发展统计公报\n发布时间:2031-07-10\n截至2030年底,全国基本医疗保险参保人数134592万人。"
                "2030年,全国基本医疗保险(含生育保险)基金总收入30922.17亿元。")
    quick = ("2030年医疗保障事业发展统计快报\n发布时间:2031-03-09\n截至2030年底,全国基本医疗保险参保人数134570万人。"
             "2030年,全国基本医疗保险(含生育保险)基金总收入30697.72亿元。")
    news = "医保观察\n截至2030年底,全国基本医疗保险参保人数134570万人。2030年,全国基本医疗保险(含生育保险)基金总收入30697.72亿元。"
    raws = [RawDocument(name, text.encode()) for name, text in (("b.txt", bulletin), ("q.txt", quick), ("n.txt", news))]
    docs = process_documents(raws, load_catalogue()).documents.set_index("source_uri")
    assert docs.loc["b.txt", "kind"] == "final_bulletin" and docs.loc["q.txt", "kind"] == "quick_report"
    assert docs.loc["n.txt", "kind"] == "quick_report", docs.loc["n.txt", "kind_evidence"]
    assert docs.loc["b.txt", "published_date"] == "2031-07-10"


def test_kinds_file_is_consistent():
    rules = load_kind_rules()
    assert set(rules.annual_kinds) <= set(KINDS) and {"unrelated", "unknown", "partial_year"} <= set(KINDS)
    assert set(rules.calendar) <= set(KINDS) and set(rules.words) <= set(KINDS) and set(rules.titles) <= set(KINDS)
    assert set(rules.calendar_weights) == set(rules.calendar)
    for patterns in rules.titles.values():
        assert all(p.groups >= 1 for p in patterns)
    assert all(1 <= m <= 12 for months in rules.calendar.values() for m in months)
    assert 0 < rules.groups["max_revision"] < 0.1 and 0 < rules.groups["weak_below"] < rules.groups["protect_from"] <= 1


@pytest.mark.parametrize("text", ["天气晴朗,适合出游。", "The weather was fine in 2030."])
def test_texts_without_the_topic_are_unrelated(text):
    verdict = judge(text)
    assert (verdict.kind, verdict.release_year) == ("unrelated", 0)
