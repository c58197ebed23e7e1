"""Extraction per indicator family, on short texts written for the purpose (not copies of any source)."""
import pytest

from tests.extraction_helpers import facts_of, keys_of

BULLETIN = "国家医保局发布《2030年全国医疗保障事业发展统计公报》。"

FAMILIES = [
    ("participants", "截至2030年底,全国基本医疗保险参保140012.5万人,参保率稳定在95%以上。",
     {("bmi.participants", 2030, "level", 1400125000.0), ("bmi.coverage_rate", 2030, "level", 95.0)}),
    ("funds and changes", "2030年,全国基本医疗保险(含生育保险)基金总收入4.12万亿元,基金总支出3.55万亿元,较上年分别增长3.1%和4.4%。",
     {("bmi.fund.revenue", 2030, "level", 4.12e12), ("bmi.fund.expenditure", 2030, "level", 3.55e12),
      ("bmi.fund.revenue", 2030, "yoy_pct", 3.1), ("bmi.fund.expenditure", 2030, "yoy_pct", 4.4)}),
    ("scheme carried to the next clause", "职工医保基金(含生育保险)收入25001.5亿元,支出20100.25亿元。",
     {("ebmi.fund.revenue", 2030, "level", 2.50015e12), ("ebmi.fund.expenditure", 2030, "level", 2.010025e12)}),
    ("negative change", "居民医保参保人数95000万人,比上年减少1200万人,下降1.2%。",
     {("rbmi.participants", 2030, "level", 9.5e8), ("rbmi.participants", 2030, "yoy_abs", -1.2e7),
      ("rbmi.participants", 2030, "yoy_pct", -1.2)}),
    ("ratio change in points", "职工医保住院费用目录内基金支付比例为85.1%,较上年增加0.3%;三级、二级、一级及以下医疗机构支付比例分别为84.0%、88.1%、90.2%。",
     {("ebmi.inpatient_reimbursement_ratio", 2030, "level", 85.1), ("ebmi.inpatient_reimbursement_ratio", 2030, "yoy_pp", 0.3),
      ("ebmi.inpatient_reimbursement_ratio.tier3", 2030, "level", 84.0),
      ("ebmi.inpatient_reimbursement_ratio.tier2", 2030, "level", 88.1),
      ("ebmi.inpatient_reimbursement_ratio.tier1", 2030, "level", 90.2)}),
    ("previous-year value in parentheses", "居民医保基金当期结存600.5亿元,较上年(519.42亿元)增加。",
     {("rbmi.fund.current_balance", 2030, "level", 6.005e10), ("rbmi.fund.current_balance", 2029, "level", 5.1942e10)}),
    ("supervision", "全年追回医保基金300亿元,查实欺诈骗保机构2100家,抓获犯罪嫌疑人9000名。",
     {("supervision.funds_recovered", 2030, "level", 3e10), ("supervision.fraud_institutions", 2030, "level", 2100.0),
      ("supervision.suspects_arrested", 2030, "level", 9000.0)}),
    ("long-term care", "2030年,60个试点城市参加长期护理保险人数共2.1亿人;护理服务人员35.5万人,较上年减少2.0%。",
     {("ltc.pilot_cities", 2030, "level", 60.0), ("ltc.participants", 2030, "level", 2.1e8),
      ("ltc.care_workers", 2030, "level", 355000.0), ("ltc.care_workers", 2030, "yoy_pct", -2.0)}),
    ("cross-region", "全国异地就医4.5亿人次,其中职工医保异地就医3.0亿人次,居民医保异地就医1.5亿人次。",
     {("cross_region.visits", 2030, "level", 4.5e8), ("cross_region.visits.ebmi", 2030, "level", 3e8),
      ("cross_region.visits.rbmi", 2030, "level", 1.5e8)}),
]


