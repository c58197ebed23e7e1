"""Fund metrics narrowed by the part of the fund they are about: '统筹基金收入' is the pooled fund's revenue."""
from __future__ import annotations

import re

from tasks.extraction.vocabulary import Token, Vocabulary

PART_BEFORE_GAP = 3     # '统筹基金收入', 'pooled fund revenue': the part stands right before its metric
PART_AFTER = re.compile(r"^\s*(?:of|for|in|from)\s+(?:the\s+|all\s+)?$", re.I)   # 'the balance of personal accounts'
CUT = re.compile(r"[,;，；。:：]")
DIGIT = re.compile(r"(?<!\d)(?!(?:19|20)\d{2}(?!\d))\d")   # a figure between, not a year ('closed 2031 with')
HANZI = re.compile(r"[\u4e00-\u9fff]")
TOPIC = re.compile(r"方面\s*[，,]")   # '统筹基金方面，…': the part the whole sentence is about


def compose_parts(tokens: list[Token], view: str, vocab: Vocabulary) -> list[Token]:
    """Fund metrics narrowed by the part of the fund they are about (pooled fund, personal accounts)."""
    out: list[Token] = []
    pending: Token | None = None       # a part waiting for its metric
    carried: str | None = None         # the part the sentence is about, for bare metrics after it
    topic = _topic_part(tokens, view)
    english = not HANZI.search(view)
    for i, tok in enumerate(tokens):
        if tok.kind == "part":
            pending = tok
            continue
        if tok.kind == "scheme":
            carried = None
            out.append(tok)
            continue
        if tok.kind != "metric":
            pending = None if tok.kind == "direct" else pending
            out.append(tok)
            continue
        part, start = _part_of(tokens, i, tok, pending, carried, topic, view, vocab, english)
        pending = None
        narrowed = vocab.parts[part].metrics.get(tok.key) if part else None
        if narrowed is None:
            carried = None if vocab.part_reset.search(view[tok.start:tok.end]) else carried
            out.append(tok)
            continue
        carried = part
        owner = vocab.parts[part].scheme
        out.append(Token(start, tok.end, "direct", f"{owner}.{narrowed}") if owner else
                   Token(start, tok.end, "metric", narrowed))
    return out


def _part_of(tokens: list[Token], i: int, tok: Token, pending: Token | None, carried: str | None,
             topic: str | None, view: str, vocab: Vocabulary, english: bool) -> tuple[str | None, int]:
    """The part that narrows metric `tok`, and where the narrowed token starts."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    own_head = bool(vocab.part_reset.search(view[tok.start:tok.end]))
    if pending is not None and tok.start - pending.end <= PART_BEFORE_GAP:
        return pending.key, pending.start
    if nxt is not None and nxt.kind == "part" and PART_AFTER.match(view[tok.end:nxt.start]):
        return nxt.key, tok.start
    if own_head:
        return None, tok.start
    if english:   # 'Expenditure of the employee … pooled fund', 'the pooled fund of … posted a current-year balance'
        near = [t for t in tokens if t.kind == "part" and _same_clause(view, t, tok)
                and not _metric_between(tokens, t, tok)]
        return (near[0].key if near else carried), tok.start
    if pending is not None and not DIGIT.search(view, pending.end, tok.start):
        return pending.key, tok.start             # '职工医保统筹基金收支相抵，当期结存…'
    after = _part_after_zh(tokens, i, view)
    if after:
        return after, tok.start                   # '当期结存方面，职工医保统筹基金为…'
    return (carried or topic), tok.start


def _part_after_zh(tokens: list[Token], i: int, view: str) -> str | None:
    """A part after the metric, with only schemes between and no figure: the metric is that part's."""
    for t in tokens[i + 1:]:
        if DIGIT.search(view, tokens[i].end, t.start):
            return None
        if t.kind == "part":
            return t.key
        if t.kind != "scheme":
            return None
    return None


def _topic_part(tokens: list[Token], view: str) -> str | None:
    """'统筹基金方面，…' / '统筹基金支出方面，…': the part a sentence's topic names."""
    topic = TOPIC.search(view)
    if not topic:
        return None
    parts = [t for t in tokens if t.kind == "part" and t.end <= topic.start()]
    return parts[-1].key if parts else None


def _same_clause(view: str, a: Token, b: Token) -> bool:
    lo, hi = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
    return not CUT.search(view, lo, hi) and not DIGIT.search(view, lo, hi)


def _metric_between(tokens: list[Token], a: Token, b: Token) -> bool:
    lo, hi = min(a.start, b.start), max(a.end, b.end)
    return any(t.kind in ("metric", "direct") and lo <= t.start and t.end <= hi and t is not b for t in tokens)


def narrow_after_figure(res, body: str, tokens: list[Token], vocab: Vocabulary, clause_cut: re.Pattern) -> None:
    """A metric read after the figure ('… went into the pooled fund', '… credited to personal accounts') is the
    part of the fund its clause names."""
    if not res.from_right or not res.target or res.target[0] != "metric":
        return
    m = res.mention
    cuts = [c.end() for c in clause_cut.finditer(body, 0, m.start)]
    after = clause_cut.search(body, m.end)
    lo, hi = (cuts[-1] if cuts else 0), (after.start() if after else len(body))
    for part in (t for t in tokens if t.kind == "part" and lo <= t.start < hi):
        narrowed = vocab.parts[part.key].metrics.get(res.target[1])
        if narrowed:
            owner = vocab.parts[part.key].scheme
            res.target = ("direct", f"{owner}.{narrowed}") if owner else ("metric", narrowed)
            return
