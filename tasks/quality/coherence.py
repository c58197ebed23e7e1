"""Plausibility of figures and of whole documents: word-salad spam pages must yield no facts."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from tasks.contract.catalogue import Catalogue
from tasks.extraction.numbers import find_numbers

GLUED = re.compile(r"[\u4e00-\u9fff]")

POWERS = (-3, -2, -1, 1, 2, 3)   # the unit errors a figure may carry: up to a thousandfold either way


def plausibility(indicator_id: str, measure: str, value: float, catalogue: Catalogue, years_back: int = 0) -> str:
    """'ok', 'rescalable' (in range after a power-of-ten fix: a unit error) or 'implausible'."""
    bounds = catalogue[indicator_id].bounds(measure)
    old = limits()["historical"]
    if bounds is not None and measure == "level" and years_back > old["after_years"] and bounds[0] > 0:
        bounds = (bounds[0] * old["low_factor"], bounds[1])
    if bounds is None or bounds[0] <= value <= bounds[1]:
        return "ok"
    if measure in ("level", "yoy_abs") and any(bounds[0] <= value * 10 ** k <= bounds[1] for k in POWERS):
        return "rescalable"
    return "implausible"


def screen_facts(facts: list[dict], catalogue: Catalogue) -> tuple[list[dict], int]:
    """Drop implausible figures (misattributed numbers); flag the ones a unit error explains."""
    kept, dropped = [], 0
    for fact in facts:
        verdict = plausibility(fact["indicator_id"], fact["measure"], fact["value"], catalogue, _back(fact))
        if verdict == "implausible":
            dropped += 1
            continue
        if verdict == "rescalable":
            fact["flags"] = [*fact["flags"], "unit_suspect"]
        kept.append(fact)
    return kept, dropped


@lru_cache(maxsize=1)
def limits() -> dict[str, float]:
    """The word-salad limits of coherence.yaml."""
    return yaml.safe_load(Path(__file__).with_name("coherence.yaml").read_text(encoding="utf-8"))


def coherence_problems(facts: list[dict], catalogue: Catalogue) -> list[str]:
    """Reasons to distrust a whole document (empty when it reads as a coherent report)."""
    lim = limits()
    if len(facts) < lim["min_facts"]:
        return []
    implausible = sum(plausibility(f["indicator_id"], f["measure"], f["value"], catalogue, _back(f)) == "implausible"
                      for f in facts)
    by_key: dict[tuple, set[float]] = {}
    for f in facts:
        by_key.setdefault((f["indicator_id"], f["period_year"], f["measure"]), set()).add(round(f["value"], 6))
    contradictions = sum(1 for values in by_key.values() if _contradict(values))
    problems = []
    if implausible >= lim["implausible_min"] and implausible / len(facts) >= lim["implausible_share"]:
        problems.append(f"incoherent: {implausible} of {len(facts)} figures outside plausible ranges (word salad?)")
    if contradictions >= lim["contradictions_min"] and contradictions / len(by_key) >= lim["contradictions_share"]:
        problems.append(f"incoherent: {contradictions} indicators stated with contradicting values (word salad?)")
    return problems


def glued_figures(text: str) -> list[str]:
    """Why a text reads as word salad before any figure is attributed (empty when it does not)."""
    lim = limits()
    decimals = [m for m in find_numbers(text) if "." in m.text]
    glued = [m for m in decimals if m.unit_kind == "bare" and not m.scaled and GLUED.match(text, m.end)]
    if len(glued) >= lim["glued_min"] and len(glued) / len(decimals) >= lim["glued_share"]:
        return [f"incoherent: {len(glued)} of {len(decimals)} decimal figures glued to words without a unit "
                f"(e.g. {text[glued[0].start:glued[0].end + 2]!r}; word salad?)"]
    return []


def _back(fact: dict) -> int:
    """Years between the figure's period and its release (0 when the release is not known)."""
    release = fact.get("release_year") or 0
    return max(0, int(release) - int(fact["period_year"])) if release else 0


def _contradict(values: set[float]) -> bool:
    ordered = sorted(abs(v) for v in values if v)
    if len(ordered) < 2:
        return False
    low, high = ordered[0], ordered[-1]
    ratio = high / low
    return ratio > limits()["contradiction_ratio"] and not any(abs(ratio - 10 ** k) / 10 ** k < 0.02 for k in (1, 2, 3))
