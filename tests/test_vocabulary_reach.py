"""Every alias in vocabulary.yaml can match: a text made of the alias alone is read as that alias's own token,
so no shorter or lookbehind-laden alias shadows it (e.g. '(?<!住院)异地就医' once hid '异地就医费用')."""
import re

import pytest
import yaml

from conftest import REPO
from hypothesis import HealthCheck, given, settings, strategies as st

from tasks.extraction.vocabulary import VOCABULARY_PATH, _lang, load_vocabulary

NEGATIVE = re.compile(r"\(\?<?!(?:[^()]|\([^()]*\))*\)")
POS_BEHIND = re.compile(r"\(\?<=(?:[^()]|\([^()]*\))*\)")
POS_AHEAD = re.compile(r"\(\?=")


def aliases() -> list[tuple[str, str, str]]:
    """(kind, key, alias) of every scanned word family."""
    data = yaml.safe_load(VOCABULARY_PATH.read_text(encoding="utf-8"))
    out = []
    for section, kind in (("schemes", "scheme"), ("metrics", "metric"), ("direct", "direct"), ("parts", "part")):
        for key, entry in data[section].items():
            for word in _lang(entry):
                out.append(("ignore" if key == "ignore" else kind, key, word))
    for key, entry in data["concepts"].items():
        for word in _lang(entry):
            out.append(("concept", key, word))
    return out


def example_pattern(alias: str) -> str:
    """The alias as a pattern for generating text: negative lookarounds and lookbehinds dropped, lookaheads
    turned into text that follows."""
    pattern = NEGATIVE.sub("", alias).replace("(?<=", "(?:")     # a required left context is written out
    return POS_AHEAD.sub("(?:", pattern).replace(r"\b", "")


ALIASES = aliases()
ALPHABET = st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"])


def test_every_word_family_is_covered():
    kinds = {k for k, _, _ in ALIASES}
    assert {"scheme", "metric", "direct", "part", "concept", "ignore"} <= kinds
    assert len(ALIASES) > 300


@pytest.mark.parametrize("kind,key,alias", ALIASES, ids=[f"{k}:{key}:{i}" for i, (k, key, _) in enumerate(ALIASES)])
def test_alias_reads_as_itself(kind, key, alias):
    pattern = example_pattern(alias)

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.from_regex(re.compile(pattern), fullmatch=True, alphabet=ALPHABET).map(lambda s: re.sub(r"\s+", " ", s)))
    def check(text):
        vocab = load_vocabulary()
        found = vocab.concept_hits(text + "。") if kind == "concept" else vocab.scan(text + "。")
        lead = 0 if not POS_BEHIND.search(alias) else None       # the alias proper starts after its left context
        at_start = [hit for hit in found if lead is None or (hit[0] if kind == "concept" else hit.start) == lead]
        keys = {(h[2] if kind == "concept" else (h.kind, h.key)) for h in at_start}
        want = key if kind == "concept" else (kind, key)
        assert want in keys or _equally_long_rival(text, found, kind), (alias, text, found)

    check()


def _equally_long_rival(text: str, found, kind: str) -> bool:
    """Two families may share a word (e.g. '基金' is a concept and part of a part); a rival token that covers
    the whole example is a shared word, not shadowing."""
    return any((h[1] if kind == "concept" else h.end) >= len(text) for h in found
               if (h[0] if kind == "concept" else h.start) == 0)


def test_cross_region_expenses_are_not_shadowed_by_visits():
    tokens = load_vocabulary().scan("异地就医费用1663亿元")
    assert (tokens[0].kind, tokens[0].key) == ("metric", "cross_region.expenses")


class _UniqueKeys(yaml.SafeLoader):
    """A loader that refuses a key written twice in one mapping (PyYAML would keep the last one silently)."""


def _no_duplicates(loader, node, deep=False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    doubled = sorted({str(k) for k in keys if keys.count(k) > 1})
    assert not doubled, f"line {node.start_mark.line + 1}: keys written twice: {doubled}"
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


@pytest.mark.parametrize("path", sorted((REPO / "tasks").rglob("*.yaml")), ids=lambda p: p.name)
def test_data_files_write_each_key_once(path):
    yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeys)
