"""Column contracts of every warehouse dataset, so that all stages agree on one shape."""
from __future__ import annotations

import pyarrow as pa

# documents/: one row per ingested document (partitioned by release_year; 0 = release unknown).
DOCUMENTS = pa.schema([
    ("doc_id", pa.string()),          # sha256[:16] of the raw bytes
    ("source_uri", pa.string()),      # path or URL it came from (the first of its origins)
    ("origins", pa.string()),         # ';'-joined sorted paths/URLs serving these same bytes (one document)
    ("sha256", pa.string()),
    ("language", pa.string()),        # zh, zht, en, mixed
    ("kind", pa.string()),            # final_bulletin, quick_report, monthly_release, partial_year, unrelated, unknown
    ("kind_reason", pa.string()),     # why the kind was chosen (its strongest signal)
    ("kind_evidence", pa.string()),   # '; '-joined: every signal scored (tasks/ingest/kinds.py, tasks/publish/vintage_groups.py)
    ("kind_confidence", pa.float64()),  # 0..1, from the margin of the chosen kind over the runner-up
    ("published_date", pa.string()),  # ISO date the page was published (URL or text), '' when unsaid
    ("title", pa.string()),
    ("official_ref", pa.bool_()),     # the text names the official bulletin or quick report
    ("status", pa.string()),          # ok or quarantined
    ("problems", pa.string()),        # '; '-joined findings (spam removed, digits lost, ...)
    ("n_facts", pa.int64()),
    ("region", pa.string()),          # whose document: CN (national), a GB/T 2260 code, local:<name>
    ("release_year", pa.int64()),
])

# facts/: one row per figure a text states about a catalogued indicator.
FACTS = pa.schema([
    ("doc_id", pa.string()),
    ("indicator_id", pa.string()),
    ("region", pa.string()),          # CN for national
    ("period_year", pa.int64()),
    ("measure", pa.string()),         # level, yoy_pct, yoy_abs, yoy_pp
    ("value", pa.float64()),          # canonical unit, as the text states it (no repair here)
    ("unit", pa.string()),
    ("text", pa.string()),            # the figure as written in the ingested text
    ("span_start", pa.int64()),       # offsets into the document text as ingested
    ("span_end", pa.int64()),
    ("qualifier", pa.string()),       # exact, approx, lower_bound, upper_bound
    ("flags", pa.string()),           # '; '-joined: digits_maybe_lost, unit_suspect, ...
    ("confidence", pa.float64()),
    ("kind", pa.string()),            # kind of the document it came from (after the figure-group vintages)
    ("resolution", pa.float64()),     # half the unit of the last digit as written (13.27亿 → 5e5): its precision
    ("release_year", pa.int64()),
])

# published/: one reconciled row per (indicator, region, period_year, measure) and release.
PUBLISHED = pa.schema([
    ("indicator_id", pa.string()),
    ("region", pa.string()),
    ("period_year", pa.int64()),
    ("measure", pa.string()),
    ("value", pa.float64()),
    ("unit", pa.string()),
    ("status", pa.string()),          # one of PUBLISHED_STATUSES (below)
    ("n_sources", pa.int64()),
    ("sources", pa.string()),         # ';'-joined doc_ids that state this value
    ("qualifier", pa.string()),
    ("vintage", pa.string()),         # one of VINTAGES (below); one vintage per row, never mixed
    ("note", pa.string()),            # why: repairs, conflicts, rejected candidates
    ("source_text", pa.string()),     # the quote of the chosen figure
    ("resolution", pa.float64()),     # half a unit of the last significant digit of the chosen figure (derived:
                                      # the tolerance propagated from the inputs' resolutions)
    ("input_status", pa.string()),    # stated rows: their status; derived rows: the weakest status of their inputs
    ("evidence", pa.string()),        # what decided the row: vintage, sources with trust weights, repair evidence
    ("release_year", pa.int64()),
])
# status of a published row: agreed (>= 2 independent documents), single_source, conflict (a side won by trust),
# repaired (a unit error corrected on evidence), suspect (a scale only the range suggests, or two sources ten-fold
# apart), unconfirmed (weak evidence: a low-trust lone source, or a disagreement no rule settles), quick_report /
# monthly_release (only a preliminary vintage states it), derived (computed by tasks/publish/derive.py).
PUBLISHED_STATUSES = ("agreed", "single_source", "conflict", "repaired", "suspect", "unconfirmed", "quick_report",
                      "monthly_release", "derived")
