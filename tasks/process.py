"""Raw documents → documents and facts tables: the pure batch step every flow calls."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tasks.catalogue import Catalogue
from tasks.clean import clean_text
from tasks.coherence import coherence_problems, screen_facts
from tasks.documents import DecodeError, decode, detect_language, title_of
from tasks.extract import extract_facts
from tasks.kinds import ANNUAL_KINDS, judge_kind
from tasks.raw import RawDocument
from tasks.schema import columns
from tasks.vintage_groups import assign_vintages
from tasks.vocabulary import load_vocabulary

# Bump when extraction logic changes, so incremental runs know stored facts are stale.
EXTRACTOR_VERSION = "1"


@dataclass
class ProcessResult:
    """Documents and facts of a batch, plus per-file errors (the rest of the batch goes on)."""

    documents: pd.DataFrame
    facts: pd.DataFrame
    errors: list[str] = field(default_factory=list)


def process_documents(raws: list[RawDocument], catalogue: Catalogue) -> ProcessResult:
    """Decode, clean, classify and extract every document of a batch."""
    doc_rows: list[dict] = []
    fact_rows: list[dict] = []
    errors: list[str] = []
    for raw in sorted(raws, key=lambda r: (r.source_uri, r.sha256)):
        doc, facts = process_one(raw, catalogue)
        if doc["status"] == "quarantined" and doc["problems"].startswith("unreadable"):
            errors.append(doc["problems"])
        doc_rows.append(doc)
        fact_rows.extend(facts)
    documents = pd.DataFrame(doc_rows, columns=columns("documents"))
    facts_df = pd.DataFrame(fact_rows, columns=columns("facts"))
    documents, facts_df = assign_vintages(documents, facts_df)
    return ProcessResult(documents=documents, facts=facts_df, errors=errors)


def process_one(raw: RawDocument, catalogue: Catalogue) -> tuple[dict, list[dict]]:
    """One document → its documents row and its fact rows."""
    base = {"doc_id": raw.doc_id, "source_uri": raw.source_uri, "sha256": raw.sha256, "title": "",
            "language": "", "kind": "unknown", "kind_reason": "", "kind_evidence": "", "kind_confidence": 0.0,
            "published_date": "", "official_ref": False, "n_facts": 0,
            "release_year": 0}
    try:
        text, problems = decode(raw)
    except DecodeError as err:
        return {**base, "status": "quarantined", "problems": f"unreadable: {err}"}, []
    vocab = load_vocabulary()
    clean = clean_text(text)
    problems += clean.problems
    verdict = judge_kind(clean.text, vocab.partial_year, raw.source_uri)
    kind, reason, release_year, official = verdict.kind, verdict.reason, verdict.release_year, verdict.official_ref
    language = detect_language(text)
    doc = {**base, "language": language, "kind": kind, "kind_reason": reason, "official_ref": official,
           "release_year": release_year, "title": title_of(clean.text), "status": "ok",
           "kind_evidence": "; ".join(verdict.evidence), "kind_confidence": verdict.confidence,
           "published_date": verdict.published_date}
    facts: list[dict] = []
    if kind in ANNUAL_KINDS and release_year:
        english = language in ("en", "mixed")
        found = extract_facts(clean, release_year, catalogue, english=english, vocab=vocab)
        incoherent = coherence_problems(found, catalogue)
        found, dropped = screen_facts(found, catalogue)
        if dropped:
            problems.append(f"{dropped} figure(s) outside plausible ranges not used")
        if incoherent:
            problems += incoherent
            doc["status"] = "quarantined"
            found = []
        facts = [_fact_row(f, raw, clean, text, kind, release_year) for f in found]
    elif kind == "partial_year":
        problems.append("partial-year figures only: nothing enters annual facts")
    damaged = sum("digits_maybe_lost" in f["flags"] for f in facts)
    if damaged:
        problems.append(f"damage: {damaged} figure(s) next to encoding damage (digits may be lost)")
    doc["n_facts"] = len(facts)
    doc["problems"] = "; ".join(dict.fromkeys(problems))
    return doc, facts


def _fact_row(fact: dict, raw: RawDocument, clean, text: str, kind: str, release_year: int) -> dict:
    start, end = clean.span(fact["clean_start"], fact["clean_end"])
    flags = list(fact["flags"])
    return {"doc_id": raw.doc_id, "indicator_id": fact["indicator_id"], "region": "CN",
            "period_year": fact["period_year"], "measure": fact["measure"], "value": fact["value"],
            "unit": fact["unit"], "text": text[start:end], "span_start": start, "span_end": end,
            "qualifier": fact["qualifier"], "flags": "; ".join(flags),
            "confidence": 0.5 if flags else 1.0, "kind": kind, "release_year": release_year}
