"""A release's files for people (CSV, Data Package, HTML report) and the site pages over all releases."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tasks.contract.catalogue import Catalogue, load_catalogue
from tasks.present.charts import main_charts
from tasks.present.datapackage import csv_bytes, release_tables
from tasks.publish.derive import IDENTITY_COLUMNS, derived_indicators
from tasks.present.display import (format_change, format_number, format_revision, format_value, plain_decimal,
                                   readable_numbers)
from tasks.present.key_figures import key_figures
from tasks.quality.gate import publishable_facts
from tasks.publish.reconcile import release_trust
from tasks.contract.schema import KEY, columns
from tasks.publish.vintages import latest_values

TEMPLATES = Path(__file__).with_name("templates")
FLAGGED = ("conflict", "repaired", "suspect", "unconfirmed")


@dataclass
class ReleaseBundle:
    """Everything a release's report needs; frames use the columns of tasks.contract.schema (identities: IDENTITY_COLUMNS)."""

    release_year: int
    published: pd.DataFrame                      # this release's published rows, derived rows included
    facts: pd.DataFrame                          # this release's facts (candidates behind conflicts and repairs)
    documents: pd.DataFrame                      # this release's documents
    identities: pd.DataFrame                     # tasks.publish.derive.identity_checks(...) of this release
    validations: list[dict] = field(default_factory=list)   # {suite, success, failures: [{expectation, ...}]}
    data_docs: list[str] = field(default_factory=list)      # relative to releases/<year>/: datadocs/index.html ...
    catalogue: Catalogue | None = None           # default: the packaged catalogue
    published_all: pd.DataFrame | None = None    # every release's published rows, for charts across releases
    revisions: pd.DataFrame | None = None        # tasks.publish.vintages.build_revisions(...) over all releases
    raw_records: list[dict] = field(default_factory=list)   # Warehouse.raw_records(): fetch times of the sources
    unattributed: pd.DataFrame | None = None     # figures this release's documents state but the batch left out


def render_release(bundle: ReleaseBundle) -> dict[str, bytes]:
    """Files for releases/<year>/: indicators.csv, dictionary.csv, identities.csv, documents.csv,
    datapackage.json and report.html."""
    catalogue = bundle.catalogue or load_catalogue()
    published = bundle.published[bundle.published["release_year"].astype(int) == int(bundle.release_year)]
    identities = bundle.identities if not bundle.identities.empty else pd.DataFrame(columns=IDENTITY_COLUMNS)
    documents = documents_with_trust(bundle.documents, bundle.facts, catalogue, int(bundle.release_year))
    files = release_tables(published, identities, documents, catalogue, bundle.raw_records)
    history = bundle.published_all if bundle.published_all is not None else published
    names = indicator_names(catalogue)
    passed_range = identities["identity"].str.startswith("range.") & identities["within_tolerance"].astype(bool)
    shown_checks = identities[~passed_range]
    own_counts = {"documents": len(bundle.documents), "facts": len(bundle.facts), "published": len(published),
                  "identities": len(identities)}
    context = {
        "year": int(bundle.release_year),
        "names": names,
        "documents": documents.to_dict("records"),
        "key_figures": key_figures(published, names, bundle.release_year, bundle.published_all),
        "charts": main_charts(latest_values(history), names),
        "flagged": flagged_rows(published, bundle.facts),
        "identities": shown_checks.sort_values(["within_tolerance", "identity"]).to_dict("records"),
        "range_checks": int(len(identities) - len(shown_checks)),
        "num": lambda value: format_number(value, 0 if abs(value) >= 1000 else 4),
        "validations": [validation_view(v, own_counts.get(v.get("suite"))) for v in bundle.validations],
        "data_docs": sorted(({"href": link, "label": data_docs_label(link)} for link in bundle.data_docs),
                            key=lambda link: (link["label"] != "Validation results", link["label"].endswith("suite"),
                                              link["label"])),
        "revised": revised_rows(bundle.revisions, bundle.release_year),
        "left_out": figures_left_out(bundle.unattributed, bundle.documents, bundle.release_year),
        "rows": table_rows(published, names),
        "catalogue_version": catalogue.version,
        "files": sorted(files),
    }
    files["report.html"] = render_template("report.html.j2", context)
    return files


