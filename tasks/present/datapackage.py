"""CSV files and a Frictionless Data Package per release, so analysts open a release in tools they already use."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math

import pandas as pd

from tasks.contract.catalogue import Catalogue
from tasks.publish.derive import IDENTITY_COLUMNS, derived_indicators
from tasks.contract.schema import KEY, columns
from tasks.present.display import neutralise
from tasks.present.spreadsheet import SPREADSHEET_COLUMNS, spreadsheet_bytes

# (frictionless type, description) of every column a release file carries.
FIELDS: dict[str, tuple[str, str]] = {
    "indicator_id": ("string", "catalogue indicator id, or a derived id (prefix 'derived.'); see dictionary.csv"),
    "region": ("string", "CN for national figures (documents: whose document it is); a GB/T 2260 code (e.g. "
                         "440000) for a province, city or county; local:<name> where no code is known"),
    "period_year": ("integer", "the year the figure describes"),
    "measure": ("string", "level, yoy_pct (growth in %), yoy_abs (change in the unit) or yoy_pp (change in points)"),
    "value": ("number", "the figure in the unit of column 'unit' (CNY in yuan, not 亿元)"),
    "unit": ("string", "canonical unit: CNY, persons, person_times, percent or count"),
    "status": ("string", "figures: agreed, single_source, conflict, repaired, suspect, unconfirmed, quick_report, "
                         "monthly_release or derived; "
                         "documents: ok or quarantined"),
    "n_sources": ("integer", "number of documents (or, for derived rows, of input figures) behind the value"),
    "sources": ("string", "';'-joined doc_ids stating the value; for derived rows the input keys id@period:measure"),
    "qualifier": ("string", "exact, approx, lower_bound or upper_bound"),
    "vintage": ("string", "final_bulletin, quick_report, monthly_release, restatement (a later release states it) "
                          "or derived"),
    "note": ("string", "why: repairs, conflicts, rejected candidates; for derived rows the formula and its tolerance"),
    "source_text": ("string", "the figure as quoted from the source; for derived rows the formula with its inputs"),
    "release_year": ("integer", "edition of the statistical bulletin (release 2024 is published in 2025)"),
    "resolution": ("number", "half a unit of the last significant digit of the chosen figure, in the unit; for "
                             "derived rows the tolerance propagated from the inputs' resolutions"),
    "input_status": ("string", "the row's status; for derived rows the weakest status among their inputs"),
    "evidence": ("string", "what decided the row: vintage, sources with trust weights, out-voted values, repairs"),
    "identity": ("string", "id of the identity in tasks/publish/derivations.yaml (change.* and range.* are generic checks)"),
    "formula": ("string", "the identity as a formula"),
    "lhs": ("number", "left-hand side, in the indicator's unit"),
    "rhs": ("number", "right-hand side, in the indicator's unit"),
    "residual": ("number", "lhs - rhs"),
    "tolerance": ("number", "largest residual the rounding of the inputs explains"),
    "within_tolerance": ("boolean", "true when |residual| <= tolerance"),
    "inputs": ("string", "';'-joined input keys id@period:measure"),
    "kind": ("string", "catalogue or derived (dictionary); document kind (documents): final_bulletin, "
                       "quick_report, monthly_release, partial_year, unrelated, not_read or unknown"),
    "kind_evidence": ("string", "'; '-joined signals scored for the kind: what the text says of itself, its "
                                "dates against the release calendar, figure groups (tasks/ingest/kinds.py)"),
    "kind_confidence": ("number", "0..1, the margin of the chosen kind over the runner-up"),
    "trust": ("number", "earned trust in [0, 1] that reconciliation gave the document (tasks/publish/trust.py); empty "
                        "for documents it did not use"),
    "trust_reasons": ("string", "'; '-joined reasons behind the trust: kind, language, damage, agreement with "
                                "independent documents and identities, set aside"),
    "en": ("string", "English name"),
    "name_en": ("string", "English name of the indicator (catalogue)"),
    "name_zh": ("string", "Chinese name of the indicator (catalogue)"),
    "value_bulletin_unit": ("number", "the value in the unit the bulletin writes it in (column 'bulletin_unit')"),
    "bulletin_unit": ("string", "unit of 'value_bulletin_unit': 亿元, 万人, 万人次, % or 个百分点 (a change in points)"),
    "zh": ("string", "Chinese name"),
    "definition": ("string", "formula of a derived indicator, or the catalogue's note"),
    "doc_id": ("string", "sha256[:16] of the raw document bytes"),
    "source_uri": ("string", "path or URL the document came from"),
    "sha256": ("string", "sha256 of the raw document bytes"),
    "title": ("string", "document title"),
    "language": ("string", "zh, zht, en, ja or mixed (read); another code (ko, ru, ...) for a page not read"),
    "published_date": ("string", "publication date of the document, where known"),
    "fetched_at": ("string", "when the pipeline fetched the document (UTC, ISO 8601), where known"),
}
SPREADSHEET = "indicators_spreadsheet.csv"
DICTIONARY_COLUMNS = ["indicator_id", "kind", "unit", "en", "zh", "definition"]
DOCUMENT_COLUMNS = ["doc_id", "source_uri", "sha256", "kind", "kind_evidence", "kind_confidence", "title",
                    "language", "region", "status", "published_date", "trust", "trust_reasons", "fetched_at",
                    "release_year"]


def csv_bytes(frame: pd.DataFrame, names: list[str]) -> bytes:
    """UTF-8 CSV of the given columns, numbers written so that they read back exactly and nulls as empty cells;
    text cells a spreadsheet would run as a formula (=HYPERLINK(…), +…, -…, @…) are prefixed with ' (OWASP)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in frame[names].itertuples(index=False):
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def dictionary_frame(catalogue: Catalogue) -> pd.DataFrame:
    """Every indicator id a release may use: catalogue ids and derived ids, with unit and names."""
    rows = [{"indicator_id": i.id, "kind": "catalogue", "unit": i.unit, "en": i.en, "zh": i.zh, "definition": i.note}
            for i in catalogue.indicators.values()]
    rows += [{"indicator_id": i.id, "kind": "derived", "unit": i.unit, "en": i.en, "zh": i.zh, "definition": i.note}
             for i in derived_indicators(catalogue).values()]
    return pd.DataFrame(rows, columns=DICTIONARY_COLUMNS).sort_values("indicator_id").reset_index(drop=True)


