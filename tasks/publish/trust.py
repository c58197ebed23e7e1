"""Trust of each document of a release, earned from what it is and how often its figures agree with others."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from tasks.contract.catalogue import Catalogue
from tasks.publish.formulas import load_derivations
from tasks.extraction.numbers import resolution_of

TRUST_PATH = Path(__file__).with_name("trust.yaml")
POWERS_OF_TEN = (1, 2, 3)


@dataclass(frozen=True)
class DocTrust:
    """A document's weight in reconciliation, with the reasons behind it."""

    doc_id: str
    score: float
    reasons: tuple[str, ...]
    quarantined: bool = False
    agrees: int = 0
    disagrees: int = 0


@lru_cache(maxsize=1)
def trust_rules() -> dict:
    """The weights of tasks/publish/trust.yaml."""
    return yaml.safe_load(TRUST_PATH.read_text(encoding="utf-8"))


def figures_agree(a: float, res_a: float, qual_a: str, b: float, res_b: float, qual_b: str,
                  approx_tolerance: float = 0.05) -> bool:
    """Two figures state the same value within the rounding (and bounds) the texts imply."""
    tol = max(res_a, res_b) * 1.0001
    for x, qx, y in ((a, qual_a, b), (b, qual_b, a)):
        if qx == "lower_bound" and y >= x - tol:
            return True
        if qx == "upper_bound" and y <= x + tol:
            return True
        if qx == "approx" and abs(x - y) <= max(tol, abs(x) * approx_tolerance):
            return True
    return abs(a - b) <= tol


def fact_resolution(row) -> float:
    """A fact's precision: the `resolution` column when the facts carry it, else the one definition from its text."""
    res = getattr(row, "resolution", None)
    if res is not None and not pd.isna(res) and math.isfinite(float(res)):
        return float(res)
    return resolution_of(str(row.text), float(row.value))


def source_of(doc: pd.Series | dict) -> str:
    """Independence: documents with the same bytes are one source."""
    return str(doc.get("sha256") or doc.get("doc_id"))


def document_trust(documents: pd.DataFrame, facts: pd.DataFrame,
                   catalogue: Catalogue | None = None) -> dict[str, DocTrust]:
    """Per document of a release: trust score in [0, 1], the reasons, and whether it is set aside."""
    rules = trust_rules()
    docs = {d["doc_id"]: d for d in documents.to_dict("records")}
    figures = _figures(facts, docs)
    checks = _consensus_checks(figures)
    identities = _identity_checks(figures, catalogue, rules["consensus"]["identity_gross"])
    return {doc_id: _score(doc, figures.get(doc_id, []), checks.get(doc_id, [0, 0, []]),
                           identities.get(doc_id, (0, 0, [])), rules) for doc_id, doc in sorted(docs.items())}


def _figures(facts: pd.DataFrame, docs: dict) -> dict[str, list[dict]]:
    by_doc: dict[str, list[dict]] = {}
    for row in facts.itertuples(index=False):
        if row.doc_id not in docs or pd.isna(row.value):
            continue
        region = row.region if isinstance(row.region, str) and row.region else "CN"
        by_doc.setdefault(row.doc_id, []).append({
            "key": (row.indicator_id, region, int(row.period_year), row.measure), "value": float(row.value),
            "resolution": fact_resolution(row), "qualifier": row.qualifier, "kind": row.kind,
            "damaged": "digits_maybe_lost" in str(row.flags or ""), "source": source_of(docs[row.doc_id])})
    return by_doc


def _consensus_checks(figures: dict[str, list[dict]]) -> dict[str, list]:
    """For every key where independent documents of one kind hold a majority value: who is in it, who is not."""
    by_key: dict[tuple, dict[str, list[dict]]] = {}
    for doc_id, items in figures.items():
        for f in items:
            by_key.setdefault((*f["key"], f["kind"]), {}).setdefault(doc_id, []).append(f)
    checks: dict[str, list] = {}
    for key, per_doc in sorted(by_key.items()):
        anchors = _anchors(per_doc)
        for doc_id, mine in sorted(per_doc.items()):
            anchor = anchors[mine[0]["source"]]
            if anchor is None:
                continue
            entry = checks.setdefault(doc_id, [0, 0, []])
            if any(_agree(m, anchor) for m in mine):
                entry[0] += 1
            elif not any(_ten_fold(m, anchor) for m in mine):
                entry[1] += 1
                entry[2].append(f"{key[0]} {key[2]} {key[3]}: {_best(mine)['value']:g} against the "
                                f"{anchor['value']:g} most other sources state")
    return checks


def _anchors(per_doc: dict[str, list[dict]]) -> dict[str, dict | None]:
    """Per source of one key: the figure a strict majority (and at least two) of the *other* sources state, the
    least precise first (None: fewer than two others, or no majority). Which sources back each figure is worked out
    once for the key, not again for every source left out."""
    by_source: dict[str, list[dict]] = {}
    for figs in per_doc.values():
        by_source.setdefault(figs[0]["source"], []).extend(figs)
    ordered = sorted((f for figs in by_source.values() for f in figs), key=lambda f: (f["resolution"], f["value"]))
    stating: dict[tuple, set[str]] = {}        # figures stated alike (value, resolution, qualifier) agree alike
    for f in ordered:
        stating.setdefault(_statement(f), set()).add(f["source"])
    statements = list(stating)
    backing_of = {a: set().union(*(stating[b] for b in statements if _agree(_as_figure(a), _as_figure(b))))
                  for a in statements}
    backers = [backing_of[_statement(f)] for f in ordered]
    others = len(by_source) - 1
    anchors: dict[str, dict | None] = {}
    for source in by_source:
        anchors[source] = None
        if others < 2:
            continue
        for f, backing in zip(ordered, backers):
            count = len(backing) - (source in backing)
            if f["source"] != source and 2 * count > others and count >= 2:
                anchors[source] = f
                break
    return anchors