@pytest.mark.parametrize("name,text,expected", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_family(name, text, expected):
    got = {(i, y, m, round(v, 3)) for i, y, m, v in keys_of(BULLETIN + text)}
    assert got == {(i, y, m, round(v, 3)) for i, y, m, v in expected}


ENGLISH = "According to the 2030 National Medical Security Development Statistical Bulletin, "


def test_english_word_order_respectively_and_unit_words():
    text = ENGLISH + ("in 2030, 380 million were insured via the employee basic medical insurance program. "
                      "The average hospitalization costs for employee and resident medical insurance were 12,100 RMB "
                      "and 8,050.5 RMB, respectively. The total income of the medical insurance fund for 2030 is "
                      "CNY 41,200.5 billion, a growth of 3.1%.")
    keys = keys_of(text)
    assert ("ebmi.participants", 2030, "level", 3.8e8) in keys
    assert ("ebmi.avg_inpatient_cost", 2030, "level", 12100.0) in keys
    assert ("rbmi.avg_inpatient_cost", 2030, "level", 8050.5) in keys
    assert ("bmi.fund.revenue", 2030, "yoy_pct", 3.1) in keys
    # the unit error is kept as written in facts; reconciliation repairs it
    assert ("bmi.fund.revenue", 2030, "level", 4.12005e13) in keys


@pytest.mark.parametrize("text,qualifier", [
    ("基本医保参保人数逾13.6亿人。", "lower_bound"), ("参保率稳定在95%以上。", "lower_bound"),
    ("职工医保基金支出约2.1万亿元。", "approx"), ("More than a billion residents were covered by the urban and rural resident basic medical insurance.", "lower_bound"),
])
def test_qualified_figures_keep_their_qualifier(text, qualifier):
    facts = facts_of(BULLETIN + text)
    assert facts and {f[4] for f in facts} == {qualifier}


TRAPS = [
    ("GDP share is not an indicator", "基金总收入4.12万亿元,占当年GDP比重约为2.4%。", {("bmi.fund.revenue", 2030, "level", 4.12e12)}),
    ("actual ratio is not the in-list ratio", "居民医保住院费用实际报销比例全国平均60.1%。", set()),
    ("poor-population subgroup", "农村建档立卡贫困人口参保率稳定在99.9%以上。", set()),
    ("per-capita is not the fund total", "人均生育待遇支出为23000元,比上年增长5.0%。", set()),
    ("inpatient subset of cross-region visits", "其中,住院异地就医800万人次。", set()),
    ("listed items that name nothing catalogued", "企业、机关事业、灵活就业人员分别为23000万人、6500万人、5000万人。", set()),
    ("earlier year keeps its own period", "2020年,居民医保基金当期结存949亿元。", {("rbmi.fund.current_balance", 2020, "level", 9.49e10)}),
    ("since 2018 is not a period", "自2018年国家医保局成立以来,累计900种药品新增纳入目录范围。",
     {("nrdl.drugs_added_cumulative", 2030, "level", 900.0)}),
    ("batch ordinals are not cumulative counts", "其中第十二批国家组织药品集采涉及70种药品。", set()),
]


@pytest.mark.parametrize("name,text,expected", TRAPS, ids=[t[0] for t in TRAPS])
def test_traps(name, text, expected):
    assert {(i, y, m, round(v, 3)) for i, y, m, v in keys_of(BULLETIN + text)} == \
        {(i, y, m, round(v, 3)) for i, y, m, v in expected}


def test_partial_year_document_yields_no_facts():
    text = "据介绍,今年1至8月份,全国共检查定点医药机构51.66万家,追回医保基金88.12亿元。2030年1-8月曝光典型案例。"
    assert facts_of(text) == []


def test_digits_lost_to_encoding_damage_are_flagged():
    from tasks.contract.catalogue import load_catalogue
    from tasks.extraction.process import process_one
    from tasks.ingest.raw import RawDocument

    text = BULLETIN + "2030年,居民医?;鹗杖?724.48億元,支出9900.5億元。居民医保基金累计结存?8000亿元。"
    doc, facts = process_one(RawDocument("d.txt", text.encode()), load_catalogue())
    flagged = [f for f in facts if "digits_maybe_lost" in f["flags"]]
    assert flagged and "digits may be lost" in doc["problems"]


def test_traditional_japanese_numerals_and_chinese_numeral_year():
    text = "二〇三〇年全國醫療保障事業發展統計公報:2030年,全國基本醫療保險參保人數140012萬人,基金總收入4.12兆元。"
    keys = keys_of(text)
    assert ("bmi.participants", 2030, "level", 1400120000.0) in keys
    assert ("bmi.fund.revenue", 2030, "level", 4.12e12) in keys


def test_word_salad_page_yields_no_facts():
    salad = BULLETIN + ("参保人数3.49万亿元好看视频。基金总收入13.27亿人下载。参保率4639亿元精品。"
                        "基金总支出95%免费。参保人数4.2%在线。住院率53.08亿人次观看。职工医保基金收入84.8%高清。")
    assert facts_of(salad) == []


def test_spans_point_into_the_text_as_ingested():
    from tasks.contract.catalogue import load_catalogue
    from tasks.extraction.process import process_one
    from tasks.ingest.raw import RawDocument

    text = "國家醫(yī)保局發布《2030年全國醫療保障事業發展統計公報》。累計結存[3]40000億元,J9九游会官方网站參保率95%。"
    _, facts = process_one(RawDocument("d.txt", text.encode()), load_catalogue())
    assert facts
    for fact in facts:
        assert text[fact["span_start"]:fact["span_end"]] == fact["text"]
