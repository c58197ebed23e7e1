"""The words of a figure's clause that are not its metric: the scheme it is about, the words that make it another
quantity (shares, subsets, per-head), and the filler between two figures that lets the second inherit the first."""
from __future__ import annotations

import re

from tasks.extraction.numbers import NumberMention
from tasks.extraction.parts import compose_parts
from tasks.extraction.resolve import Resolved
from tasks.extraction.signatures import signature_concepts
from tasks.extraction.vocabulary import Token, Vocabulary
from tasks.extraction.wording import load_wording

FIGURE_OF = re.compile(r"\s*的")   # '4.02万亿元的…收入': the figure is the amount of what follows
PAREN = re.compile(r"\([^()]{0,60}\)|（[^（）]{0,60}）")


def strip_words(gap: str, vocab: Vocabulary) -> str:
    """The gap between two figures without change and qualifier words: what is left decides inheritance."""
    gap = vocab.up.sub("", vocab.down.sub("", gap))
    gap = re.sub(r"\b(?:in|for|of) (?:19|20)\d{2}\b|(?:19|20)\d{2}年", "", gap)
    gap = re.sub(r"比上年同期|比上年底|比上年|较上年同期|较上年|同比|分别|respectively|year-on-year|"
                 r"compared (?:to|with) the previous year|a |an |of |by |to |with |rate|about|approximately|"
                 r"为|达到|达|共|约|近|逾|超过|分别为", "", gap, flags=re.I)
    gap = re.sub(r"\b(?:RMB|CNY)|\byuan\b|[¥￥]|\byear on year\b", "", gap, flags=re.I)   # 'to RMB 641 billion'

    return gap


def change_of_previous(res: Resolved, body: str, prev_end: int, done: list[Resolved], vocab: Vocabulary) -> bool:
    """'…for employee scheme participants, up 0.3 percentage points', '…支付，较上年提高0.3%': a change standing
    alone in its clause right after a figure is that figure's change, whatever metric words the clause before holds."""
    if not done or not done[-1].target:
        return False
    gap = body[prev_end:res.mention.start]
    cut = max(gap.rfind(c) for c in ",，;；")
    tail = gap[cut + 1:]
    if cut < 0 or not (vocab.up.search(tail) or vocab.down.search(tail)) or strip_words(tail, vocab).strip():
        return False
    res.target, res.tier, res.skip, res.inherited = done[-1].target, done[-1].tier, done[-1].skip, True
    return True


def choose_scheme(res: Resolved, left: list[Token], right: list[Token], before: list[Token],
                   carried: str | None, english: bool) -> None:
    left_s = [t.key for t in _specific(left) if t.kind == "scheme"]
    first_metric = next((t.start for t in right if t.kind in ("metric", "direct")), None)
    right_s = [t.key for t in right if t.kind == "scheme"
               and (first_metric is None or t.start < first_metric or res.from_right)]
    before_s = [t.key for t in _specific(before) if t.kind == "scheme"]
    if right_s and (res.from_right or english and (res.inherited or not left_s)):
        # "another 1.02 billion by the plan for … residents": the scheme named after the figure, most specific first
        res.scheme = next((s for s in right_s if s != "bmi"), right_s[0])
    elif left_s:
        res.scheme = left_s[-1]
    elif before_s:
        res.scheme = before_s[-1]
    else:
        res.scheme = carried or "bmi"


def _specific(tokens: list[Token]) -> list[Token]:
    """'urban and rural resident basic medical insurance': a generic scheme word right after a specific one is
    that scheme's head noun, not another scheme."""
    out: list[Token] = []
    for tok in tokens:
        if tok.kind == "scheme" and tok.key == "bmi" and out and out[-1].kind == "scheme" \
                and out[-1].key != "bmi" and tok.start - out[-1].end <= 1:
            continue
        out.append(tok)
    return out


def blocked(body: str, prev_end: int, m: NumberMention, res: Resolved, vocab: Vocabulary,
             left: list[Token]) -> bool:
    """A share, a subset or a per-head figure between the metric and the number is not the metric."""
    gap = body[prev_end:m.start]
    own = [t for t in left if t.kind in ("metric", "direct")]
    if own:
        last = own[-1]
        gap = body[prev_end:last.start] + " " + body[last.end:m.start]
    if res.target and res.target[0] == "direct":   # 'the share of … used for mutual aid': the share names it
        named = signature_concepts(res.target[1], vocab)
        hits = [(a, b) for a, b, c in vocab.concept_hits(gap) if c in named]
        gap = "".join(" " if any(a <= i < b for a, b in hits) else ch for i, ch in enumerate(gap))
    exempt = load_wording().exempt.get(res.target[1]) if res.target else None
    gap = exempt.sub(" ", gap) if exempt else gap
    if vocab.blockers.search(PAREN.sub(" ", gap)) or part_of_topic(body, m, res, vocab):
        return True
    if m.unit_kind != "percent" and load_wording().part_words.search(body, prev_end, m.start):
        return True    # 'Government subsidies accounted for 760 billion yuan of the fund's revenue'
    starts = [body.rfind(c, 0, m.start) for c in ",，;；"]
    ends = [e for e in (body.find(c, m.end) for c in ",，;；") if e >= 0]
    clause = body[max(starts) + 1:min(ends) if ends else len(body)]
    return bool(vocab.sentence_blockers.search(clause))  # "99.9 percent of the poverty-stricken population"


def part_of_topic(body: str, m: NumberMention, res: Resolved, vocab: Vocabulary) -> bool:
    """A figure of the very metric its sentence's topic names as a total ('职工医保基金收入中，单位缴费收入…',
    'Of the employee fund's revenue, employer contributions …') is one part of that total."""
    if res.target is None:
        return False
    for topic in load_wording().subset_topics(body, m.start):
        view = PAREN.sub("", topic).rstrip()
        named = [t for t in compose_parts(vocab.scan(view), view, vocab) if t.kind in ("metric", "direct")]
        zh = not topic.isascii()
        if named and (not zh or named[-1].end >= len(view)) and res.target in {(t.kind, t.key) for t in named}:
            return True
    return False


def figure_first_zh(body: str, m: NumberMention, ahead: list[Token], far: list[Token], opens: bool,
                    vocab: Vocabulary) -> list[Token]:
    """A Chinese figure that stands before what it counts: '4.02万亿元的…总收入比上年增长4.2%' (the metric
    named last before the change words of its clause), '3.41万亿元，这是…的总支出' (a figure opening the sentence
    names the metric that follows it, up to the next figure)."""
    pool = far if opens else ahead
    if not (opens or FIGURE_OF.match(body, m.end)):
        return ahead[:1]
    change = [c.start() for c in (vocab.up.search(body, m.end), vocab.down.search(body, m.end)) if c]
    stop = min(change) if change else len(body)
    named = [t for t in pool if t.end <= stop]
    return named[-1:] if named else pool[:1]
