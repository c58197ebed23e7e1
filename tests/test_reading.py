"""Reading mechanisms on short texts written for the purpose: comparison years, full-year spans, fund parts,
concept signatures, yuan restatements, regions, unread languages and figures left out with a reason."""
import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.extraction.process import process_documents, process_one
from tasks.ingest.raw import RawDocument
from tests.extraction_helpers import keys_of

ZH = "国家医疗保障局发布《2031年全国医疗保障事业发展统计公报》。"
EN = "The National Healthcare Security Administration released the 2031 National Medical Security Development " \
     "Statistical Bulletin. "

CASES = [
    ("comparison year is the base, not the period", ZH + "截至2031年底,职工医保参保人数38120万人,比2030年底增加905万人,同比增长2.4%。",
     {("ebmi.participants", 2031, "level", 3.812e8), ("ebmi.participants", 2031, "yoy_abs", 9.05e6),
      ("ebmi.participants", 2031, "yoy_pct", 2.4)}),
    ("compared with a named year in English", EN + "Employee medical insurance covered 381.2 million people in 2031, "
     "an increase of 9.05 million compared with 2030.",
     {("ebmi.participants", 2031, "level", 3.812e8), ("ebmi.participants", 2031, "yoy_abs", 9.05e6)}),
    ("pooled part before its metric, carried to a bare balance", ZH + "2031年职工医保统筹基金(含生育保险)收入18020.5亿元,"
     "统筹基金当期结存4301.2亿元,累计结存31980.4亿元。",
     {("ebmi.fund.pooled_revenue", 2031, "level", 1.80205e12), ("ebmi.fund.pooled_current_balance", 2031, "level", 4.3012e11),
      ("ebmi.fund.pooled_cumulative_balance", 2031, "level", 3.19804e12)}),
    ("personal account part after the metric in English", EN + "The cumulative balance of personal accounts of the employee "
     "scheme stood at 1,502.3 billion yuan.",
     {("ebmi.personal_account.cumulative_balance", 2031, "level", 1.5023e12)}),
    ("a head noun ends the part", ZH + "职工医保个人账户收入6702.1亿元,基金支出19980.3亿元。",
     {("ebmi.personal_account.revenue", 2031, "level", 6.7021e11), ("ebmi.fund.expenditure", 2031, "level", 1.99803e12)}),
    ("concepts in any order, zh", ZH + "全年共有2210家定点医药机构因欺诈骗保被查实,公安机关联合侦办的医保案件达3350起。",
     {("supervision.fraud_institutions", 2031, "level", 2210.0), ("supervision.police_cases", 2031, "level", 3350.0)}),
    ("concepts in any order, en", EN + "In 2031 the administration clawed back CNY 29.8 billion of insurance funds, and "
     "12,400 suspects were arrested.",
     {("supervision.funds_recovered", 2031, "level", 2.98e10), ("supervision.suspects_arrested", 2031, "level", 12400.0)}),
    ("a figure's own year beats a cumulative topic", EN + "Since its establishment the administration has kept adjusting "
     "the drug list for nine consecutive years, adding 1,020 drugs in total, with 96 new drugs added in 2031.",
     {("nrdl.drugs_added_cumulative", 2031, "level", 1020.0), ("nrdl.drugs_added", 2031, "level", 96.0)}),
    ("the yuan figure restated in brackets", EN + "The fund took in $505b (CNY3.66t) in revenue in 2031.",
     {("bmi.fund.revenue", 2031, "level", 3.66e12)}),
    ("the same figure restated more precisely in brackets", ZH + "截至2031年底,基本医疗保险参保人数为13.36亿人(即133637.83万人)。",
     {("bmi.participants", 2031, "level", 1336378300.0)}),
    ("a list over institutions of every level follows the bulletins' tier order", ZH + "2031年,职工医保住院费用目录内"
     "基金支付比例为84.6%,不同医疗机构的支付比例分别为83.5%、87.4%、89.4%。",
     {("ebmi.inpatient_reimbursement_ratio.tier3", 2031, "level", 83.5),
      ("ebmi.inpatient_reimbursement_ratio.tier2", 2031, "level", 87.4),
      ("ebmi.inpatient_reimbursement_ratio.tier1", 2031, "level", 89.4)}),
    ("a full-year monthly span is annual", "国家医保局发布2031年1-12月全国医疗保障基金主要指标。2031年1-12月,基本医疗保险"
     "统筹基金总收入28120.5亿元。职工医保参保人数38120万人。", {("ebmi.participants", 2031, "level", 3.812e8)}),
]


