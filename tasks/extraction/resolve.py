"""Per-figure reasoning: which measure, qualifier and unit a number has, and which items an enumeration lists."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks.extraction.numbers import NumberMention
from tasks.extraction.vocabulary import Token, Vocabulary, load_vocabulary
from tasks.extraction.wording import load_wording

# Indicator unit → the unit kinds of a level figure it accepts ("bare": no unit word, only in English or scaled).
LEVEL_UNITS = {
    "CNY": {"money"},
    "persons": {"persons", "bare"},
    "person_times": {"person_times", "bare"},
    "count": {"count", "bare"},
    "percent": {"percent"},
}
@dataclass
class Resolved:
    """What one number was found to state (None fields: not a fact)."""

    mention: NumberMention
    target: tuple[str, str] | None = None      # ("metric", key) or ("direct", indicator_id)
    scheme: str | None = None
    tier: str | None = None
    indicator_id: str | None = None
    skip: bool = False
    inherited: bool = False                    # the metric word was carried over from the figure before
    used_end: int = 0                          # end of the word a right-hand metric was read from
    from_right: bool = False                   # the metric word stands after the number (English)
    gap_start: int = 0                         # change words count from here (after the metric word)
    notes: list[str] = field(default_factory=list)
    segment: tuple[int, int] = (0, 0)          # the figure's own words (between clause cuts and its neighbours)
    masked: list[tuple[int, int]] = field(default_factory=list)  # concept words that named it: not change words


FROM_LEVEL = re.compile(r"^\s*(?:from|由|从)\s*$", re.I)
TO_LEVEL = re.compile(r"^\s*(?:到|至|为|to)\b", re.I)
CONNECTOR = re.compile(r"^\s*(?:、|和|及|与|以及|,|，|and|,\s*and|or)\s*$", re.I)
RESPECTIVELY = re.compile(r"^[^,.;。;]{0,20}?\brespectively\b|^\s*,?\s*respectively", re.I)


def unit_ok(mention: NumberMention, unit: str, measure: str, english: bool) -> bool:
    """Whether a figure's unit fits the indicator's unit for this measure."""
    kind = mention.unit_kind
    if measure == "yoy_pct":
        return kind == "percent"
    if measure == "yoy_pp":
        return kind in ("percent", "pp")
    allowed = LEVEL_UNITS[unit]
    if kind == "bare":
        if unit == "CNY":
            return mention.scaled  # "400亿" in a headline, "604.988 b" in a cut-off line
        return "bare" in allowed and (english or mention.scaled)
    return kind in allowed


def measure_of(left: str, right_head: str, mention: NumberMention, unit: str,
               vocab: Vocabulary) -> tuple[str, int] | None:
    """(measure, sign) from the change words around a figure; None when the figure is not usable."""
    change = _last_trigger(left, vocab)
    compared = load_wording().change_after(right_head)
    if change is None and compared:
        change = (compared, len(left))   # '6.2 million more than a year earlier'
    if change is None and vocab.after_change.match(right_head) and mention.unit_kind == "percent":
        change = ("up", len(left))
        after = vocab.after_change.match(right_head).group(0).lower()
        if any(w in after for w in ("decrease", "decline", "drop")):
            change = ("down", len(left))
    if change is not None and FROM_LEVEL.search(left[change[1]:]):
        return ("level_from", 1)   # 'increased from 134 million to 267 million': the level at the start
    if change is not None and TO_LEVEL.search(left[change[1]:]):
        change = None  # "提高到60%", "decreased to 11,707 RMB" state a level
    if change is None:
        if mention.unit_kind == "pp":
            return None
        return ("level", 1) if mention.unit_kind != "percent" or unit == "percent" else None
    sign = -1 if change[0] == "down" else 1
    if mention.unit_kind == "pp":
        return ("yoy_pp", sign) if unit == "percent" else None
    if mention.unit_kind == "percent":
        return ("yoy_pp", sign) if unit == "percent" else ("yoy_pct", sign)
    return ("yoy_abs", sign)


def _last_trigger(left: str, vocab: Vocabulary) -> tuple[str, int] | None:
    best: tuple[str, int] | None = None
    for direction, pattern in (("up", vocab.up), ("down", vocab.down)):
        for match in pattern.finditer(left):
            if best is None or match.end() > best[1]:
                best = (direction, match.end())
    return best


def qualifier_of(left: str, right: str, vocab: Vocabulary, heading: bool) -> str:
    """exact, approx, lower_bound or upper_bound, from the words around the figure."""
    tail = left[-14:]
    for name, pattern in vocab.quals_before.items():
        if pattern.search(tail):
            return name
    for name, pattern in vocab.quals_after.items():
        if pattern.match(right):
            return name
    return "approx" if heading else "exact"


def enumeration_items(clause: str, tokens: list[Token], count: int) -> list[dict] | None:
    """What each member of an enumeration ('三级、二级、一级…分别为', 'employee and resident … respectively') is.

    Returns one dict per member with 'tier', 'scheme' or 'metric' set; None when the clause lists no items;
    an empty list when it lists items that name nothing catalogued (the whole group is then skipped).
    """
    metrics = [t for t in tokens if t.kind in ("metric", "direct")]
    schemes = [t for t in tokens if t.kind == "scheme"]
    parts = [p for p in re.split(r"、|和(?!以)|及(?!以下)|\band\b|,", clause) if p.strip()]
    tiers = _distinct_runs([key for _, _, key in load_wording().tier_hits(clause)])
    if len(tiers) == count >= 2 and len(set(tiers)) == count:
        return [{"tier": tier} for tier in tiers]   # '三级、二级、一级及以下', 'tertiary, secondary and primary'
    order, implied = load_vocabulary().implied_tiers
    if not tiers and count == len(order) and implied.search(clause):
        return [{"tier": tier} for tier in order]   # '不同医疗机构的支付比例分别为…': the bulletins' own order
    if len(schemes) >= count and len(schemes) >= 2:
        last = schemes[-count:]
        if len({t.key for t in last}) == count and _adjacent(clause, last):
            return [{"scheme": t.key} for t in last]
    if len(metrics) >= count >= 2:
        last = metrics[-count:]
        if len({t.key for t in last}) == count and _adjacent(clause, last):
            return [{"metric": (t.kind, t.key)} for t in last]
    if len(parts) >= 2 and len(parts) == count:
        return []
    return None


def _distinct_runs(keys: list[str]) -> list[str]:
    """Keys in order with repeats next to each other merged ('二级…二级医院' is one item)."""
    return [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k]


def _adjacent(clause: str, toks: list[Token]) -> bool:
    """Listed items stand close together ('总收入、总支出', 'income and total expenditures')."""
    return all(b.start - a.end <= 12 for a, b in zip(toks, toks[1:]))


def apply_enumerations(body: str, numbers: list[NumberMention], out: list[Resolved], tokens: list[Token]) -> None:
    """'分别' / 'respectively': members of a listed group take the items listed before it, in order."""
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and CONNECTOR.match(body[numbers[j].end:numbers[j + 1].start]) \
                and numbers[j + 1].unit_kind == numbers[i].unit_kind:
            j += 1
        count = j - i + 1
        prev_end = numbers[i - 1].end if i else 0
        left = body[prev_end:numbers[i].start]
        zh_enum = "分别" in left
        en_enum = bool(RESPECTIVELY.match(body[numbers[j].end:]))
        if count >= 2 and (zh_enum or en_enum):
            clause_start = prev_end
            if zh_enum:
                cut = left.rfind("分别")
                clause_start = prev_end + max(left.rfind(c, 0, cut) for c in ",，;:：") + 1
                clause_end = prev_end + cut
            else:
                clause_end = numbers[i].start
            clause_tokens = [t for t in tokens if clause_start <= t.start and t.end <= clause_end]
            items = enumeration_items(body[clause_start:clause_end], clause_tokens, count)
            _assign(out[i:j + 1], items, out[:i])
        i = j + 1


def _assign(members: list[Resolved], items: list[dict] | None, earlier: list[Resolved]) -> None:
    for res in members[1:]:
        res.gap_start = members[0].gap_start
    if items is None:
        if len(earlier) < len(members):
            for res in members:
                res.skip = True
            return
        for res, src in zip(members, earlier[-len(members):]):
            res.target, res.scheme, res.tier = src.target, src.scheme, src.tier
            res.skip = res.skip or src.skip
        return
    if not items:
        for res in members:
            res.skip = True
        return
    base = members[0]
    for res, item in zip(members, items):
        res.target = item.get("metric", base.target)
        res.scheme = item.get("scheme", base.scheme)
        res.tier = item.get("tier")
        res.skip = False
