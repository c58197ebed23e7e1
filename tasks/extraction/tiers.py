"""Hospital tiers of a tiered figure (payment ratios by 三级/二级/一级 institution) named outside a '分别' list."""
from __future__ import annotations

from tasks.extraction.resolve import Resolved
from tasks.extraction.wording import load_wording


def assign_tier(res: Resolved, body: str, prev_end: int, clause_end: int, english: bool) -> None:
    """A tier word before the figure ('三级医疗机构…84.3%') or, in English, in its clause after it ('… at
    second-tier institutions') names the tier of a tiered metric; a '分别' list overrides this later."""
    wording = load_wording()
    if not res.target or res.target[0] != "metric" or res.target[1] not in wording.tiered_metrics:
        return
    m = res.mention
    left = wording.tier_hits(body, prev_end, m.start)
    if left:
        res.tier = left[-1][2]
        return
    if english and not res.inherited:
        right = wording.tier_hits(body, m.end, clause_end)
        res.tier = right[0][2] if right else res.tier
