"""Bad text never loses a document silently (issue #10): single-line pages keep their facts, UTF-16/32 are read,
empty and figure-less bulletins and dropped implausible figures warn."""
from __future__ import annotations

import pytest

BULLETIN = ("2031年全国医疗保障事业发展统计公报\n2031年末，全国基本医疗保险参保人数133000万人，参保率稳定在95%以上。\n"
            "全年基本医疗保险基金总收入34000亿元，总支出28000亿元。\n")


# --- single-line pages ---------------------------------------------------------------------------------------------
FARM = "久久精品国产在线视频|免费观看日韩一区二区|亚洲高清成人影院|在线播放无码精品"


def test_a_link_farm_run_goes_but_the_rest_of_its_line_stays_with_offsets_intact():
    from tasks.cleaning.clean import clean_text

    page = FARM + BULLETIN.replace("\n", "")
    clean = clean_text(page)
    assert "视频" not in clean.text and "影院" not in clean.text
    assert clean.text.startswith("2031年全国医疗保障事业发展统计公报")
    start = clean.text.index("34000亿元")
    a, b = clean.span(start, start + len("34000亿元"))
    assert page[a:b] == "34000亿元"
    middle = clean_text("参保率95%。" + FARM + "基金总支出28000亿元")
    assert "参保率95%。\n基金总支出28000亿元" == middle.text


def test_a_page_without_line_breaks_still_yields_its_facts():
    from tasks.contract.catalogue import load_catalogue
    from tasks.extraction.process import process_one
    from tasks.ingest.raw import RawDocument

    catalogue = load_catalogue()
    page = FARM + "\n" + BULLETIN
    with_breaks = process_one(RawDocument("a.txt", page.encode()), catalogue)
    flat = process_one(RawDocument("b.txt", page.replace("\n", "").encode()), catalogue)
    assert with_breaks[0]["kind"] == flat[0]["kind"] == "final_bulletin"
    key = lambda facts: sorted((f["indicator_id"], f["measure"], f["value"]) for f in facts)  # noqa: E731
    assert len(with_breaks[1]) >= 3 and key(flat[1]) == key(with_breaks[1])


def test_scattered_keywords_in_real_sentences_are_not_a_link_farm():
    from tasks.cleaning.clean import clean_text

    text = "跨省異地就醫直接結算覆蓋全國31個省(區、市),在線備案,線上辦理,免費查詢,全國地區統一。"
    clean = clean_text(text)
    assert not any("spam" in p for p in clean.problems) and "在线备案,线上办理,免费查询" in clean.text


# --- encodings -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_are_read_with_or_without_a_byte_order_mark(encoding):
    from tasks.ingest.documents import decode
    from tasks.ingest.raw import RawDocument

    text, problems = decode(RawDocument("b.txt", ("Fund report 2031\n" + BULLETIN).encode(encoding)))
    assert text == "Fund report 2031\n" + BULLETIN and any("utf-" in p for p in problems)


def test_binary_bytes_with_nuls_are_still_refused():
    from tasks.ingest.documents import DecodeError, decode
    from tasks.ingest.raw import RawDocument

    with pytest.raises(DecodeError):
        decode(RawDocument("x.html", b"\x00\x01PK\x03\x04" * 50))


def test_a_utf16_bulletin_yields_the_same_facts_as_its_utf8_bytes():
    from tasks.contract.catalogue import load_catalogue
    from tasks.extraction.process import process_one
    from tasks.ingest.raw import RawDocument

    catalogue = load_catalogue()
    facts = [process_one(RawDocument("b.txt", BULLETIN.encode(enc)), catalogue)[1] for enc in ("utf-8", "utf-16")]
    assert len(facts[0]) >= 3
    assert [(f["indicator_id"], f["value"]) for f in facts[1]] == [(f["indicator_id"], f["value"]) for f in facts[0]]


# --- warnings a person should see ----------------------------------------------------------------------------------
def gate_alerts(pages: dict[str, bytes]) -> list[dict]:
    from tasks.contract.catalogue import load_catalogue
    from tasks.quality.gate import check_batch
    from tasks.extraction.process import process_documents
    from tasks.ingest.raw import RawDocument

    catalogue = load_catalogue()
    result = process_documents([RawDocument(name, data) for name, data in pages.items()], catalogue)
    return check_batch(result.documents, result.facts, catalogue).alerts


def test_an_empty_file_and_a_final_bulletin_without_figures_warn():
    found = gate_alerts({"empty.txt": b"", "blank.md": b" \n\n", "ok.txt": BULLETIN.encode(),
                         "bare.txt": "2031年全国医疗保障事业发展统计公报\n国家医疗保障局\n数据详见附件。\n".encode()})
    rules = {(a["rule"], a["source"]) for a in found if a["severity"] == "warning"}
    assert {("empty_document", "empty.txt"), ("empty_document", "blank.md"), ("no_figures", "bare.txt")} <= rules
    assert not any(a["source"] == "ok.txt" for a in found)


def test_an_implausible_figure_dropped_raises_an_alert_naming_it():
    page = BULLETIN.replace("133000万人", "9990000万人")
    found = [a for a in gate_alerts({"odd.txt": page.encode()}) if a["rule"] == "implausible_figure"]
    assert len(found) == 1 and "outside plausible ranges" in found[0]["evidence"] and found[0]["release_year"] == 2031


def test_alert_rules_file_names_known_kinds_and_phrases():
    from tasks.quality.alerts import document_rules
    from tasks.ingest.kinds import KINDS

    rules = document_rules()
    assert set(rules) == {"document_problems", "kinds_with_figures", "remedies"}
    assert set(rules["document_problems"]) <= set(rules["remedies"])
    assert all(isinstance(t, str) and t for t in rules["remedies"].values())
    assert all(isinstance(p, str) and p for p in rules["document_problems"].values())
    assert set(rules["kinds_with_figures"]) <= set(KINDS)


# --- overflowing numbers -------------------------------------------------------------------------------------------
def test_a_309_digit_figure_never_becomes_infinity_anywhere_in_a_release():
    import math

    from tasks.contract.catalogue import load_catalogue
    from tasks.quality.gate import check_batch, publishable_facts
    from tasks.extraction.process import process_documents
    from tasks.ingest.raw import RawDocument
    from tasks.publish.release import build_release

    huge = "9" * 309
    page = BULLETIN.replace("34000亿元", f"{huge}亿元") + f"基金累计结存-{huge}.5亿元，追回资金1{'0' * 310}元。\n"
    catalogue = load_catalogue()
    result = process_documents([RawDocument("huge.txt", page.encode())], catalogue)
    gated = check_batch(result.documents, result.facts, catalogue)
    facts = publishable_facts(gated.facts, gated.documents)
    build = build_release(2031, facts, gated.documents, catalogue)
    for frame in (result.facts, result.unattributed, build.published):
        values = [float(v) for v in frame["value"].dropna()]
        assert all(math.isfinite(v) for v in values)
    assert {"bmi.participants", "bmi.fund.expenditure"} <= set(build.published["indicator_id"])
    assert not build.blocked
