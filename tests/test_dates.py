"""Publication dates from a page's URL or text, and the month a story says the release came out."""
import pytest

from tasks.ingest.dates import event_month, load_date_patterns, published_date


@pytest.mark.parametrize("text,iso", [
    ("来源:某某网 时间:2031-07-17 阅读", "2031-07-17"),
    ("头条新闻\n2031-07-16 10:47 来源:新华网\n正文", "2031-07-16"),
    ("2031年07月12日 10:46 『保険加入者』", "2031-07-12"),
    ("By A. Writer | Updated: July 14, 2031\nMedical insurance", "2031-07-14"),
    ("Published June 08, 2031 | 04:30 PM", "2031-06-08"),
    (" date 2031-04-11 \nMedical insurance covered", "2031-04-11"),
    ("发布日期:2031年3月9日", "2031-03-09"),
    ("no date at all in this text", ""),
    ("时间:2031-13-45 is not a date", ""),
])
def test_published_date_from_text(text, iso):
    assert published_date(text) == iso


@pytest.mark.parametrize("uri,iso", [
    ("https://example.org/xinwen/2031-03/09/content_1.htm", "2031-03-09"),
    ("http://example.org/cssh/20310711/282.html", "2031-07-11"),
    ("http://example.org/2031/0310/366.html", "2031-03-10"),
    ("https://example.org/m/2031-02-07/1021.html", "2031-02-07"),
])
def test_published_date_from_url_path(uri, iso):
    assert published_date("时间:2035-01-01", uri) == iso


def test_a_file_path_is_not_read_as_a_url():
    assert published_date("正文没有日期", "/data/20310711/page.txt") == ""


@pytest.mark.parametrize("text,month", [
    ("新华社北京3月1日电 国家医保局发布数据", 3),
    ("国家医保局今天(7月25日)发布统计公报", 7),
    ("BEIJING, Jan. 17 (Xinhua) -- the administration said", 1),
    ("On April 11, the administration released the report", 4),
    ("参保人数稳定在95%以上。", 0),
])
def test_event_month(text, month):
    assert event_month(text) == month


def test_patterns_file_is_well_formed():
    pats = load_date_patterns()
    assert pats.url and pats.text and pats.event and pats.head_chars > 0
    assert sorted(set(pats.months.values())) == list(range(1, 13))
    for pattern in pats.url + pats.text:
        assert {"y", "m", "d"} <= set(pattern.groupindex)
    for pattern in pats.event:
        assert {"m", "d"} <= set(pattern.groupindex)
