"""The paraphrase file covers every catalogued indicator, with valid measures and plausible values."""
from __future__ import annotations

import re

from tasks.contract.catalogue import load_catalogue
from tests.test_paraphrases import FRAMES, paraphrases

MEASURES = {"level", "yoy_pct", "yoy_abs", "yoy_pp"}
MIN_PER_LANG = 3
CJK = re.compile(r"[\u4e00-\u9fff]")


def _expectations():
    for indicator_id, langs in paraphrases()["indicators"].items():
        for lang, items in langs.items():
            for item in items:
                for want in item["expect"]:
                    yield indicator_id, lang, item, want


def test_every_catalogue_id_has_three_sentences_per_language():
    catalogue = load_catalogue()
    entries = paraphrases()["indicators"]
    assert set(entries) == set(catalogue.ids)
    short = {(i, lang) for i in catalogue.ids for lang in FRAMES if len(entries[i].get(lang) or []) < MIN_PER_LANG}
    assert not short, sorted(short)


def test_expectations_use_known_ids_measures_and_plausible_values():
    catalogue = load_catalogue()
    for indicator_id, _, item, want in _expectations():
        target = want.get("indicator_id", indicator_id)
        assert target in catalogue, (item["text"], target)
        assert set(want) <= {"indicator_id", "measure", "value", "period_year"}, want
        assert want["measure"] in MEASURES, want
        if want["measure"] == "yoy_pp":
            assert catalogue[target].unit == "percent", (item["text"], want)
        if want["measure"] == "yoy_pct":
            assert catalogue[target].unit != "percent", (item["text"], want)
        low, high = catalogue[target].bounds(want["measure"])
        assert low <= want["value"] <= high, (item["text"], want, (low, high))


def test_each_positive_names_its_own_indicator_and_language_matches_script():
    for indicator_id, langs in paraphrases()["indicators"].items():
        for lang, items in langs.items():
            assert lang in FRAMES
            for item in items:
                assert any(w.get("indicator_id", indicator_id) == indicator_id for w in item["expect"]), item
                assert bool(CJK.search(item["text"])) == (lang == "zh"), item["text"]


def test_sentences_are_unique():
    texts = [item["text"] for langs in paraphrases()["indicators"].values()
             for items in langs.values() for item in items] + [n["text"] for n in paraphrases()["negatives"]]
    assert len(texts) == len(set(texts))


def test_negatives_name_catalogue_ids():
    catalogue = load_catalogue()
    negatives = paraphrases()["negatives"]
    assert len(negatives) >= 40
    for item in negatives:
        assert item["lang"] in FRAMES
        assert item["not"] and all(i in catalogue for i in item["not"]), item