@pytest.mark.parametrize("name,text,expected", CASES, ids=[c[0] for c in CASES])
def test_reading(name, text, expected):
    got = {(i, y, m, round(v, 3)) for i, y, m, v in keys_of(text)}
    assert {(i, y, m, round(v, 3)) for i, y, m, v in expected} <= got


def test_a_province_never_yields_national_facts():
    text = ZH + "2031年,全国基本医疗保险基金总收入36120.5亿元。\n\n2031年,广东省基本医疗保险基金总收入3000.5亿元。"
    _, facts = process_one(RawDocument("p.txt", text.encode()), load_catalogue())
    revenue = {(f["region"], f["value"]) for f in facts if f["indicator_id"] == "bmi.fund.revenue"}
    assert ("CN", 3.61205e12) in revenue
    assert ("CN", 3.0005e11) not in revenue and ("440000", 3.0005e11) in revenue


def test_a_provincial_bulletin_is_that_province():
    text = "《2031年广东省医疗保障事业发展统计公报》\n截至2031年底,全省基本医疗保险参保人数11020.5万人。"
    doc, facts = process_one(RawDocument("gd.txt", text.encode()), load_catalogue())
    assert doc["region"] == "440000"
    assert facts and all(f["region"] == "440000" for f in facts)


def test_a_language_not_read_is_recorded_never_unrelated():
    text = "국가의료보장국은 2031년 전국 의료보장사업 발전 통계공보를 발표했다. 기본의료보험 가입자는 13억 4천만 명이다. " * 3
    doc, facts = process_one(RawDocument("ko.txt", text.encode()), load_catalogue())
    assert doc["language"] == "ko" and doc["kind"] == "not_read" and facts == []
    assert "not read: language ko" in doc["problems"]


def test_figures_left_out_are_kept_with_the_reason():
    text = ZH + "2031年1-6月,基本医疗保险基金总收入15020.5亿元。职工医保参保人数38120万人,其中灵活就业人员5020.5万人。"
    result = process_documents([RawDocument("left.txt", text.encode())], load_catalogue())
    left = result.unattributed
    reasons = dict(zip(left["text"], left["reason"]))
    assert reasons.get("15020.5亿元") == "partial year"
    assert "5020.5万人" in reasons and reasons["5020.5万人"]
    assert set(left["release_year"]) == {2031}
    assert "38120万人" not in reasons        # an attributed figure is not left out


WORD_SALAD = ZH + ("参保人数37948.34万人国务院决策部署,参保人数13.5亿人,基金总收入4119.75亿元贯彻落实,参保人数95.5万人,"
                   "基金总收入3.5万亿元新发展理念,基金总收入853.70亿元,基金总支出29764.03亿元,基金总支出4639.17亿元,"
                   "累计结存2.3亿元,累计结存38628.52亿元,职工医保参保人数10457.50万人,职工医保参保人数27491.84万人。")


def test_word_salad_is_quarantined():
    doc, facts = process_one(RawDocument("salad.txt", WORD_SALAD.encode()), load_catalogue())
    assert doc["status"] == "quarantined" and facts == []
    assert "incoherent" in doc["problems"]


def test_a_few_misread_figures_do_not_quarantine_a_real_article():
    text = EN + ("By the end of 2031, 1.36 billion people were insured, and the participation rate stayed above 95%. "
                 "Employee medical insurance coverage has doubled in 16 years, while more than 17 million people were "
                 "insured twice. The number of employees insured has doubled from 195 million to 391 million, and "
                 "retirees from 48 million to 101.2 million.")
    doc, facts = process_one(RawDocument("news.txt", text.encode()), load_catalogue())
    assert doc["status"] == "ok"
    assert ("bmi.participants", 2031, "level", 1.36e9) in {(f["indicator_id"], f["period_year"], f["measure"],
                                                          f["value"]) for f in facts}


def test_a_change_of_a_misread_figure_goes_with_it():
    text = EN + ("In 2031 a total of 7.2 billion outpatient settlements were covered by basic medical insurance, "
                 "a year-on-year increase of 17%. By the end of 2031, 1.36 billion people were insured.")
    result = process_documents([RawDocument("orphan.txt", text.encode())], load_catalogue())
    keys = {(f.indicator_id, f.measure) for f in result.facts.itertuples()}
    assert ("bmi.participants", "level") in keys and ("bmi.participants", "yoy_pct") not in keys
    reasons = set(result.unattributed["reason"])
    assert {"outside plausible range", "change of a figure outside plausible range"} <= reasons


