"""Facts of one release → one published row per key: one vintage, earned trust, agreement, then precision."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tasks.contract.catalogue import Catalogue
from tasks.extraction.numbers import format_number
from tasks.publish.repair import NATIONAL, prior_levels, repair_candidates
from tasks.contract.schema import KEY, columns
from tasks.publish.trust import DocTrust, document_trust, fact_resolution, figures_agree, source_of, trust_rules

VINTAGE_ORDER = ("final_bulletin", "quick_report", "monthly_release")   # final first; preliminary ones after
PRELIMINARY = VINTAGE_ORDER[1:]
APPROX_TOLERANCE = 0.05


@dataclass
class Candidate:
    """One fact as evidence for a published value."""

    doc_id: str
    value: float
    qualifier: str
    resolution: float
    kind: str
    source: str                 # independence: documents with identical bytes are one source
    trust: float                # the document's earned trust (tasks/publish/trust.py)
    original_language: bool     # Chinese text, not a translation
    damaged: bool               # digits may have been lost next to encoding damage
    text: str
    notes: list[str] = field(default_factory=list)
    repaired: bool = False
    suspect: bool = False

    @property
    def precision(self) -> tuple:
        """Exact before qualified, then the finest rounding; ties broken by value and document, never by order."""
        return (self.qualifier != "exact", self.resolution, -self.trust, self.value, self.doc_id)


def publish_release(release_year: int, facts: pd.DataFrame, documents: pd.DataFrame,
                    catalogue: Catalogue, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reconcile every fact of a release into the published table (`previous`: earlier releases' published rows,
    evidence for power-of-ten repairs)."""
    docs = documents[documents["status"] == "ok"].sort_values("doc_id").set_index("doc_id")
    usable = facts[(facts["release_year"] == release_year) & facts["doc_id"].isin(docs.index)]
    trust = release_trust(release_year, facts, documents, catalogue)
    usable = usable[~usable["doc_id"].map(lambda d: trust[d].quarantined)]
    candidates: dict[tuple, list[Candidate]] = {}
    doc_of = {doc_id: {**doc, "doc_id": doc_id} for doc_id, doc in docs.to_dict("index").items()}   # not .loc per fact
    for row in usable.itertuples(index=False):
        doc = doc_of[row.doc_id]
        region = row.region if isinstance(row.region, str) and row.region else NATIONAL
        key = (row.indicator_id, region, int(row.period_year), row.measure)
        candidates.setdefault(key, []).append(Candidate(
            doc_id=row.doc_id, value=float(row.value), qualifier=row.qualifier, resolution=fact_resolution(row),
            kind=row.kind if isinstance(row.kind, str) and row.kind else doc["kind"],
            source=source_of(doc), trust=trust[row.doc_id].score,
            original_language=doc["language"] in ("zh", "zht"), damaged="digits_maybe_lost" in (row.flags or ""),
            text=row.text))
    for cands in candidates.values():
        cands.sort(key=lambda c: (c.doc_id, c.value, c.text, c.qualifier))
    notes = repair_candidates(candidates, catalogue, agree, prior_levels(previous, release_year))
    rows = [_publish_key(key, cands, catalogue, release_year, trust)
            for key, cands in sorted(candidates.items()) if cands]
    for row in rows:
        if row and notes.get(_key(row)):
            row["note"] = " | ".join(filter(None, [row["note"], *notes[_key(row)]]))
    out = pd.DataFrame([r for r in rows if r], columns=columns("published"))
    return out.sort_values(KEY, kind="stable").reset_index(drop=True)


def release_trust(release_year: int, facts: pd.DataFrame, documents: pd.DataFrame,
                  catalogue: Catalogue) -> dict[str, DocTrust]:
    """The earned trust of each usable document of a release: the weights reconciliation uses, as people see them."""
    docs = documents[documents["status"] == "ok"].sort_values("doc_id")
    usable = facts[(facts["release_year"] == release_year) & facts["doc_id"].isin(set(docs["doc_id"]))]
    return document_trust(docs.reset_index(drop=True), usable, catalogue)


def _key(row: dict) -> tuple:
    return (row["indicator_id"], row["region"], row["period_year"], row["measure"])


def agree(a: Candidate, b: Candidate) -> bool:
    """Two figures state the same value within the rounding (and bounds) the texts imply."""
    return figures_agree(a.value, a.resolution, a.qualifier, b.value, b.resolution, b.qualifier, APPROX_TOLERANCE)


def _clusters(cands: list[Candidate]) -> list[list[Candidate]]:
    """Group candidates around the most precise ones they agree with."""
    clusters: list[list[Candidate]] = []
    for cand in sorted(cands, key=lambda c: c.precision):
        home = next((cl for cl in clusters if agree(cl[0], cand)), None)
        if home is None:
            clusters.append([cand])
        else:
            home.append(cand)
    return clusters


def _weight(cluster: list[Candidate]) -> float:
    """Trust behind a value: each independent source counts once, with its best document's trust."""
    best: dict[str, float] = {}
    for c in cluster:
        best[c.source] = max(best.get(c.source, 0.0), c.trust)
    return sum(best.values())