def documents_frame(documents: pd.DataFrame, raw_records: list[dict] | None = None) -> pd.DataFrame:
    """The release's documents with provenance (publication date when known, fetch time from the raw store)."""
    docs = documents.copy()
    fetched = {r.get("sha256"): r.get("fetched_at") for r in raw_records or []}
    docs["fetched_at"] = docs["sha256"].map(fetched)
    for name in DOCUMENT_COLUMNS:            # frames without trust (or older documents) leave the cells empty
        if name not in docs:
            docs[name] = None
    return docs[DOCUMENT_COLUMNS].sort_values("doc_id").reset_index(drop=True)


def release_tables(published: pd.DataFrame, identities: pd.DataFrame, documents: pd.DataFrame,
                   catalogue: Catalogue, raw_records: list[dict] | None = None) -> dict[str, bytes]:
    """The CSV files of a release plus datapackage.json describing them."""
    docs = documents_frame(documents, raw_records)
    resources = [
        ("indicators", "indicators.csv", published.sort_values([*KEY]), columns("published"), KEY,
         "reconciled and derived figures of the release, one row per indicator, region, period year and measure"),
        ("dictionary", "dictionary.csv", dictionary_frame(catalogue), DICTIONARY_COLUMNS, ["indicator_id"],
         "indicator ids with unit and names (catalogue and derived)"),
        ("identities", "identities.csv", identities, IDENTITY_COLUMNS,
         ["identity", "indicator_id", "region", "period_year"], "accounting identities and their residuals"),
        ("documents", "documents.csv", docs, DOCUMENT_COLUMNS, ["doc_id"], "source documents of the release"),
    ]
    files = {path: csv_bytes(frame, names) for _, path, frame, names, _, _ in resources}
    files[SPREADSHEET] = spreadsheet_bytes(published, catalogue)
    resources.insert(1, ("indicators_spreadsheet", SPREADSHEET, None, SPREADSHEET_COLUMNS, KEY,
                         "the indicators table for spreadsheets: UTF-8 with a byte-order mark, Chinese and English "
                         "names, values also in the bulletin's units (亿元, 万人), plain decimals"))
    descriptor = {
        "name": f"china-medical-security-bulletin-{_release_of(published)}",
        "title": f"China national medical security statistical bulletin, release {_release_of(published)}",
        "description": "Figures extracted from the bulletin and its reports, reconciled across documents, "
                       "with derived indicators and identity checks. Built by bulletin-etl.",
        "version": f"{_release_of(published)}.0.0",
        "sources": [_source(doc) for doc in docs[docs["status"] == "ok"].to_dict("records")],
        "resources": [_resource(name, path, files[path], names, key, text)
                      for name, path, _, names, key, text in resources],
    }
    files["datapackage.json"] = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def _release_of(published: pd.DataFrame) -> int:
    years = sorted(set(published["release_year"].astype(int)))
    return years[-1] if years else 0


def _source(doc: dict) -> dict:
    source = {"title": str(doc.get("title") or doc["source_uri"]), "path": str(doc["source_uri"]),
              "sha256": str(doc["sha256"])}
    for name in ("published_date", "fetched_at"):
        if doc.get(name) and not (isinstance(doc[name], float) and math.isnan(doc[name])):
            source[name] = str(doc[name])
    return source


def _resource(name: str, path: str, content: bytes, names: list[str], key: list[str], text: str) -> dict:
    schema: dict = {"fields": [{"name": n, "type": FIELDS[n][0], "description": FIELDS[n][1]} for n in names],
                    "primaryKey": key}
    if name in ("indicators", "indicators_spreadsheet", "identities"):
        schema["foreignKeys"] = [{"fields": ["indicator_id"],
                                  "reference": {"resource": "dictionary", "fields": ["indicator_id"]}}]
    return {"name": name, "path": path, "description": text, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig" if content.startswith(b"\xef\xbb\xbf") else "utf-8", "bytes": len(content), "hash": f"sha256:{hashlib.sha256(content).hexdigest()}",
            "schema": schema}
