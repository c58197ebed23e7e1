"""Fund metrics narrowed by the part of the fund they are about: '统筹基金收入' is the pooled fund's revenue."""
from __future__ import annotations

import re

from tasks.vocabulary import Token, Vocabulary

PART_BEFORE_GAP = 3     # '统筹基金收入', 'pooled fund revenue': the part stands right before its metric
PART_AFTER = re.compile(r"^\s*(?:of|for|in|from)\s+(?:the\s+|all\s+)?$", re.I)   # 'the balance of personal accounts'


def compose_parts(tokens: list[Token], view: str, vocab: Vocabulary) -> list[Token]:
    """Fund metrics narrowed by the part of the fund they are about (pooled fund, personal accounts)."""
    out: list[Token] = []
    pending: Token | None = None       # a part waiting for its metric
    carried: str | None = None         # the part the sentence is about, for bare metrics after it
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
        part, start = None, tok.start
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if pending is not None and tok.start - pending.end <= PART_BEFORE_GAP:
            part, start = pending.key, pending.start
        elif nxt is not None and nxt.kind == "part" and PART_AFTER.match(view[tok.end:nxt.start]):
            part = nxt.key
        elif carried and not vocab.part_reset.search(view[tok.start:tok.end]):
            part = carried
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