def test_a_document_over_the_extraction_time_limit_is_quarantined_naming_it():
    from dataclasses import replace

    from tasks.ingest.limits import default_limits
    limits = replace(default_limits(), extraction_seconds=0.0)
    text = ZH + "截至2031年底,全国基本医疗保险参保人数136120.5万人。"
    result = process_documents([RawDocument("slow.txt", text.encode())], load_catalogue(), limits)
    doc = result.documents.iloc[0]
    assert doc["status"] == "quarantined" and "extraction_seconds" in doc["problems"] and result.facts.empty


def test_japanese_pages_are_read_like_chinese():
    text = ("国家医療保障局は『2031年全国医療保障事業発展統計公報』を発表したと、新聞が伝えている。2031年末時点で"
            "保険加入者数は13億6120万人となり、加入率95%以上を確保しているという。基金の累計決算残高は4兆5120億3300万元と"
            "なっている。これについて、専門家はさらに詳しく分析している。")
    doc, facts = process_one(RawDocument("ja.txt", text.encode()), load_catalogue())
    keys = {(f["indicator_id"], f["measure"], f["value"]) for f in facts}
    assert doc["language"] == "ja"
    assert ("bmi.participants", "level", 1.3612e9) in keys and ("bmi.fund.cumulative_balance", "level", 4.51203300e12) in keys


def test_a_page_of_decimal_figures_glued_to_random_words_is_word_salad():
    salad = ZH + ("国务院决策部署36120.52编辑,深入学习贯彻4521.17收入,参保人数分别为39120.34在职职工,亿元12245.36年职工,"
                  "比上年增长3.5%,待遇享受27701.84年居民,基金收支10556.20三医,亿人次24107.11持续完善。")
    doc, facts = process_one(RawDocument("glued.txt", salad.encode()), load_catalogue())
    assert doc["status"] == "quarantined" and "glued to words" in doc["problems"] and facts == []


def test_limits_of_a_sources_file_apply_to_its_local_files(tmp_path):
    from tasks.ingest.collect import collect_sources
    from tasks.ingest.sources import resolve_sources
    from tasks.store.warehouse import Warehouse
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "big.txt").write_text(ZH + "截至2031年底,全国基本医疗保险参保人数136120.5万人。" * 20, encoding="utf-8")
    (docs / "small.txt").write_text(ZH, encoding="utf-8")
    config = tmp_path / "sources.yml"
    config.write_text(f"directories: [{docs}]\nlimits: {{max_document_bytes: 500}}\n", encoding="utf-8")
    collected = collect_sources(resolve_sources(config), Warehouse(tmp_path / "wh"))
    assert [r.source_uri.rsplit("/", 1)[-1] for r in collected.raws] == ["small.txt"]
    assert any("big.txt" in e.source and "500" in e.reason for e in collected.errors)


def test_full_width_digits_and_a_decimal_split_by_a_removed_line_break_still_parse():
    full = ZH + "２０３１年,全国基本医疗保险基金总收入３６１２０．５亿元。"
    spaced = EN + "In 2031, the total revenue of the basic medical insurance fund was CNY 3.     6120 trillion."
    assert ("bmi.fund.revenue", 2031, "level", 3.61205e12) in {k[:3] + (round(k[3], 3),) for k in keys_of(full)}
    assert ("bmi.fund.revenue", 2031, "level", 3.612e12) in keys_of(spaced)


def test_a_sentence_ending_in_a_figure_ends_there_on_a_page_without_line_breaks():
    text = EN + ("The total number of drugs on the list rose to 3,210. Meanwhile, the direct settlements for cross-provincial outpatient "
                 "bills rose by 31.5% in 2031.")
    assert keys_of(text) == {("nrdl.drugs_total", 2031, "level", 3210.0)}


def test_the_title_is_the_page_headline_not_spam_or_navigation():
    from tasks.ingest.documents import title_of
    page = ("首页 > 新闻资讯 > 正文\n真人游戏第一品牌 在线观看\n2031年全国医疗保障事业发展统计公报发布|某某资讯网\n"
            "2032-07-15 10:47  来源:某报\n截至2031年底,全国基本医疗保险参保人数136120.5万人。\n")
    assert title_of(page) == "2031年全国医疗保障事业发展统计公报发布"
    english = "Search documents\nMenu\nChina's basic medical insurance covered 1.36 billion people in 2031 - Site News\n"
    assert title_of(english) == "China's basic medical insurance covered 1.36 billion people in 2031"