def render_site(published_all: pd.DataFrame, revisions: pd.DataFrame | None = None,
                catalogue: Catalogue | None = None) -> dict[str, bytes]:
    """Files for releases/: index.html (every release, charts, restatements) and series.csv (wide)."""
    catalogue = catalogue or load_catalogue()
    names = indicator_names(catalogue)
    latest = latest_values(published_all)
    releases = []
    for year, rows in published_all.groupby("release_year", sort=True):
        statuses = rows["status"].value_counts().to_dict()
        releases.append({"year": int(year), "rows": len(rows), "statuses": dict(sorted(statuses.items())),
                         "periods": sorted({int(p) for p in rows["period_year"]})})
    restated = pd.DataFrame() if revisions is None or revisions.empty else \
        revisions[revisions["revision"].fillna(0) != 0]
    context = {"releases": releases[::-1], "charts": main_charts(latest, names), "names": names,
               "restated": restated.sort_values(["release_year", *KEY]).to_dict("records") if len(restated) else [],
               "fmt": format_value, "fmt_revision": format_revision}
    return {"index.html": render_template("index.html.j2", context), "series.csv": series_csv(latest, names)}


def series_csv(latest: pd.DataFrame, names: dict[str, str]) -> bytes:
    """Wide table: one row per indicator/region/measure, one column per period year (the latest vintage)."""
    if latest.empty:
        return csv_bytes(pd.DataFrame(columns=["indicator_id", "region", "measure", "unit", "en"]),
                         ["indicator_id", "region", "measure", "unit", "en"])
    frame = latest.assign(region=latest["region"].fillna("CN"), period_year=latest["period_year"].astype(int))
    wide = frame.pivot_table(index=["indicator_id", "region", "measure", "unit"], columns="period_year",
                             values="value", aggfunc="first").reset_index()
    wide.columns = [str(c) for c in wide.columns]
    wide.insert(4, "en", wide["indicator_id"].map(names).fillna(""))
    return csv_bytes(wide.sort_values(["indicator_id", "region", "measure"]), list(wide.columns))


def indicator_names(catalogue: Catalogue) -> dict[str, str]:
    """English name of every catalogue and derived id."""
    entries = {**catalogue.indicators, **derived_indicators(catalogue)}
    return {iid: indicator.en for iid, indicator in entries.items()}


def flagged_rows(published: pd.DataFrame, facts: pd.DataFrame) -> list[dict]:
    """Conflicts and repairs with the published quote and every candidate figure the documents state."""
    flagged = published[published["status"].isin(FLAGGED)].sort_values(KEY)
    facts = facts.assign(region=facts["region"].fillna("CN")) if len(facts) else facts
    by_key: dict[tuple, list[dict]] = {}        # one pass over the facts, not one filter of all of them per row
    if len(flagged) and len(facts):
        for f in facts.sort_values(["doc_id", "span_start"], kind="stable").to_dict("records"):
            by_key.setdefault((f["indicator_id"], f["region"], f["period_year"], f["measure"]), []).append(f)
    out = []
    for row in flagged.to_dict("records"):
        same = by_key.get((row["indicator_id"], row["region"] or "CN", row["period_year"], row["measure"]), [])
        candidates = [{"doc_id": f["doc_id"], "value": format_value(f["value"], f["unit"]), "text": f["text"]}
                      for f in same]
        out.append({**row, "shown": format_value(row["value"], row["unit"]), "candidates": candidates,
                    "note": readable_numbers(row["note"] or "")})
    return out


def revised_rows(revisions: pd.DataFrame | None, year: int) -> list[dict]:
    """Values of this release that revise an earlier vintage (quick report → bulletin, restatements)."""
    if revisions is None or revisions.empty:
        return []
    rows = revisions[(revisions["release_year"].astype(int) == int(year)) & revisions["previous_value"].notna()
                     & (revisions["revision"].fillna(0) != 0)]
    return [{**r, "shown": format_value(r["value"], r["unit"]), "before": format_value(r["previous_value"], r["unit"]),
             "change": format_revision(r["revision"], r["measure"], r["unit"])}
            for r in rows.sort_values(KEY).to_dict("records")]


