"""Power-of-ten repairs: a figure off by an exact power of ten is corrected only on independent evidence."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import pandas as pd

from tasks.contract.catalogue import Catalogue
from tasks.quality.coherence import POWERS
from tasks.publish.formulas import load_derivations
from tasks.extraction.numbers import format_number
from tasks.publish.trust import figures_agree, trust_rules

IDENTITY_TOLERANCE = 0.03   # growth rates are rounded to 0.1 %: implied changes carry a few per cent of slack
NATIONAL = "CN"             # catalogue ranges are national: they never judge a provincial figure
WEAK = ("derived", "suspect", "unconfirmed")   # published rows too weak to back a repair of a later release


@dataclass(frozen=True)
class Prior:
    """A level an earlier release published: independent evidence of a figure's scale."""

    value: float
    resolution: float
    release_year: int


def prior_levels(previous: pd.DataFrame | None, release_year: int) -> dict[tuple, Prior]:
    """(indicator, region, period) -> the level the latest earlier release published for it (weak rows left out)."""
    if previous is None or previous.empty:
        return {}
    rows = previous[(previous["release_year"].astype(int) < int(release_year)) & (previous["measure"] == "level")
                    & ~previous["status"].isin(WEAK) & previous["value"].notna()]
    prior: dict[tuple, Prior] = {}
    for r in rows.sort_values(["release_year", "indicator_id", "region", "period_year"]).itertuples(index=False):
        res = float(r.resolution) if pd.notna(r.resolution) else 0.0
        region = r.region if isinstance(r.region, str) and r.region else NATIONAL
        prior[(r.indicator_id, region, int(r.period_year))] = Prior(float(r.value), res, int(r.release_year))
    return prior


def repair_candidates(candidates: dict[tuple, list], catalogue: Catalogue, agree: Callable,
                      prior: dict[tuple, Prior] | None = None) -> dict[tuple, list[str]]:
    """Fix unit errors in place (decided on the figures as stated, so input order never matters). Notes per key."""
    notes: dict[tuple, list[str]] = {}
    prior = prior or {}
    decisions = {key: _level_decisions(key, cands, candidates, catalogue, agree, prior)
                 for key, cands in sorted(candidates.items()) if key[3] == "level" and key[1] == NATIONAL}
    for key, (actions, dropped) in decisions.items():
        for cand, power, why, suspect in actions:
            _rescale(cand, power, why, suspect)
        for cand, why in dropped:
            candidates[key].remove(cand)
            notes.setdefault(key, []).append(why)
    for key, cands in sorted(candidates.items()):
        if key[3] == "yoy_abs":
            _repair_changes(key, cands, candidates)
    return notes


