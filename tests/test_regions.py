"""Scope detection: a figure of a province, city or county never becomes a national fact, and a place that owns
nothing (a dateline, a venue, a newspaper) changes nothing. All texts are written for these tests."""
import re
from pathlib import Path

import pytest
import yaml

from tasks.extraction.region_names import LEVELS, PROVINCIAL, REGIONS_PATH, load_regions
from tasks.extraction.regions import RegionScope, document_region, region_at, scope_spans


def regions_of(text: str, default: str = "CN") -> dict[str, str]:
    """Region of every figure-like number (digits followed by a unit) in the text."""
    spans = scope_spans(text, default)
    return {m.group(): region_at(spans, m.start()) for m in re.finditer(r"\d[\d.,]*\s*(?:亿|億|万|萬|%|trillion|billion|million|percent)", text)}


def assert_partition(spans, text):
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] and a[2] != b[2] for a, b in zip(spans, spans[1:]))


# --- the data ---------------------------------------------------------------------------------------------------

def test_yaml_has_the_nation_and_all_34_provincial_divisions_with_gbt2260_codes():
    data = yaml.safe_load(REGIONS_PATH.read_text(encoding="utf-8"))
    assert data["national_code"] == "CN"
    codes = [str(e["code"]) for e in data["regions"]]
    assert len(codes) == len(set(codes))
    provincial = [e for e in data["regions"] if e["level"] in PROVINCIAL]
    assert len(provincial) == 34
    assert all(re.fullmatch(r"[1-8]\d0000", str(e["code"])) for e in provincial)
    for entry in data["regions"]:
        assert entry["level"] in LEVELS and entry["zh"] and entry["en"]
        if entry["level"] == "city":
            assert re.fullmatch(r"\d{4}00", entry["code"]) and not entry["code"].endswith("0000")
            assert entry["code"][:2] + "0000" in codes, "a city's province is in the table"
        assert all(len(name) >= 2 for name in entry["zh"] + (entry.get("zht") or [])), "no one-character abbreviations"
    assert {"440000", "110000", "810000", "820000", "710000", "440300"} <= set(codes)


def test_every_name_is_unique_and_traditional_forms_match_the_simplified_ones():
    opencc = pytest.importorskip("opencc")
    t2s = opencc.OpenCC("t2s")
    data = yaml.safe_load(REGIONS_PATH.read_text(encoding="utf-8"))
    owner: dict[str, str] = {}
    for entry in data["regions"]:
        for name in entry["zh"] + (entry.get("zht") or []) + [e.lower() for e in entry["en"]]:
            assert owner.setdefault(name, entry["code"]) == entry["code"], f"{name} names two regions"
        for name in entry.get("zht") or []:
            assert t2s.convert(name) in entry["zh"], name


def test_every_context_regex_compiles_and_guards_name_listed_regions():
    table = load_regions()
    assert table.context and table.lead_in
    for name in yaml.safe_load(REGIONS_PATH.read_text(encoding="utf-8"))["guards"]:
        assert table.lookup(name), f"guard for an unknown name {name}"


# --- document region ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, head, code", [
    ("《2031年广东省医疗保障事业发展统计公报》", "", "440000"),
    ("2031年廣東省醫療保障事業發展統計公報", "", "440000"),
    ("Guangdong Healthcare Security Statistical Bulletin 2031", "", "440000"),
    ("Statistical Bulletin on the Development of Healthcare Security in Guangdong Province", "", "440000"),
    ("", "广东省医疗保障局发布2031年全省医疗保障统计数据", "440000"),
    ("北京市医疗保障事业发展统计公报", "", "110000"),
    ("深圳市医疗保障局关于2031年医疗保障事业发展情况的通报", "", "440300"),
    ("2031年全国医疗保障事业发展统计公报", "来源:广东省医疗保障局", "CN"),
    ("2031 Statistical Bulletin on National Healthcare Security Development", "", "CN"),
    ("2031年医疗保障事业发展统计公报", "广东省医疗保障局 > 政务公开\n国家医保局发布了年度数据", "CN"),
    ("新华社北京7月10日电", "国家医保局10日发布年度统计数据", "CN"),
    ("Beijing, July 10 (Xinhua) -- basic medical insurance covers 1.3 billion", "", "CN"),
])
def test_document_region_from_title_and_head(title, head, code):
    scope = document_region(title, head)
    assert isinstance(scope, RegionScope) and scope.code == code
    assert scope.evidence or scope.confidence <= 0.5


