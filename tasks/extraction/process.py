"""Raw documents → documents, facts and unattributed figures: the pure batch step every flow calls."""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from tasks.contract.catalogue import Catalogue
from tasks.cleaning.clean import CleanText, clean_text
from tasks.quality.coherence import coherence_problems, glued_figures, screen_facts
from tasks.ingest.documents import DecodeError, decode, title_of
from tasks.extraction.extract import extract_facts
from tasks.ingest.kinds import ANNUAL_KINDS, judge_kind
from tasks.ingest.language import detect_language, is_read
from tasks.ingest.limits import Limits, default_limits, time_refusal
from tasks.ingest.raw import RawDocument
from tasks.extraction.regions import document_region, region_at, scope_spans
from tasks.contract.schema import columns
from tasks.cleaning.substitutions import apply_substitutions, learn_substitutions
from tasks.extraction.pool import map_batch
from tasks.extraction.unattributed import Unattributed
from tasks.publish.vintage_groups import assign_vintages
from tasks.extraction.vocabulary import load_vocabulary

CONTEXT = 30        # characters of context kept on each side of an unattributed figure
NATIONAL = "CN"


@dataclass
class ProcessResult:
    """Documents, facts and unattributed figures of a batch, plus per-file errors (the rest goes on)."""

    documents: pd.DataFrame
    facts: pd.DataFrame
    errors: list[str] = field(default_factory=list)
    unattributed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=columns("unattributed")))
    extracted: int = 0          # documents read by the extractor in this call (the rest came from observations)
    reused: int = 0             # documents whose stored observation was used
    fresh: dict = field(default_factory=dict)   # observation key -> rows read now, for the store to keep

# (sha256, extractor fingerprint, reading context) -> {"document", "facts", "unattributed"} when stored
Lookup = Callable[[tuple[str, str, str]], "dict | None"]


@dataclass
class Cleaned:
    """A decoded and cleaned document, before it is read."""

    raw: RawDocument
    text: str
    clean: CleanText
    problems: list[str]


def process_documents(raws: list[RawDocument], catalogue: Catalogue, limits: Limits | None = None,
                      fingerprint: str = "", lookup: Lookup | None = None,
                      workers: int | None = None) -> ProcessResult:
    """Decode and clean every document, learn variant substitutions across them, then classify and extract;
    a document whose reading takes longer than the limit is quarantined with the limit named. With an extractor
    fingerprint, a document whose observation `lookup` finds is not read again (vintages still span the batch).
    Documents are decoded and read on `workers` processes (default: tasks/extraction/pool.yaml), order kept."""
    limits = limits or default_limits()
    doc_rows: list[dict] = []
    errors: list[str] = []
    cleaned: list[Cleaned] = []
    for item in map_batch(decode_and_clean, sorted(raws, key=lambda r: (r.source_uri, r.sha256)), workers):
        if isinstance(item, dict):
            errors.append(item["problems"])
            doc_rows.append(item)
        else:
            cleaned.append(item)
    learnt = learn_substitutions([c.clean.text for c in cleaned])
    keys, readings, to_read = [], [], []
    for item in cleaned:
        touching = sorted((rare, std) for rare, std in learnt.items() if rare in item.clean.text)
        if learnt:
            item.clean.text = apply_substitutions(item.clean.text, learnt)
        key = observation_key(item.raw, touching, catalogue, fingerprint) if fingerprint else None
        found = lookup(key) if key and lookup else None
        keys.append(key)
        readings.append(None if found is None else (found["document"], found["facts"], found["unattributed"], False))
        if found is None:
            to_read.append(item)
    fresh_reads = iter(map_batch(partial(_timed_read, catalogue=catalogue, limits=limits), to_read, workers))
    fact_rows: list[dict] = []
    left_rows: list[dict] = []
    fresh: dict = {}
    for key, reading in zip(keys, readings):
        doc, facts, left, slow = reading or next(fresh_reads)
        if reading is None and key and not slow:   # a time refusal says how long a read took, not what bytes hold
            fresh[key] = {"document": doc, "facts": facts, "unattributed": left}
        doc_rows.append(doc)
        fact_rows.extend(facts)
        left_rows.extend(left)
    stats = {"extracted": len(to_read), "reused": len(cleaned) - len(to_read)}
    documents = pd.DataFrame(doc_rows, columns=columns("documents"))
    facts_df = pd.DataFrame(fact_rows, columns=columns("facts"))
    documents, facts_df = assign_vintages(documents, facts_df)
    left_df = pd.DataFrame(left_rows, columns=columns("unattributed"))
    return ProcessResult(documents=documents, facts=facts_df, errors=errors, unattributed=left_df, fresh=fresh,
                         **stats)