def _in_range(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _rescale(cand, power: int, why: str, suspect: bool = False) -> None:
    before = cand.value
    cand.value = float(f"{cand.value * 10 ** power:.12g}")
    cand.resolution *= 10 ** power
    cand.repaired = not suspect
    cand.suspect = suspect
    verb = "suspect" if suspect else "repaired"
    cand.notes.append(f"{verb}: '{' '.join(cand.text.split())}' ({cand.doc_id}) reads as {format_number(before)}, "
                      f"off by 10^{-power} ({why}); {'read as' if suspect else 'corrected to'} "
                      f"{format_number(cand.value)}")


def _scaled(cand, power: int):
    return replace(cand, value=cand.value * 10 ** power, resolution=cand.resolution * 10 ** power, notes=[])


def _sources_agreeing(cand, others: list, agree: Callable) -> set[str]:
    return {o.source for o in others if o.source != cand.source and agree(cand, o)}


def _level_decisions(key: tuple, cands: list, candidates: dict, catalogue: Catalogue, agree: Callable,
                     prior: dict[tuple, Prior]):
    """(rescales, drops) for one level key, computed before any figure changes."""
    bounds = catalogue[key[0]].bounds("level")
    sound = [c for c in cands if _in_range(c.value, bounds)]
    actions, dropped = [], []
    for cand in cands:
        if _in_range(cand.value, bounds):
            continue
        options = [k for k in POWERS if _in_range(cand.value * 10 ** k, bounds)]
        backed = {k: _evidence(key, _scaled(cand, k), sound, candidates, catalogue, agree, prior) for k in options}
        backed = {k: why for k, why in backed.items() if why}
        if len(backed) == 1:
            (power, why), = backed.items()
            actions.append((cand, power, why, False))
        elif not sound and len(options) == 1:
            actions.append((cand, options[0], "only the plausible range suggests it; no independent evidence", True))
        else:
            dropped.append((cand, f"dropped {' '.join(cand.text.split())!r} ({cand.doc_id}): outside the plausible "
                                  f"range and no unit correction backed by evidence"))
    for cand in sound:
        others = [o for o in sound if o.source != cand.source]
        if not others or any(agree(cand, o) for o in others):
            continue
        fits = [k for k in POWERS if _in_range(cand.value * 10 ** k, bounds)
                and any(agree(_scaled(cand, k), o) for o in others)]
        if len(fits) != 1:
            continue
        mine = _support(key, cand, sound, candidates, catalogue, agree, prior)
        theirs = _support(key, _scaled(cand, fits[0]), sound, candidates, catalogue, agree, prior, own=False)
        if len(theirs) > len(mine):
            actions.append((cand, fits[0], "; ".join(theirs), False))
        elif len(theirs) == len(mine):
            cand.suspect = True
            cand.notes.append(f"suspect: '{' '.join(cand.text.split())}' ({cand.doc_id}) and another source differ "
                              f"by exactly 10^{abs(fits[0])}; no independent evidence settles the scale")
    return actions, dropped


def _support(key, cand, sound: list, candidates: dict, catalogue: Catalogue, agree: Callable,
             prior: dict[tuple, Prior], own: bool = True) -> list[str]:
    """Independent evidence that a level is right: its own source (as stated), others that agree, identities,
    the previous release."""
    sources = sorted(_sources_agreeing(cand, sound, agree) | ({cand.source} if own else set()))
    return [f"source {s[:8]}" for s in sources] + _identities(key, cand, candidates, catalogue, prior)


def _evidence(key, cand, sound: list, candidates: dict, catalogue: Catalogue, agree: Callable,
              prior: dict[tuple, Prior]) -> str:
    """Why a rescaled figure is right, or '' when nothing independent says so."""
    why = []
    agreeing = sorted(_sources_agreeing(cand, sound, agree))
    if agreeing:
        why.append(f"agrees with {len(agreeing)} other source(s)")
    elif any(o.source == cand.source and o.text != cand.text and agree(cand, o) for o in sound):
        why.append("agrees with another figure the same document states for it")
    why.extend(_identities(key, cand, candidates, catalogue, prior))
    return "; ".join(why)


def _settled(cands: list):
    """The value of a key when all its figures agree in scale (the most precise), else None."""
    if not cands:
        return None
    best = min(cands, key=lambda c: (c.qualifier != "exact", c.resolution, c.value))
    if all(abs(c.value - best.value) <= max(c.resolution, best.resolution, abs(best.value) * 0.02) for c in cands):
        return best
    return None


def _identities(key: tuple, cand, candidates: dict, catalogue: Catalogue, prior: dict[tuple, Prior]) -> list[str]:
    """Identities the figure satisfies with the settled figures of other keys of its region and year, and what
    earlier releases published."""
    iid, region, year, _ = key
    held = []
    for identity in load_derivations(catalogue).identities:
        if identity.kind != "equation" or iid not in identity.inputs:
            continue
        others = {n: _settled(candidates.get((n, region, year, "level"), [])) for n in identity.inputs if n != iid}
        if any(o is None for o in others.values()):
            continue
        values = {**{n: o.value for n, o in others.items()}, iid: cand.value}
        tolerance = sum(o.resolution for o in others.values()) + cand.resolution
        if abs(identity.lhs(values) - identity.rhs(values)) <= tolerance * 1.0001:
            held.append(f"identity {identity.id} holds")
    growth = _settled(candidates.get((iid, region, year, "yoy_pct"), []))
    previous = _settled(candidates.get((iid, region, year - 1, "level"), []))
    if growth is not None and previous is not None and previous.value:
        implied = previous.value * (1 + growth.value / 100)
        if abs(cand.value - implied) <= abs(implied) * IDENTITY_TOLERANCE:
            held.append(f"previous level {format_number(previous.value)} x growth {growth.value:g}% fits")
    return held + _previous_release(key, cand, growth, prior, use_last=previous is None)


def _previous_release(key: tuple, cand, growth, prior: dict[tuple, Prior], use_last: bool) -> list[str]:
    """What earlier releases published: the same figure (restated within a revision), or last year's level that
    the stated growth (else a year's plausible change) carries to this figure."""
    iid, region, year, _ = key
    rules = trust_rules()["repair"]
    same, last = prior.get((iid, region, year)), prior.get((iid, region, year - 1))
    if same is not None and (figures_agree(cand.value, cand.resolution, cand.qualifier, same.value, same.resolution,
                                           "exact") or
                             abs(cand.value - same.value) <= abs(same.value) * rules["restated_tolerance"]):
        return [f"release {same.release_year} published {format_number(same.value)} for {year}"]
    if not use_last or last is None or not last.value or cand.value * last.value <= 0:
        return []
    if growth is not None:
        implied = last.value * (1 + growth.value / 100)
        if abs(cand.value - implied) <= abs(implied) * IDENTITY_TOLERANCE:
            return [f"level {format_number(last.value)} of {year - 1} (release {last.release_year}) "
                    f"x growth {growth.value:g}% fits"]
        return []
    ratio = cand.value / last.value
    if 1 / rules["annual_ratio"] <= ratio <= rules["annual_ratio"]:
        return [f"within {rules['annual_ratio']:g}x of the level {format_number(last.value)} release "
                f"{last.release_year} published for {year - 1}"]
    return []


def _repair_changes(key: tuple, cands: list, candidates: dict[tuple, list]) -> None:
    """A stated change must fit the stated level and growth: level x g / (100 + g)."""
    ind, region, year, _ = key
    levels = candidates.get((ind, region, year, "level"), [])
    growths = candidates.get((ind, region, year, "yoy_pct"), [])
    if not levels or not growths:
        return
    level = min(levels, key=lambda c: (c.qualifier != "exact", c.resolution, c.value)).value
    growth = min(growths, key=lambda c: (c.qualifier != "exact", c.resolution, c.value)).value
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
