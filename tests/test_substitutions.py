"""Learning untabled variants from figures two documents state alike."""
import re

import yaml

from tasks.cleaning.clean import clean_text
from tasks.cleaning.substitutions import RULES_PATH, apply_substitutions, is_standard, learn_substitutions, load_rules

STANDARD = "截至2031年底,职工医保参保38012万人,基金收入24015.37亿元,当期结存512.44亿元。"
VARIANT = "截至2031年底,職工醫保蓡保38012萬人,基金收入24015.37億元,儅期結存512.44億元。"


def test_rules_file_is_consistent():
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    assert re.compile(data["figure"]).fullmatch("24015.37亿元")
    assert not re.compile(data["figure"]).search("2031年")
    assert 1 <= data["min_suffix"] < data["context"] and data["min_votes"] >= 1


def test_variants_aligned_with_standard_characters_before_the_same_figure_are_learnt():
    texts = [clean_text(STANDARD).text, clean_text(VARIANT).text]
    assert learn_substitutions(texts) == {"蓡": "参", "儅": "当"}


def test_different_wording_before_the_figure_still_aligns_from_the_figure():
    texts = ["居民医保蓡保人数96120万人", "城乡居民基本医疗保险参保人数96120万人"]
    assert learn_substitutions(texts) == {"蓡": "参"}


def test_nothing_is_learnt_from_one_document_common_pairs_or_other_figures():
    assert learn_substitutions([clean_text(VARIANT).text]) == {}
    assert learn_substitutions(["基金收入增长5.2%", "基金支出增长5.2%"]) == {}
    assert learn_substitutions(["职工医保蓡保38012万人", "职工医保参保38013万人"]) == {}


def test_a_rare_character_with_rival_targets_is_not_learnt():
    texts = ["医保蓡保38012万人,蓡加12345.6亿元", "医保参保38012万人", "医保增加12345.6亿元"]
    assert "蓡" not in learn_substitutions(texts)


def test_applied_substitutions_keep_offsets_and_common_text():
    clean = clean_text(VARIANT)
    fixed = apply_substitutions(clean.text, {"蓡": "参", "儅": "当"})
    assert len(fixed) == len(clean.origin) and fixed == clean_text(STANDARD).text
    assert all(is_standard(ch) for ch in "参当医保") and not is_standard("蓡")
    assert load_rules().context >= 2