def test_unknown_county_agency_is_a_local_scope_never_the_nation():
    scope = document_region("某某县医疗保障局2031年医保基金运行情况", "")
    assert scope.code == "local:某某县" and scope.confidence > 0.5
    assert document_region("Anji County Healthcare Security Administration annual report", "").code.startswith("local:")


def test_a_document_without_regional_evidence_is_national_with_low_confidence():
    scope = document_region("医保基金运行平稳", "31个省份推进跨省异地就医直接结算")
    assert scope.code == "CN" and scope.confidence == 0.5


# --- scope spans --------------------------------------------------------------------------------------------------

def test_national_bulletin_paragraph_is_all_national():
    text = ("2031年末,全国基本医疗保险参保人数13.5亿人,参保率稳定在95%以上。全年基本医疗保险基金总收入3.5万亿元,"
            "比上年增长6.1%。31个省份开展跨省异地就医直接结算,全国住院费用跨省直接结算1200万人次。")
    spans = scope_spans(text, "CN")
    assert spans == [(0, len(text), "CN")]


def test_provincial_bulletin_is_its_province_everywhere_even_with_whole_province_wording():
    text = "2031年末,全省基本医疗保险参保人数1.1亿人。\n\n本省职工医保基金收入3000亿元。我省居民医保基金支出900亿元。"
    assert set(regions_of(text, "440000").values()) == {"440000"}


def test_one_clause_about_a_province_in_a_national_text_scopes_only_that_clause():
    text = "全年基本医疗保险基金总收入3.5万亿元。其中,广东省基金收入3000亿元。基金总支出2.9万亿元。"
    found = regions_of(text)
    assert found == {"3.5万": "CN", "3000亿": "440000", "2.9万": "CN"}


def test_a_sentence_opening_with_a_province_governs_until_a_national_marker_or_paragraph_break():
    text = ("2031年,广东省基本医疗保险参保人数1.1亿人。基金收入3000亿元。全国基金收入3.5万亿元。\n\n"
            "基金支出2.9万亿元。")
    assert regions_of(text) == {"1.1亿": "440000", "3000亿": "440000", "3.5万": "CN", "2.9万": "CN"}


def test_a_province_named_as_an_example_in_a_national_text_scopes_only_its_sentence():
    text = "长期护理保险试点扩大,如广东省参保人数达900万人;全国参保人数1.9亿人,基金收入240亿元。"
    assert regions_of(text) == {"900万": "440000", "1.9亿": "CN", "240亿": "CN"}


def test_english_opening_possessive_and_clause_scopes():
    text = ("In Guangdong province, fund revenue reached 300 billion yuan. It rose 5 percent.\n\n"
            "Shanghai's fund spent 90 billion yuan, while national spending reached 2.8 trillion yuan.\n\n"
            "Nationwide, 1.35 billion people were insured.")
    assert regions_of(text) == {"300 billion": "440000", "5 percent": "440000", "90 billion": "310000",
                                "2.8 trillion": "CN", "1.35 billion": "CN"}


def test_traditional_characters_name_the_same_province():
    text = "據廣東省醫療保障局統計,全省參保人數1.1億人。全國參保人數13.5億人。"
    assert regions_of(text) == {"1.1億": "440000", "13.5億": "CN"}


def test_city_bulletin_and_whole_city_wording():
    text = "深圳市医疗保障局发布:全市参保人数1600万人。\n\n本市职工医保基金收入800亿元。"
    assert set(regions_of(text, "440300").values()) == {"440300"}
    assert regions_of("深圳市医疗保障局发布:全市参保人数1600万人。") == {"1600万": "440300"}


