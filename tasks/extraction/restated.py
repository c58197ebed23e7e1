"""A figure restated in brackets right after it: the same amount in yuan, or the same figure more precisely."""
from __future__ import annotations

import re

from tasks.extraction.numbers import NumberMention

RESTATE_LEAD = re.compile(r"[\s即约合或]|CNY|RMB|¥|￥|or|i\.e\.,?|about|around", re.I)


def restated_in_brackets(body: str, found: list[NumberMention], asides: list[tuple[int, int]]) -> dict:
    """A figure restated in brackets right after it → the bracketed one: the yuan amount a foreign-currency
    figure was converted from ('$470b (CNY3.4t)'), or the same figure more precisely ('13.26亿人(即132637.83万人)')."""
    out = {}
    for m, nxt in zip(found, found[1:]):
        inside = next(((a, b) for a, b in asides if a <= nxt.start < b), None)
        if not inside or body[m.end:inside[0]].strip() or RESTATE_LEAD.sub("", body[inside[0] + 1:nxt.start]):
            continue
        if m.unit_kind == "foreign_money" and nxt.unit_kind == "money":
            out[m] = nxt
        elif m.unit_kind == nxt.unit_kind and nxt.resolution < m.resolution \
                and abs(m.value - nxt.value) <= m.resolution * 1.0001:
            out[m] = nxt
    return out
