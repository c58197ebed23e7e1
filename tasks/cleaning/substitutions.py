"""Learn variant characters that no table lists, from figures that two documents of a batch state alike."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from tasks.cleaning.charfold import in_gb2312

RULES_PATH = Path(__file__).with_name("substitutions.yaml")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]")


@dataclass(frozen=True)
class SubstitutionRules:
    """Figure pattern, context width and vote threshold from substitutions.yaml."""

    figure: re.Pattern
    context: int
    min_suffix: int
    min_votes: int


@lru_cache(maxsize=1)
def load_rules() -> SubstitutionRules:
    """Read substitutions.yaml once."""
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    return SubstitutionRules(re.compile(data["figure"]), int(data["context"]), int(data["min_suffix"]),
                             int(data["min_votes"]))


def is_standard(ch: str) -> bool:
    """In cleaned (simplified) text a standard hanzi is a GB2312 one; any other hanzi is a suspect variant."""
    return in_gb2312(ch)


def learn_substitutions(clean_texts: list[str], rules: SubstitutionRules | None = None) -> dict[str, str]:
    """Rare hanzi → standard hanzi, where one exact figure is preceded by the same words but for that hanzi."""
    rules = rules or load_rules()
    contexts: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for doc, text in enumerate(clean_texts):
        for match in rules.figure.finditer(text):
            before = text[max(0, match.start() - rules.context):match.start()]
            if before:
                contexts[re.sub(r"\s+", "", match.group(0))].add((doc, before))
    votes: dict[str, Counter] = defaultdict(Counter)
    for figure, seen in contexts.items():
        pairs = {pair for a_doc, a in seen for b_doc, b in seen if a_doc != b_doc and a < b
                 for pair in [_first_difference(a, b, rules.min_suffix)] if pair}
        for rare, standard in pairs:
            votes[rare][standard] += 1
    learnt = {}
    for rare, counts in votes.items():
        (best, n), *rest = counts.most_common()
        if n >= rules.min_votes and not rest:
            learnt[rare] = best
    return learnt


def _first_difference(a: str, b: str, min_suffix: int) -> tuple[str, str] | None:
    """(rare, standard) when, read leftwards from the figure, the contexts agree and then first differ in a hanzi
    that is rare on one side and standard on the other."""
    same = 0
    while same < min(len(a), len(b)) and a[-1 - same] == b[-1 - same]:
        same += 1
    if same < min_suffix or same == min(len(a), len(b)):
        return None
    x, y = a[-1 - same], b[-1 - same]
    if not (CJK.match(x) and CJK.match(y)):
        return None
    if is_standard(x) and not is_standard(y):
        return y, x
    if is_standard(y) and not is_standard(x):
        return x, y
    return None


def apply_substitutions(text: str, substitutions: dict[str, str]) -> str:
    """The text with learnt substitutions applied one character for one (offsets survive)."""
    return "".join(substitutions.get(ch, ch) for ch in text) if substitutions else text
