"""Variant folding: rare variants and look-alikes become the standard character, common ones never change."""
from __future__ import annotations


import pytest
import yaml
from hypothesis import given, settings, strategies as st

from tasks.cleaning import charfold
from tasks.cleaning.charfold import (RULES_PATH, UnihanMissing, find_data_file, fold_table, fold_text, is_common,
                            load_rules, nfkc_char)
from tasks.cleaning.clean import clean_text
from tasks.ingest.documents import classify
from tasks.extraction.vocabulary import load_vocabulary

UNIHAN_FIELDS = {"kZVariant", "kSemanticVariant", "kSpecializedSemanticVariant", "kSpoofingVariant",
                 "kTraditionalVariant", "kSimplifiedVariant"}


def gb2312_characters() -> list[str]:
    """Every GB2312 hanzi, decoded from the code table itself (rows 16-87)."""
    chars = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


GB2312 = gb2312_characters()


def test_rules_file_names_known_unihan_fields_and_a_big5_block():
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    assert set(data["fields"]) <= UNIHAN_FIELDS and len(set(data["fields"])) == len(data["fields"])
    low, high = data["big5_common"]
    assert 0xA140 <= low < high <= 0xF9FE
    assert data["max_depth"] >= 1 and "apt-get install -y unicode-data" in data["setup"]


def test_variant_sentence_folds_to_standard_simplified_text():
    raw = "2031年全国基本毉療保險參保人數达13.6億人,基金縂收入爲35012.44億元,城鄕居民毉保擧辦,民衆受益。"
    assert clean_text(raw).text == "2031年全国基本医疗保险参保人数达13.6亿人,基金总收入为35012.44亿元,城乡居民医保举办,民众受益。"


def test_compatibility_and_radical_look_alikes_fold_one_for_one():
    assert fold_text("\u2f08\u2f00\u2ea0\uf9b5") == "人一民例"  # Kangxi radicals, CJK radical, compatibility ideograph
    assert fold_text("参保率９５％﹪") == "参保率95%%"
    assert fold_text("㊣品") == "正品"


def test_markers_never_become_digits():
    for marker in "①²³⑴½":
        assert nfkc_char(marker) == marker
    assert clean_text("参保人数①133389万人²").text == "参保人数①133389万人²"


def test_offsets_survive_folding_and_spans_map_back():
    raw = "職工毉保參保37095萬人,基金縂收入22931.65億元,住院率爲21.86%。"
    clean = clean_text(raw)
    assert len(clean.origin) == len(clean.text) == len(raw)
    for figure, original in (("22931.65亿元", "22931.65億元"), ("总收入", "縂收入"), ("医保", "毉保")):
        start = clean.text.index(figure)
        a, b = clean.span(start, start + len(figure))
        assert raw[a:b] == original
    assert any("variant characters" in p for p in clean.problems)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(GB2312), min_size=1, max_size=40))
def test_common_characters_are_never_changed(chars):
    text = "".join(chars)
    assert fold_text(text) == text


def test_every_gb2312_character_is_common_and_outside_the_table():
    table = fold_table()
    assert all(is_common(ch) for ch in GB2312)
    assert not set(GB2312) & set(table)


def test_folding_lands_on_common_characters_and_is_idempotent():
    table = fold_table()
    assert len(table) > 1000
    rules = load_rules()
    radicals = charfold.parse_equivalents(find_data_file(rules.radical_files).read_text(encoding="utf-8"))
    assert all(is_common(v) for k, v in table.items() if k not in radicals)
    assert all(v == table.get(radicals[k], radicals[k]) for k, v in table.items() if k in radicals)
    assert all(table.get(v, v) == v for v in table.values())


def test_a_document_in_variants_is_classified_like_its_standard_twin():
    standard = "國家醫保局發佈《2031年全國醫療保障事業發展統計公報》。截至2031年底,全國基本醫療保險參保13.6億人。"
    variant = "國家毉保侷發佈《2031年全國毉療保障事業發展統計公報》。截至2031年底,全國基本毉療保險參保13.6億人。"
    partial = load_vocabulary().partial_year
    got_standard = classify(clean_text(standard).text, partial)
    got_variant = classify(clean_text(variant).text, partial)
    assert got_variant == got_standard and got_standard[:1] == ("final_bulletin",) and got_standard[2] == 2031


def test_missing_data_file_names_it_and_the_setup_command(tmp_path):
    with pytest.raises(UnihanMissing) as err:
        find_data_file((str(tmp_path / "Unihan_Variants.txt"),))
    assert "Unihan_Variants.txt" in str(err.value) and "apt-get install -y unicode-data" in str(err.value)


def test_table_parsers_read_unihan_and_radical_lines():
    graph = charfold.parse_variants("# c\nU+7232\tkSemanticVariant\tU+70BA<kHKGlyph\nU+4E00\tkFake\tU+4E8C\n",
                                    load_rules().fields)
    assert [t for _, _, t in graph["爲"]] == ["為"] and "一" not in graph
    assert charfold.parse_equivalents("# x\n2F00..2F01 ; 4E00 # KANGXI\n") == {"⼀": "一", "⼁": "一"}