def _timed_read(item: Cleaned, catalogue: Catalogue, limits: Limits) -> tuple[dict, list[dict], list[dict], bool]:
    """read_document under the time limit: a slow read is quarantined with the limit named (and flagged)."""
    started = time.monotonic()
    doc, facts, left = read_document(item, catalogue)
    slow = time_refusal(time.monotonic() - started, limits)
    if slow:
        return {**doc, "status": "quarantined", "problems": slow, "n_facts": 0}, [], [], True
    return doc, facts, left, False


def observation_key(raw: RawDocument, touching: list[tuple[str, str]], catalogue: Catalogue,
                    fingerprint: str) -> tuple[str, str, str]:
    """What one document's reading depends on: its bytes, the extractor, and its context (the uri and content
    type that kind/date/HTML detection read, the catalogue, the learnt substitutions found in its text)."""
    context = json.dumps([raw.source_uri, raw.content_type, catalogue.version, touching], ensure_ascii=False)
    return raw.sha256, fingerprint, hashlib.sha256(context.encode("utf-8")).hexdigest()


def process_one(raw: RawDocument, catalogue: Catalogue) -> tuple[dict, list[dict]]:
    """One document on its own → its documents row and its fact rows."""
    item = decode_and_clean(raw)
    if isinstance(item, dict):
        return item, []
    doc, facts, _ = read_document(item, catalogue)
    return doc, facts


def _base(raw: RawDocument) -> dict:
    return {"doc_id": raw.doc_id, "source_uri": raw.source_uri, "sha256": raw.sha256, "title": "",
            "language": "", "kind": "unknown", "kind_reason": "", "kind_evidence": "", "kind_confidence": 0.0,
            "published_date": "", "official_ref": False, "n_facts": 0, "region": NATIONAL, "release_year": 0}


def decode_and_clean(raw: RawDocument) -> Cleaned | dict:
    """Decoded, cleaned text; an unreadable document is its quarantined documents row instead."""
    try:
        text, problems = decode(raw)
    except DecodeError as err:
        return {**_base(raw), "status": "quarantined", "problems": f"unreadable: {err}"}
    clean = clean_text(text)
    return Cleaned(raw, text, clean, problems + clean.problems)