def _publish_key(key: tuple, cands: list[Candidate], catalogue: Catalogue, release_year: int,
                 trust: dict[str, DocTrust]) -> dict | None:
    indicator_id, region, period_year, measure = key
    vintage = next((v for v in VINTAGE_ORDER if any(c.kind == v for c in cands)), None)
    if vintage is None:
        return None
    pool = [c for c in cands if c.kind == vintage]
    notes: list[str] = []
    later = sorted({c.kind for c in cands} & set(VINTAGE_ORDER) - {vintage})
    if later:
        notes.append(f"{', '.join(later)} figures kept in revisions/, not mixed into this {vintage} row")
    intact = [c for c in pool if not c.damaged]
    if intact and len(intact) < len(pool):
        notes.append(f"{len(pool) - len(intact)} figure(s) next to encoding damage set aside")
        pool = intact
    rules = trust_rules()["reconcile"]
    clusters = sorted(_clusters(pool), key=lambda cl: (-_weight(cl), min(c.precision for c in cl)))
    chosen = clusters[0]
    trusted = [c for c in chosen if c.trust >= max(c.trust for c in chosen) * rules["precision_trust"]]
    best = min(trusted, key=lambda c: c.precision)    # exact beats rounded; the finest figure that agrees
    if best.qualifier != "exact":                     # a qualified figure never beats an exact one that agrees
        best = min(chosen, key=lambda c: c.precision)
    sources = sorted({c.source for c in chosen})
    docs = sorted({c.doc_id for c in chosen})
    status = "agreed" if len(sources) >= 2 else "single_source"
    if status == "single_source" and max(c.trust for c in chosen) < rules["low_trust"]:
        status = "unconfirmed"
        notes.append(f"one source of low trust ({max(c.trust for c in chosen):.2f}) states it")
    if len(clusters) > 1:
        others = "; ".join(f"{format_number(cl[0].value)} ({', '.join(sorted({c.doc_id for c in cl}))}, "
                           f"trust {_weight(cl):.2f})" for cl in clusters[1:])
        settled = _weight(chosen) >= _weight(clusters[1]) * (1 + rules["settle_margin"])
        status = "conflict" if settled else "unconfirmed"
        notes.append(f"other sources state {others}; " + ("chose the side with more earned trust" if settled else
                                                          "no rule settles the disagreement"))
    if any(c.suspect for c in chosen) or any(c.suspect for cl in clusters[1:] for c in cl if _ten_fold(c, best)):
        status = "suspect"
    elif best.repaired and status != "unconfirmed":
        status = "repaired" if status != "conflict" else status
    notes.extend(n for c in sorted(chosen, key=lambda c: c.doc_id) if c.repaired or c.suspect for n in c.notes)
    notes.extend(n for cl in clusters[1:] for c in cl if c.suspect for n in c.notes)
    if vintage in PRELIMINARY:
        status = status if status in ("suspect", "unconfirmed") else vintage
        notes.append(f"only the {vintage.replace('_', ' ')} states this figure so far")
    if vintage == "final_bulletin" and period_year < release_year:
        vintage = "restatement"  # a bulletin stating an earlier year's figure (ALFRED-style vintage)
    ind = catalogue[indicator_id]
    unit = "percent" if measure in ("yoy_pct", "yoy_pp") else ind.unit
    evidence = _evidence(vintage, chosen, clusters[1:], best, trust)
    return {"indicator_id": indicator_id, "region": region, "period_year": period_year, "measure": measure,
            "value": best.value, "unit": unit, "status": status, "n_sources": len(docs), "sources": ";".join(docs),
            "qualifier": best.qualifier, "vintage": vintage, "note": " | ".join(dict.fromkeys(notes)),
            "source_text": best.text, "resolution": best.resolution, "input_status": status,
            "evidence": evidence, "release_year": release_year}


def _ten_fold(a: Candidate, b: Candidate) -> bool:
    return a.value * b.value > 0 and any(abs(a.value * 10 ** k - b.value) <= max(a.resolution * 10 ** k, b.resolution)
                                         for k in (-3, -2, -1, 1, 2, 3))


def _evidence(vintage: str, chosen: list[Candidate], rest: list[list[Candidate]], best: Candidate,
              trust: dict[str, DocTrust]) -> str:
    """One line per published row saying what decided it."""
    side = ", ".join(f"{d} ({trust[d].score:.2f})" for d in sorted({c.doc_id for c in chosen}))
    parts = [f"vintage {vintage}", f"value from {best.doc_id} ({best.qualifier}, ±{best.resolution:g})",
             f"sources {side}"]
    for cl in rest:
        parts.append(f"outvoted {format_number(cl[0].value)}: " +
                     ", ".join(f"{d} ({trust[d].score:.2f})" for d in sorted({c.doc_id for c in cl})))
    repairs = [n for c in chosen if c.repaired or c.suspect for n in c.notes]
    if repairs:
        parts.append("repairs: " + "; ".join(dict.fromkeys(repairs)))
    return " | ".join(parts)