# weakest first: a derived row's input_status is the first of these among its inputs' statuses
STATUS_STRENGTH = ("suspect", "unconfirmed", "conflict", "repaired", "monthly_release", "quick_report",
                   "single_source", "agreed", "derived")
VINTAGES = ("final_bulletin", "quick_report", "monthly_release", "restatement", "derived")

DATASETS = {"documents": DOCUMENTS, "facts": FACTS, "published": PUBLISHED}

KEY = ["indicator_id", "region", "period_year", "measure"]
MEASURES = ("level", "yoy_pct", "yoy_abs", "yoy_pp")
QUALIFIERS = ("exact", "approx", "lower_bound", "upper_bound")
UNITS = ("CNY", "persons", "person_times", "percent", "count")


def columns(name: str) -> list[str]:
    """Column names of a dataset, in their stored order."""
    return DATASETS[name].names


# Row order of stored files (then every other column), so identical inputs give byte-identical files.
SORT_KEYS = {
    "documents": ["doc_id"],
    "facts": ["doc_id", "span_start", "span_end", "indicator_id", "period_year", "measure"],
    "published": KEY,
}

# alerts/: one row per data-quality finding of a run (partitioned by release_year; 0 = release unknown).
ALERTS = pa.schema([
    ("severity", pa.string()),        # critical (blocks publication), warning (published with a flag), info
    ("rule", pa.string()),            # what was found: suite:expectation, quarantined_document, conflict, ...
    ("indicator_id", pa.string()),    # empty when the finding is about a whole document or release
    ("period_year", pa.int64()),
    ("measure", pa.string()),
    ("doc_id", pa.string()),
    ("source", pa.string()),          # file or URL the finding is about
    ("evidence", pa.string()),        # the figure, note or failure details that triggered it
    ("run_id", pa.string()),
    ("release_year", pa.int64()),
])
DATASETS["alerts"] = ALERTS
SORT_KEYS["alerts"] = ["severity", "rule", "indicator_id", "period_year", "measure", "doc_id", "source", "evidence"]

# revisions/: every vintage of every stated value, ALFRED-style (partitioned by the release_year that states it).
REVISIONS = pa.schema([
    ("indicator_id", pa.string()),
    ("region", pa.string()),
    ("period_year", pa.int64()),
    ("measure", pa.string()),
    ("vintage", pa.string()),         # quick_report, final_bulletin, restatement (a later release states it)
    ("value", pa.float64()),
    ("unit", pa.string()),
    ("qualifier", pa.string()),
    ("sources", pa.string()),         # ';'-joined doc_ids that state this vintage's value
    ("source_text", pa.string()),     # the quote of the figure
    ("vintage_number", pa.int64()),   # 1 = the first vintage of this key
    ("previous_release_year", pa.int64()),
    ("previous_vintage", pa.string()),
    ("previous_value", pa.float64()),
    ("revision", pa.float64()),       # value - previous_value
    ("revision_pct", pa.float64()),   # 100 * revision / |previous_value|
    ("release_year", pa.int64()),
])
DATASETS["revisions"] = REVISIONS
SORT_KEYS["revisions"] = [*KEY, "vintage_number"]

# unattributed/: figures that look like indicator figures (a unit and a magnitude inside some catalogued range)
# but were not attributed to an indicator, with the reason: what the pipeline left out, for a person to review.
UNATTRIBUTED = pa.schema([
    ("doc_id", pa.string()),
    ("text", pa.string()),            # the figure as written in the ingested text
    ("span_start", pa.int64()),       # offsets into the document text as ingested
    ("span_end", pa.int64()),
    ("value", pa.float64()),
    ("unit_kind", pa.string()),       # money, persons, person_times, count, percent, ...
    ("reason", pa.string()),          # no metric word, blocked: subset, partial year, not catalogued: …
    ("context", pa.string()),         # the words around the figure
    ("region", pa.string()),
    ("release_year", pa.int64()),
])
DATASETS["unattributed"] = UNATTRIBUTED
SORT_KEYS["unattributed"] = ["doc_id", "span_start", "span_end"]
