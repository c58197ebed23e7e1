"""Acceptance test of issue #8: paraphrases written from the catalogue's meaning are extracted correctly."""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from tasks.contract.catalogue import load_catalogue
from tasks.extraction.process import process_one
from tasks.ingest.raw import RawDocument

PARAPHRASES = Path(__file__).with_name("paraphrases.yaml")
FRAMES = {
    "zh": "国家医疗保障局发布《2031年全国医疗保障事业发展统计公报》。",
    "en": "The National Healthcare Security Administration released the 2031 National Medical Security "
          "Development Statistical Bulletin. ",
}
DEFAULT_YEAR = 2031


@lru_cache(maxsize=1)
def paraphrases() -> dict:
    """The YAML file, read once."""
    data = yaml.safe_load(PARAPHRASES.read_text(encoding="utf-8"))
    for langs in data["indicators"].values():  # YAML 1.1 reads 2.5e12 as text: values are numbers here
        for items in langs.values():
            for item in items:
                item["expect"] = [{**want, "value": float(want["value"])} for want in item["expect"]]
    return data


def positive_cases() -> list:
    """One pytest param per positive sentence, id indicator-lang-index."""
    cases = []
    for indicator_id, langs in paraphrases()["indicators"].items():
        for lang, items in langs.items():
            for index, item in enumerate(items):
                cases.append(pytest.param(indicator_id, lang, item, id=f"{indicator_id}-{lang}-{index}"))
    return cases


def negative_cases() -> list:
    """One pytest param per negative sentence, id neg-lang-index."""
    return [pytest.param(item, id=f"negative-{item['lang']}-{index}")
            for index, item in enumerate(paraphrases().get("negatives") or [])]


def extracted(lang: str, text: str) -> list[dict]:
    """Facts of the frame line plus the sentence, through the real pure pipeline."""
    _, facts = process_one(RawDocument("x.txt", (FRAMES[lang] + text).encode("utf-8")), load_catalogue())
    return facts


def _shown(facts: list[dict]) -> str:
    return "\n".join(f"  {f['indicator_id']} {f['period_year']} {f['measure']} {f['value']!r} {f.get('region')}"
                     for f in facts) or "  (no facts)"


def _matches(fact: dict, indicator_id: str, want: dict) -> bool:
    return (fact["indicator_id"] == indicator_id and fact.get("region", "CN") == "CN"
            and fact["period_year"] == want.get("period_year", DEFAULT_YEAR)
            and fact["measure"] == want["measure"]
            and math.isclose(fact["value"], want["value"], rel_tol=1e-6, abs_tol=1e-9))


@pytest.mark.parametrize("indicator_id,lang,item", positive_cases())
def test_paraphrase_extracted(indicator_id, lang, item):
    facts = extracted(lang, item["text"])
    missing = [want for want in item["expect"]
               if not any(_matches(f, want.get("indicator_id", indicator_id), want) for f in facts)]
    assert not missing, f"{item['text']}\nmissing {missing}\nextracted:\n{_shown(facts)}"


@pytest.mark.parametrize("item", negative_cases())
def test_negative_yields_no_national_fact(item):
    facts = extracted(item["lang"], item["text"])
    wrong = [f for f in facts if f["indicator_id"] in item["not"] and f.get("region", "CN") == "CN"]
    assert not wrong, f"{item['text']}\nmust not yield {item['not']}, got:\n{_shown(wrong)}"