def test_city_within_its_province_is_the_city_and_whole_province_is_the_parent():
    text = "广东省深圳市参保人数1600万人。全省参保人数1.1亿人。"
    found = regions_of(text)
    assert found == {"1600万": "440300", "1.1亿": "440000"}


def test_unknown_county_is_local_and_never_national():
    text = "某某县医保局发布:全县参保人数30万人,基金收入5亿元。"
    assert set(regions_of(text).values()) == {"local:某某县"}
    assert regions_of("2031年,全市参保人数300万人。") == {"300万": "local:unknown"}


def test_a_list_of_provinces_sharing_a_statement_is_no_single_province():
    found = regions_of("广东省、江苏省参保人数分别为1.1亿人和8000万人。")
    assert set(found.values()) == {"multi:440000+320000"}


# --- must not trigger ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "北京7月10日电 全年基本医疗保险基金总收入3.5万亿元。",
    "新华社北京3月9日电(记者 某某) 全国参保人数13.5亿人。",
    "Beijing, July 10 (Xinhua) -- Basic medical insurance covered 1.35 billion people.",
    "BEIJING - Basic medical insurance covered 1.35 billion people.",
    "国家医保局在北京召开新闻发布会,介绍全年基金收入3.5万亿元。",
    "At a press conference held in Beijing, officials said 1.35 billion people were insured.",
    "31个省份开展门诊费用跨省直接结算,结算1200万人次。",
    "Across 31 provinces and 25 provinces, inter-provincial and cross-province settlements reached 12 million.",
    "跨省异地就医直接结算1200万人次,省内异地就医5000万人次。",
    "来源: 北京日报\n全国参保人数13.5亿人。",
    "北京日报记者获悉,参保人数13.5亿人。",
    "The Beijing News reported that 1.35 billion people were insured, China Daily said.",
    "北京时间10日,国家医保局公布参保人数13.5亿人。",
    "全国住院费用跨省直接结算人次占比达到75%,高于广东省和江苏省。",
])
def test_places_that_own_no_figure_leave_the_text_national(text):
    assert set(regions_of(text).values()) == {"CN"}, regions_of(text)


def test_spans_partition_the_text_and_offsets_outside_fall_back():
    text = "2031年,广东省参保人数1.1亿人。\n\n全国参保人数13.5亿人,其中,深圳市1600万人。"
    spans = scope_spans(text, "CN")
    assert_partition(spans, text)
    assert region_at([], 5) == "CN" and region_at(spans, len(text) + 10) == spans[-1][2]
    assert scope_spans("", "440000") == [(0, 0, "440000")]


def test_an_english_place_after_its_figure_owns_its_clause_only():
    assert regions_of("About 110 million people were insured in Guangdong province.") == {"110 million": "440000"}
    found = regions_of("In 2031, 1,350 million people were insured nationwide, including 110 million in Guangdong.")
    assert found == {"1,350 million": "CN", "110 million": "440000"}


def test_example_cities_after_a_national_count_leave_the_count_and_the_next_sentence_national():
    text = ("Long-term care insurance grew in the nation's 49 pilot cities such as the northern city of Tianjin and "
            "Chengdu in the southwestern province of Sichuan. About 187.9 million people joined the program.")
    spans = scope_spans(text, "CN")
    assert region_at(spans, text.index("49 pilot")) == "CN"
    assert region_at(spans, text.index("Tianjin")) == "multi:120000+510100"
    assert regions_of(text) == {"187.9 million": "CN"}


def test_a_share_of_a_region_is_that_region_but_above_the_national_level_is_a_reference():
    assert regions_of("The share of Guangdong was 8%.") == {"8%": "440000"}
    assert regions_of("全省参保率达到97%,高于全国平均水平。", "440000") == {"97%": "440000"}
    assert regions_of("BEIJING: 24.5 billion yuan was allocated to medical assistance.") == {"24.5 billion": "CN"}


def test_short_names_inside_ordinary_words_are_not_places():
    assert regions_of("各项工作变成都要落实的任务,幸福建设持续推进,参保人数13.5亿人。") == {"13.5亿": "CN"}
    assert regions_of("成都市参保人数2100万人。") == {"2100万": "510100"}
