"""Power-of-ten repairs: a figure off by an exact power of ten (a unit error) is corrected from ranges and evidence."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from tasks.catalogue import Catalogue
from tasks.coherence import POWERS
from tasks.numbers import format_number

IDENTITY_TOLERANCE = 0.03   # growth rates are rounded to 0.1 %: implied changes carry a few per cent of slack


def repair_candidates(candidates: dict[tuple, list], catalogue: Catalogue, agree: Callable) -> dict[tuple, list[str]]:
    """Fix unit errors in place; drop figures that are out of range and cannot be explained. Returns notes per key."""
    notes: dict[tuple, list[str]] = {}
    for key, cands in candidates.items():
        if key[3] == "level":
            notes.setdefault(key, []).extend(_repair_levels(key, cands, catalogue, agree))
    for key, cands in candidates.items():
        if key[3] == "yoy_abs":
            _repair_changes(key, cands, candidates)
    return {k: v for k, v in notes.items() if v}


def _in_range(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _rescale(cand, power: int, why: str) -> None:
    before = cand.value
    cand.value = float(f"{cand.value * 10 ** power:.12g}")
    cand.resolution *= 10 ** power
    cand.repaired = True
    cand.notes.append(f"repaired: '{' '.join(cand.text.split())}' ({cand.doc_id}) reads as {format_number(before)}, "
                      f"off by 10^{-power} ({why}); corrected to {format_number(cand.value)}")


def _repair_levels(key: tuple, cands: list, catalogue: Catalogue, agree: Callable) -> list[str]:
    bounds = catalogue[key[0]].bounds("level")
    sound = [c for c in cands if _in_range(c.value, bounds)]
    dropped: list[str] = []
    for cand in list(cands):
        if _in_range(cand.value, bounds):
            continue
        options = [k for k in POWERS if _in_range(cand.value * 10 ** k, bounds)]
        fits = [k for k in options if any(agree(_scaled(cand, k), other) for other in sound)]
        if len(fits) == 1 or (not sound and len(options) == 1):
            power = fits[0] if fits else options[0]
            why = "agrees with other sources" if fits else "the only scale inside the plausible range"
            _rescale(cand, power, why)
        else:
            cands.remove(cand)
            dropped.append(f"dropped {' '.join(cand.text.split())!r} ({cand.doc_id}): outside the plausible range "
                           f"and no unambiguous unit correction")
    for cand in list(sound):
        others = [o for o in sound if o is not cand]
        if others and not any(agree(cand, o) for o in others):
            fits = [k for k in POWERS if _in_range(cand.value * 10 ** k, bounds)
                    and sum(agree(_scaled(cand, k), o) for o in others) >= max(1, len(others) // 2 + 1)]
            if len(fits) == 1:
                _rescale(cand, fits[0], "every other source states it ten-fold different")
    return dropped


def _scaled(cand, power: int):
    return replace(cand, value=cand.value * 10 ** power, resolution=cand.resolution * 10 ** power)


def _repair_changes(key: tuple, cands: list, candidates: dict[tuple, list]) -> None:
    """A stated change must fit the stated level and growth: level x g / (100 + g)."""
    ind, region, year, _ = key
    levels = candidates.get((ind, region, year, "level"), [])
    growths = candidates.get((ind, region, year, "yoy_pct"), [])
    if not levels or not growths:
        return
    level = min(levels, key=lambda c: (c.qualifier != "exact", c.resolution)).value
    growth = min(growths, key=lambda c: (c.qualifier != "exact", c.resolution)).value
    if growth <= -100:
        return
    expected = level * growth / (100 + growth)
    if not expected:
        return
    for cand in cands:
        if abs(cand.value - expected) <= abs(expected) * IDENTITY_TOLERANCE:
            continue
        fits = [k for k in POWERS if abs(cand.value * 10 ** k - expected) <= abs(expected) * IDENTITY_TOLERANCE]
        if len(fits) == 1:
            _rescale(cand, fits[0], f"level {format_number(level)} and growth {growth:g}% imply "
                                    f"{format_number(expected)}")
