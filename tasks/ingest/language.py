"""A page's language from its scripts and function words, so the pipeline reads only what it can read."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).with_name("languages.yaml")
WORD = re.compile(r"[a-zà-öø-ÿœ]+")


@dataclass(frozen=True)
class LanguageRules:
    """Scripts, limits and function-word profiles from languages.yaml."""

    scripts: dict[str, re.Pattern]
    script_languages: dict[str, str]
    read_languages: frozenset[str]
    limits: dict[str, float]
    arabic_letters: dict[str, str]
    stopwords: dict[str, frozenset[str]]


@lru_cache(maxsize=1)
def load_rules() -> LanguageRules:
    """Read languages.yaml once."""
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    return LanguageRules(
        scripts={name: re.compile(pattern) for name, pattern in data["scripts"].items()},
        script_languages=dict(data["script_languages"]),
        read_languages=frozenset(data["read_languages"]),
        limits={k: float(v) for k, v in data["limits"].items()},
        arabic_letters=dict(data["arabic_letters"]),
        stopwords={lang: frozenset(words) for lang, words in data["stopwords"].items()},
    )


READ_LANGUAGES = load_rules().read_languages


def language_codes() -> tuple[str, ...]:
    """Every code detect_language can return (the documents suite accepts exactly these)."""
    rules = load_rules()
    codes = {"zh", "zht", "ja", "mixed", *rules.read_languages, *rules.script_languages.values(),
             *rules.arabic_letters, *rules.stopwords}
    return tuple(sorted(codes))


def is_read(language: str) -> bool:
    """Whether the pipeline extracts figures from a page in this language."""
    return language in load_rules().read_languages


def script_counts(text: str, rules: LanguageRules | None = None) -> dict[str, int]:
    """Letters of each script in the text."""
    rules = rules or load_rules()
    return {name: len(pattern.findall(text)) for name, pattern in rules.scripts.items()}


def detect_language(text: str) -> str:
    """zh, zht, ja, ko, ru, ar/ur/fa, a Latin-script language (en, es, fr, de, pt, it, id), or mixed."""
    rules = load_rules()
    limit = rules.limits
    n = script_counts(text, rules)
    east = n["han"] + n["kana"]
    script, count = max(((s, n[s]) for s in rules.script_languages), key=lambda item: item[1])
    if count >= limit["min_script_letters"] and count > east and count * 2 > n["latin"]:
        language = rules.script_languages[script]
        return _arabic_language(text, rules) if language == "ar" else language
    if n["han"] < limit["han_few"] and n["latin"] > limit["latin_many"] and n["kana"] < limit["ja_min_kana"]:
        return latin_language(text, rules)
    if n["latin"] > n["han"] * limit["latin_over_han"]:
        latin = latin_language(text, rules)
        if n["han"] < limit["mixed_min_han"]:
            return latin
        if latin == "en":
            return "mixed"
    return _east_language(text, n, rules)


def _east_language(text: str, n: dict[str, int], rules: LanguageRules) -> str:
    """ja when kana come in quantity; else zht or zh by which characters OpenCC would convert."""
    limit = rules.limits
    if n["kana"] >= limit["ja_min_kana"] and n["kana"] >= limit["ja_min_kana_share"] * (n["han"] + n["kana"]):
        return "ja"
    han = "".join(rules.scripts["han"].findall(text))
    traditional = _changed(han, _converter("t2s"))
    simplified = _changed(han, _converter("s2t"))
    return "zht" if traditional > simplified else "zh"


def _changed(chars: str, converter) -> int:
    converted = converter.convert(chars)
    if len(converted) != len(chars):
        return sum(converter.convert(ch) != ch for ch in chars)
    return sum(a != b for a, b in zip(chars, converted))


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def _arabic_language(text: str, rules: LanguageRules) -> str:
    """Urdu by its own letters, Persian by its letters over Arabic's, else Arabic."""
    letters = rules.arabic_letters
    total = len(rules.scripts["arabic"].findall(text)) or 1
    count = {lang: sum(text.count(ch) for ch in chars) for lang, chars in letters.items()}
    if count["ur"] >= rules.limits["ur_min_share"] * total:
        return "ur"
    return "fa" if count["fa"] > count["ar"] else "ar"


def latin_language(text: str, rules: LanguageRules | None = None) -> str:
    """The Latin-script language whose function words the text uses most; English when none stands out."""
    rules = rules or load_rules()
    words = WORD.findall(text.lower())
    hits = {lang: sum(word in profile for word in words) for lang, profile in rules.stopwords.items()}
    best = max(hits, key=lambda lang: hits[lang])
    return best if hits[best] >= rules.limits["min_word_hits"] else "en"