def table_rows(published: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """Every published row with a readable value and the evidence that decided it, derived rows last."""
    ordered = published.assign(_d=published["status"] == "derived").sort_values(["_d", *KEY])
    return [{**r, "name": names.get(r["indicator_id"], r["indicator_id"]),
             "shown": format_value(r["value"], r["unit"], None if r["status"] == "derived" else r.get("resolution"))
             if r["measure"] == "level"
             else format_change(r["value"], r["measure"], r["unit"]),
             "value_plain": plain_decimal(r["value"]),
             "resolution_shown": "" if pd.isna(r.get("resolution")) else plain_decimal(r["resolution"]),
             "evidence_parts": [readable_numbers(p.strip()) for p in str(r.get("evidence") or "").split(" | ")
                                if p.strip()],
             "input_status": r.get("input_status") if isinstance(r.get("input_status"), str) else ""}
            for r in ordered[columns("published")].to_dict("records")]


def documents_with_trust(documents: pd.DataFrame, facts: pd.DataFrame, catalogue: Catalogue,
                         release_year: int) -> pd.DataFrame:
    """The release's documents with the trust reconciliation gave them (tasks/reconcile.release_trust) and why."""
    facts = facts if len(facts) else facts.reindex(columns=columns("facts"))
    trust = release_trust(release_year, publishable_facts(facts, documents), documents, catalogue)
    docs = documents.sort_values("doc_id").reset_index(drop=True)
    verdicts = [trust.get(doc_id) for doc_id in docs["doc_id"]]
    return docs.assign(trust=[None if v is None else round(v.score, 4) for v in verdicts],
                       trust_reasons=["" if v is None else readable_numbers("; ".join(v.reasons)) for v in verdicts],
                       trust_quarantined=[bool(v and v.quarantined) for v in verdicts])


def figures_left_out(unattributed: pd.DataFrame | None, documents: pd.DataFrame, year: int) -> dict:
    """Figures not attributed to an indicator, per document in text order, with counts per reason."""
    if unattributed is None or unattributed.empty:
        return {"documents": [], "reasons": [], "total": 0}
    rows = unattributed[unattributed["release_year"].astype(int) == int(year)].copy()
    rows["reason"] = rows["reason"].fillna("").replace("", "unsaid")
    titles = {d["doc_id"]: d.get("title") or "" for d in documents.to_dict("records")}
    per_doc = []
    for doc_id, group in rows.groupby("doc_id", sort=True):
        group = group.sort_values(["span_start", "span_end", "text"])
        per_doc.append({"doc_id": doc_id, "title": titles.get(doc_id, ""), "figures": [
            {"text": r["text"], "context": r["context"] or "", "reason": r["reason"], "unit_kind": r["unit_kind"] or "",
             "region": r["region"] or "", "span": f"{r['span_start']}–{r['span_end']}"}
            for r in group.to_dict("records")], "reasons": _reason_counts(group)})
    return {"documents": per_doc, "reasons": _reason_counts(rows), "total": int(len(rows))}


def _reason_counts(rows: pd.DataFrame) -> list[tuple[str, int]]:
    counts = rows["reason"].value_counts()
    return sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda item: (-item[1], item[0]))


def validation_view(result: dict, own_rows: int | None = None) -> dict:
    """A suite verdict as the report shows it: suite, success, the release's own rows (a suite over the run's whole
    batch checked more: `batch_rows`), failures with readable columns."""
    failures = []
    for failure in result.get("failures") or []:
        columns_ = failure.get("columns") or failure.get("column") or []
        failures.append({"expectation": failure.get("expectation", ""), "unexpected_count": failure.get(
            "unexpected_count", ""), "sample": readable_numbers(str(failure.get("sample") or "")), "exception": failure.get("exception", ""),
            "columns": ", ".join(columns_) if isinstance(columns_, list) else str(columns_)})
    return {"suite": result.get("suite", "?"), "success": bool(result.get("success")),
            "n_rows": own_rows if own_rows is not None else result.get("n_rows"),
            "batch_rows": result.get("n_rows") if own_rows is not None and result.get("n_rows") != own_rows else None,
            "failures": failures}


def data_docs_label(link: str) -> str:
    """Link text of a validation page: the release's results page, or the suite a page is about."""
    parts = link.split("/")
    if "validations" in parts[:-1]:
        return f"{parts[parts.index('validations') + 1]} validation"
    if "expectations" in parts[:-1]:
        return f"{parts[-1].removesuffix('.html')} suite"
    return "Validation results"


def render_template(name: str, context: dict) -> bytes:
    """A template rendered with autoescaping (source quotes are untrusted text)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return environment.get_template(name).render(**context).encode("utf-8")