def _statement(f: dict) -> tuple:
    return (f["value"], f["resolution"], f["qualifier"])


def _as_figure(statement: tuple) -> dict:
    return dict(zip(("value", "resolution", "qualifier"), statement))


def _best(items: list[dict]) -> dict:
    return min(items, key=lambda f: (f["damaged"], f["qualifier"] != "exact", f["resolution"], f["value"]))


def _agree(a: dict, b: dict) -> bool:
    return figures_agree(a["value"], a["resolution"], a["qualifier"], b["value"], b["resolution"], b["qualifier"])


def _ten_fold(a: dict, b: dict) -> bool:
    """A unit error (off by a power of ten) is damage, not a competing claim."""
    return a["value"] * b["value"] > 0 and any(
        figures_agree(a["value"] * 10 ** (s * k), a["resolution"] * 10 ** (s * k), a["qualifier"],
                      b["value"], b["resolution"], b["qualifier"]) for k in POWERS_OF_TEN for s in (1, -1))


def _identity_checks(figures: dict[str, list[dict]], catalogue: Catalogue | None, gross: float) -> dict[str, tuple]:
    """Equation identities (employee + resident = total ...) among the levels one document states: holding within
    rounding counts for it, missing by more than `gross` (relative) against it, anything between says nothing."""
    rules = load_derivations(catalogue)
    out: dict[str, tuple] = {}
    for doc_id, items in figures.items():
        levels: dict[tuple, dict] = {}
        for f in items:
            if f["key"][3] == "level" and f["qualifier"] == "exact" and not f["damaged"]:
                levels.setdefault((f["key"][1], f["key"][2]), {}).setdefault(f["key"][0], f)
        ok, bad, why = 0, 0, []
        for (region, period), table in sorted(levels.items()):
            for identity in rules.identities:
                if identity.kind != "equation" or not all(n in table for n in identity.inputs):
                    continue
                values = {n: table[n]["value"] for n in identity.inputs}
                residual = identity.lhs(values) - identity.rhs(values)
                tolerance = sum(table[n]["resolution"] for n in identity.inputs) * 1.0001
                scale = max(abs(identity.lhs(values)), abs(identity.rhs(values)))
                if abs(residual) <= tolerance:
                    ok += 1
                elif abs(residual) > gross * scale:
                    bad += 1
                    why.append(f"identity {identity.id} {period} off by {residual:g}")
        if ok or bad:
            out[doc_id] = (ok, bad, why)
    return out


def _score(doc: dict, items: list[dict], check: list, identity: tuple, rules: dict) -> DocTrust:
    reasons = []
    kind = rules["kind"].get(doc.get("kind"), rules["default_kind"])
    certainty = float(doc.get("kind_confidence") if doc.get("kind_confidence") is not None else 1.0)
    if certainty < rules["kind_guess"]["below"]:
        kind *= rules["kind_guess"]["factor"]
        reasons.append(f"its kind is a guess (confidence {certainty:.2f}) x{rules['kind_guess']['factor']:g}")
    lang = rules["language"].get(doc.get("language"), rules["default_language"])
    ref = rules["official_ref"]["named" if bool(doc.get("official_ref")) else "unnamed"]
    reasons.append(f"kind {doc.get('kind')} x{kind:g}, language {doc.get('language')} x{lang:g}"
                   + ("" if ref == 1 else f", names no official source x{ref:g}"))
    problems = [p for p in str(doc.get("problems") or "").split(";") if p.strip()]
    damaged = sum(f["damaged"] for f in items) / len(items) if items else 0.0
    damage = 1 - min(rules["damage"]["max_problems"], rules["damage"]["per_problem"] * len(problems)) \
        - rules["damage"]["damaged_share"] * damaged
    if damage < 1:
        reasons.append(f"damage x{damage:.2f} ({len(problems)} problem(s), {damaged:.0%} figures next to damage)")
    agrees, disagrees, why = check[0] + identity[0], check[1] + identity[1], [*check[2], *identity[2]]
    consensus, quarantined = 1.0, False
    total = agrees + disagrees
    if total >= rules["consensus"]["min_checks"]:
        share = disagrees / total
        consensus = 1 - rules["consensus"]["demote"] * share
        reasons.append(f"agrees with independent sources and identities in {agrees} of {total} checks")
        if share >= rules["consensus"]["quarantine_share"] and check[1] >= rules["consensus"]["min_checks"]:
            quarantined = True
            reasons.append("set aside: disagrees with the consensus in most places (" + "; ".join(why[:3]) + ")")
    score = round(max(0.0, kind * lang * ref * damage * consensus), 4)
    return DocTrust(str(doc["doc_id"]), score, tuple(reasons), quarantined, agrees, disagrees)