def read_document(item: Cleaned, catalogue: Catalogue) -> tuple[dict, list[dict], list[dict]]:
    """Kind, language, region and facts of one cleaned document (figures left out come third)."""
    raw, text, clean, problems = item.raw, item.text, item.clean, list(item.problems)
    vocab = load_vocabulary()
    verdict = judge_kind(clean.text, vocab.partial_year, raw.source_uri)
    language = detect_language(text)
    title = title_of(clean.text)
    scope = document_region(title, clean.text)
    kind = verdict.kind if is_read(language) else "not_read"
    doc = {**_base(raw), "language": language, "kind": kind, "kind_reason": verdict.reason,
           "official_ref": verdict.official_ref, "release_year": verdict.release_year, "title": title,
           "status": "ok", "kind_evidence": "; ".join(verdict.evidence), "kind_confidence": verdict.confidence,
           "published_date": verdict.published_date, "region": scope.code}
    facts: list[dict] = []
    left: list[Unattributed] = []
    if kind == "not_read":
        problems.append(f"not read: language {language}")
    elif kind in ANNUAL_KINDS and verdict.release_year:
        english = language in ("en", "mixed")
        found = extract_facts(clean, verdict.release_year, catalogue, english=english, vocab=vocab, left_out=left)
        spans = scope_spans(clean.text, scope.code)
        for fact in found:
            fact["region"] = region_at(spans, fact["clean_start"], scope.code)
        national = [f for f in found if f["region"] == NATIONAL]
        incoherent = glued_figures(clean.text) + coherence_problems(national, catalogue)
        kept, dropped = screen_facts(national, catalogue)   # plausible ranges are national ones
        if dropped:
            problems.append(f"{dropped} figure(s) outside plausible ranges not used")
            kept_ids = {id(f) for f in kept}
            gone = [f for f in national if id(f) not in kept_ids]
            left += [Unattributed(f["clean_start"], f["clean_end"], f["value"], f["unit"], "outside plausible range")
                     for f in gone]
            orphans = changes_of(gone, kept)
            left += [Unattributed(f["clean_start"], f["clean_end"], f["value"], f["unit"],
                                  "change of a figure outside plausible range") for f in orphans]
            orphan_ids = {id(o) for o in orphans}
            kept = [f for f in kept if id(f) not in orphan_ids]
        found = kept + [f for f in found if f["region"] != NATIONAL]
        if incoherent:
            problems += incoherent
            doc["status"] = "quarantined"
            found = []
        facts = [_fact_row(f, raw, clean, text, doc) for f in found]
    elif kind == "partial_year":
        problems.append("partial-year figures only: nothing enters annual facts")
    damaged = sum("digits_maybe_lost" in f["flags"] for f in facts)
    if damaged:
        problems.append(f"damage: {damaged} figure(s) next to encoding damage (digits may be lost)")
    doc["n_facts"] = len(facts)
    doc["problems"] = "; ".join(dict.fromkeys(problems))
    return doc, facts, [_left_row(u, raw, clean, text, doc) for u in left]


CHANGE_REACH = 200     # characters: a change stated after a level, with no figure between, belongs to it


def changes_of(levels: list[dict], facts: list[dict]) -> list[dict]:
    """Changes stated right after a level that was dropped ('6.7bn settlements …, an increase of 19%'): they
    describe that misread figure, not the indicator."""
    out = []
    starts = sorted(g["clean_start"] for g in [*facts, *levels])
    for f in facts:
        if f["measure"] == "level":
            continue
        for lv in levels:
            between = [x for x in starts if lv["clean_end"] <= x < f["clean_start"]]
            if (lv["indicator_id"], lv["period_year"]) == (f["indicator_id"], f["period_year"]) and not between \
                    and 0 <= f["clean_start"] - lv["clean_end"] <= CHANGE_REACH:
                out.append(f)
                break
    return out


def _fact_row(fact: dict, raw: RawDocument, clean: CleanText, text: str, doc: dict) -> dict:
    start, end = clean.span(fact["clean_start"], fact["clean_end"])
    flags = list(fact["flags"])
    return {"doc_id": raw.doc_id, "indicator_id": fact["indicator_id"], "region": fact["region"],
            "period_year": fact["period_year"], "measure": fact["measure"], "value": fact["value"],
            "unit": fact["unit"], "text": text[start:end], "span_start": start, "span_end": end,
            "qualifier": fact["qualifier"], "flags": "; ".join(flags), "confidence": 0.5 if flags else 1.0,
            "kind": doc["kind"], "resolution": fact.get("resolution"), "release_year": doc["release_year"]}


def _left_row(item: Unattributed, raw: RawDocument, clean: CleanText, text: str, doc: dict) -> dict:
    start, end = clean.span(item.clean_start, item.clean_end)
    context = " ".join(text[max(0, start - CONTEXT):end + CONTEXT].split())
    return {"doc_id": raw.doc_id, "text": text[start:end], "span_start": start, "span_end": end,
            "value": item.value, "unit_kind": item.unit_kind, "reason": item.reason, "context": context,
            "region": doc["region"], "release_year": doc["release_year"]}
