"""Decoding, HTML, language, document kind and release year."""
import pytest

from tasks.cleaning.clean import clean_text
from tasks.ingest.documents import DecodeError, classify, decode, detect_language, html_to_text
from tasks.ingest.raw import RawDocument
from tasks.extraction.vocabulary import load_vocabulary

TEXT = "国家医保局发布《2023年全国医疗保障事业发展统计公报》。截至2023年底,参保人数133389万人。"


@pytest.mark.parametrize("data", [TEXT.encode("utf-8"), b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT.encode("gb18030")])
def test_decode_utf8_bom_and_gb18030(data):
    text, _ = decode(RawDocument("a.txt", data))
    assert text == TEXT


def test_binary_input_is_refused_with_the_file_name():
    with pytest.raises(DecodeError, match="blob.txt"):
        decode(RawDocument("blob.txt", bytes(range(256)) * 20))


def test_html_becomes_visible_text():
    page = "<html><head><script>var x=1</script><style>p{}</style></head><body><p>参保率&nbsp;95%</p><p>b</p></body></html>"
    text = html_to_text(page)
    assert "var x" not in text and "参保率 95%" in text


@pytest.mark.parametrize("text,lang", [(TEXT, "zh"), ("國家醫療保障局發布統計公報,參保人數增長" * 3, "zht"),
                                       ("The National Healthcare Security Administration said " * 5, "en")])
def test_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text,kind,year", [
    (TEXT, "final_bulletin", 2023),
    ("国家医保局近日发布的《2022年医疗保障事业发展统计快报》显示,截至2022年底参保13.4亿人", "quick_report", 2022),
    ("今年1至8月份,全国共追回医保基金88.12亿元。2022年1-8月查处机构。", "partial_year", 2022),
    ("2030 Healthcare Development Statistics Express: total income 3 trillion yuan", "quick_report", 2030),
    ("天气晴朗,适合出游。", "unrelated", 0),
    ("In 2022, basic medical insurance covered 1.34 billion people, according to the communique.", "final_bulletin", 2022),
])
def test_classify_kind_and_release(text, kind, year):
    got_kind, reason, got_year, _ = classify(clean_text(text).text, load_vocabulary().partial_year)
    assert (got_kind, got_year) == (kind, year), reason
