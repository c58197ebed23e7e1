"""Facts of one release → one published row per key: vintage first, then trust, agreement and precision."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tasks.catalogue import Catalogue
from tasks.numbers import format_number, resolution_of
from tasks.repair import repair_candidates
from tasks.schema import KEY, columns

VINTAGE_ORDER = ("final_bulletin", "quick_report")
APPROX_TOLERANCE = 0.05


@dataclass
class Candidate:
    """One fact as evidence for a published value."""

    doc_id: str
    value: float
    qualifier: str
    resolution: float
    kind: str
    official: bool
    original_language: bool     # Chinese text, not a translation
    damaged: bool               # digits may have been lost next to encoding damage
    text: str
    notes: list[str] = field(default_factory=list)
    repaired: bool = False

    @property
    def trust(self) -> tuple[int, int]:
        """Whose precision we take inside a group that agrees: intact figures of documents citing the bulletin."""
        return (int(not self.damaged), int(self.official))

    @property
    def standing(self) -> tuple[int, int, int]:
        """Which side wins a conflict: intact, official, then the original Chinese over a translation."""
        return (*self.trust, int(self.original_language))


def publish_release(release_year: int, facts: pd.DataFrame, documents: pd.DataFrame,
                    catalogue: Catalogue) -> pd.DataFrame:
    """Reconcile every fact of a release into the published table."""
    docs = documents[documents["status"] == "ok"].set_index("doc_id")
    usable = facts[(facts["release_year"] == release_year) & facts["doc_id"].isin(docs.index)]
    candidates: dict[tuple, list[Candidate]] = {}
    for row in usable.itertuples(index=False):
        doc = docs.loc[row.doc_id]
        key = (row.indicator_id, row.region, int(row.period_year), row.measure)
        candidates.setdefault(key, []).append(Candidate(
            doc_id=row.doc_id, value=float(row.value), qualifier=row.qualifier,
            resolution=resolution_of(row.text, row.value), kind=row.kind, official=bool(doc["official_ref"]),
            original_language=doc["language"] in ("zh", "zht"), damaged="digits_maybe_lost" in (row.flags or ""),
            text=row.text))
    notes = repair_candidates(candidates, catalogue, agree)
    rows = [_publish_key(key, cands, catalogue, release_year) for key, cands in sorted(candidates.items()) if cands]
    for row in rows:
        if row and notes.get(_key(row)):
            row["note"] = " | ".join(filter(None, [row["note"], *notes[_key(row)]]))
    out = pd.DataFrame([r for r in rows if r], columns=columns("published"))
    return out.sort_values(KEY, kind="stable").reset_index(drop=True)


def _key(row: dict) -> tuple:
    return (row["indicator_id"], row["region"], row["period_year"], row["measure"])


def agree(a: Candidate, b: Candidate) -> bool:
    """Two figures state the same value within the rounding (and bounds) the texts imply."""
    tol = max(a.resolution, b.resolution) * 1.0001
    for x, y in ((a, b), (b, a)):
        if x.qualifier == "lower_bound" and y.value >= x.value - tol:
            return True
        if x.qualifier == "upper_bound" and y.value <= x.value + tol:
            return True
        if x.qualifier == "approx" and abs(x.value - y.value) <= max(tol, abs(x.value) * APPROX_TOLERANCE):
            return True
    return abs(a.value - b.value) <= tol


def _clusters(cands: list[Candidate]) -> list[list[Candidate]]:
    """Group candidates around the most precise ones they agree with."""
    ordered = sorted(cands, key=lambda c: (c.qualifier != "exact", c.resolution, c.doc_id))
    clusters: list[list[Candidate]] = []
    for cand in ordered:
        home = next((cl for cl in clusters if agree(cl[0], cand)), None)
        if home is None:
            clusters.append([cand])
        else:
            home.append(cand)
    return clusters


def _publish_key(key: tuple, cands: list[Candidate], catalogue: Catalogue, release_year: int) -> dict | None:
    indicator_id, region, period_year, measure = key
    vintage = next((v for v in VINTAGE_ORDER if any(c.kind == v for c in cands)), None)
    if vintage is None:
        return None
    pool = [c for c in cands if c.kind == vintage]
    intact = [c for c in pool if not c.damaged]
    notes: list[str] = []
    if intact and len(intact) < len(pool):
        notes.append(f"{len(pool) - len(intact)} figure(s) next to encoding damage set aside")
        pool = intact
    clusters = _clusters(pool)
    clusters.sort(key=lambda cl: (max(c.standing for c in cl), len({c.doc_id for c in cl}),
                                  -min(c.resolution for c in cl)), reverse=True)
    chosen = clusters[0]
    top = max(c.trust for c in chosen)
    best = min((c for c in chosen if c.trust == top),
               key=lambda c: (c.qualifier != "exact", c.resolution, c.doc_id))
    if best.qualifier != "exact":
        exact = [c for c in chosen if c.qualifier == "exact"]
        best = min(exact, key=lambda c: (c.resolution, c.doc_id)) if exact else best
    docs = sorted({c.doc_id for c in chosen})
    status = "single_source" if len(docs) == 1 else "agreed"
    if len(clusters) > 1:
        status = "conflict"
        others = "; ".join(f"{format_number(cl[0].value)} ({', '.join(sorted({c.doc_id for c in cl}))})"
                           for cl in clusters[1:])
        notes.append(f"other sources state {others}; chose the most trusted (official, original-language) source")
    if best.repaired:
        status = "repaired" if status != "conflict" else status
        notes.extend(best.notes)
    elif any(c.repaired for c in chosen):
        notes.extend(n for c in chosen if c.repaired for n in c.notes)
    if vintage == "quick_report":
        status = "quick_report"
        notes.append("only the quick report (统计快报) states this figure so far")
    if vintage == "final_bulletin" and period_year < release_year:
        vintage = "restatement"  # a bulletin stating an earlier year's figure (ALFRED-style vintage)
    ind = catalogue[indicator_id]
    unit = "percent" if measure in ("yoy_pct", "yoy_pp") else ind.unit
    return {"indicator_id": indicator_id, "region": region, "period_year": period_year, "measure": measure,
            "value": best.value, "unit": unit, "status": status, "n_sources": len(docs), "sources": ";".join(docs),
            "qualifier": best.qualifier, "vintage": vintage, "note": " | ".join(dict.fromkeys(notes)),
            "source_text": best.text, "release_year": release_year}
