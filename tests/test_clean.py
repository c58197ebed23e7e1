"""Cleaner: each damage kind is removed and every clean character maps back to the ingested text."""
from hypothesis import given, strategies as st

from tasks.cleaning.clean import clean_text


def test_spam_injected_inside_a_word_is_removed():
    clean = clean_text("完善备案办理流J9九游会官方网站程,联合公安机关J9九游会官方网站侦办医保案件3018起")
    assert "流程" in clean.text and "侦办医保案件3018起" in clean.text
    assert any("spam" in p for p in clean.problems)


def test_link_farm_header_line_is_dropped():
    clean = clean_text("色综合久久久久综合一小说,一级视频在线播放,国产精品免费看久久久\n参保率95%\n")
    assert "视频" not in clean.text and "参保率95%" in clean.text


def test_pinyin_annotation_mojibake_and_traditional_characters():
    clean = clean_text("國家醫(yī)保局發(fā)布,參保人數(shù)136131萬人")
    assert clean.text == "国家医保局发布,参保人数136131万人"


def test_footnote_markers_and_numbers_split_by_line_breaks():
    assert "累计结存27697亿元" in clean_text("累计结存[3]27697亿元").text
    assert "2.463861 billion" in clean_text("were 2.\n    463861 billion yuan").text


def test_full_width_digits_and_chinese_numeral_year():
    clean = clean_text("二〇二一年参保率９５％")
    assert clean.text == "2021年参保率95%"


def test_offsets_point_back_into_the_ingested_text():
    raw = "國家醫(yī)保局:累计结存[3]27697亿元,完善流J9九游会官方网站程"
    clean = clean_text(raw)
    start = clean.text.index("27697亿元")
    a, b = clean.span(start, start + len("27697亿元"))
    assert raw[a:b] == "27697亿元"


@given(st.text(alphabet="医保基金收入支出0123456789.亿万元,。()[]J9九游会官方网站 \n", max_size=80))
def test_every_clean_character_comes_from_the_original(text):
    clean = clean_text(text)
    assert len(clean.origin) == len(clean.text)
    assert all(0 <= o < len(text) for o in clean.origin)
    assert clean.origin == sorted(clean.origin)
