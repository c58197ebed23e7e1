"""The rules each dataset must satisfy, as GX suites generated from the catalogue into expectations/*.json."""
from __future__ import annotations

import json
from pathlib import Path

from tasks.contract import schema
from tasks.contract.catalogue import Catalogue, load_catalogue
from tasks.ingest.kinds import KINDS as load_kinds_tuple
from tasks.ingest.language import language_codes

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
GENERATED = ("documents", "facts", "published")    # other suite files (e.g. identities.json) are written elsewhere

DOCUMENT_STATUSES = ("ok", "quarantined")


def load_kinds() -> tuple[str, ...]:
    return tuple(load_kinds_tuple)
KINDS = tuple(dict.fromkeys([*load_kinds(), "not_read"]))   # a page in a language the extractor does not read
LANGUAGES = language_codes()
PUBLISHED_STATUSES, VINTAGES = schema.PUBLISHED_STATUSES, schema.VINTAGES   # defined beside the published schema
RELEASE_YEARS = (1990, 2100)        # plausible editions; 0 marks a document whose release is unknown
MAX_LOOKBACK = 30                   # a release states figures of at most this many years before it
NOT_CATALOGUED = "(no such indicator and measure in the catalogue)"   # a catalogue_unit no unit ever equals

# Columns that tasks.quality.validate.prepare adds before validating; the suites' rules refer to them.
PREPARED = {
    "indicator_measure": "indicator_id + '|' + measure",
    "catalogue_unit": "the unit the catalogue fixes for (indicator_id, measure) (unit_pairs), else NOT_CATALOGUED",
    "range_low": "catalogue bounds(indicator_id, measure)[0]; null when unbounded, unknown or not national",
    "range_high": "catalogue bounds(indicator_id, measure)[1]; null when unbounded or unknown",
    "years_before_release": "release_year - period_year",
}


def unit_pairs(catalogue: Catalogue) -> list[list[str]]:
    """Allowed (indicator|measure, unit): levels and absolute changes in the indicator's unit, rates in percent."""
    pairs = []
    for ind in (catalogue[i] for i in catalogue.ids):
        pairs += [[f"{ind.id}|level", ind.unit], [f"{ind.id}|yoy_pct", "percent"]]
        pairs.append([f"{ind.id}|yoy_pp", "percent"] if ind.unit == "percent" else [f"{ind.id}|yoy_abs", ind.unit])
    return pairs


def build_suite(name: str, catalogue: Catalogue | None = None):
    """The GX ExpectationSuite of one generated dataset suite."""
    import great_expectations.expectations as gxe  # lazy: importing GX costs ~4 s
    from great_expectations import ExpectationSuite

    cat = catalogue or load_catalogue()
    if name == "published" and catalogue is None:
        from tasks.publish.derive import catalogue_with_derived

        cat = catalogue_with_derived(cat)  # the project's published tables also carry derived.* indicators
    rules = {"documents": _documents, "facts": _facts, "published": _published}[name](gxe, cat)
    meta = {} if name == "documents" else {"prepared_columns": PREPARED}
    return ExpectationSuite(name=name, expectations=rules, meta=meta)


def suite_json(name: str, catalogue: Catalogue | None = None) -> str:
    """Text of expectations/<name>.json exactly as --write-suites writes it."""
    return json.dumps(build_suite(name, catalogue).to_json_dict(), indent=2, ensure_ascii=False) + "\n"


def write_suites(catalogue: Catalogue | None = None) -> list[Path]:
    """Regenerate the generated suite files from the current catalogue."""
    from tasks.store.warehouse import atomic_write

    return [atomic_write(EXPECTATIONS_DIR / f"{name}.json", suite_json(name, catalogue)) for name in GENERATED]


def _not_null(gxe, columns: list[str]) -> list:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def _in_set(gxe, column: str, values) -> object:
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values))


def _documents(gxe, cat: Catalogue) -> list:
    from great_expectations.expectations.row_conditions import Column

    low, high = RELEASE_YEARS
    return [
        *_not_null(gxe, ["doc_id", "source_uri", "sha256", "kind", "status", "release_year"]),
        gxe.ExpectColumnValuesToBeUnique(column="doc_id"),
        gxe.ExpectColumnValuesToMatchRegex(column="doc_id", regex=r"^[0-9a-f]{16}$"),
        gxe.ExpectColumnValuesToMatchRegex(column="sha256", regex=r"^[0-9a-f]{64}$"),
        _in_set(gxe, "status", DOCUMENT_STATUSES),
        _in_set(gxe, "kind", KINDS),
        _in_set(gxe, "language", LANGUAGES),
        gxe.ExpectColumnValuesToNotBeNull(column="problems", row_condition=Column("status") == "quarantined"),
        gxe.ExpectColumnValuesToBeBetween(column="n_facts", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="release_year", min_value=low, max_value=high,
                                          row_condition=Column("release_year") != 0),
    ]


def _figures(gxe, cat: Catalogue, known_release: bool) -> list:
    """Rules shared by facts and published: vocabularies, units per measure, plausible values and years."""
    from great_expectations.expectations.row_conditions import Column

    window = {} if known_release else {"row_condition": Column("release_year") > 0}
    return [
        *_not_null(gxe, ["indicator_id", "region", "period_year", "measure", "value", "unit", "release_year"]),
        _in_set(gxe, "indicator_id", cat.ids),
        _in_set(gxe, "measure", schema.MEASURES),
        _in_set(gxe, "qualifier", schema.QUALIFIERS),
        _in_set(gxe, "unit", schema.UNITS),
        # the unit per measure as a prepared column, not a pair set: GX re-serialises an expectation's arguments
        # many times per validation, so a pair set of every indicator cost ~0.3 s per suite run, whatever the rows
        gxe.ExpectColumnPairValuesToBeEqual(column_A="unit", column_B="catalogue_unit"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="value", column_B="range_low", or_equal=True,
                                                    ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="range_high", column_B="value", or_equal=True,
                                                    ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100,
                                          row_condition=(Column("unit") == "percent") & (Column("measure") == "level")),
        gxe.ExpectColumnValuesToBeBetween(column="years_before_release", min_value=0, max_value=MAX_LOOKBACK,
                                          **window),
    ]


def _facts(gxe, cat: Catalogue) -> list:
    return [
        *_not_null(gxe, ["doc_id", "qualifier"]),
        gxe.ExpectColumnValuesToMatchRegex(column="doc_id", regex=r"^[0-9a-f]{16}$"),
        *_figures(gxe, cat, known_release=False),
        _in_set(gxe, "kind", KINDS),
        gxe.ExpectColumnValuesToBeBetween(column="span_start", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="span_end", column_B="span_start", or_equal=True,
                                                    ignore_row_if="either_value_is_missing"),
        gxe.ExpectColumnValuesToBeBetween(column="confidence", min_value=0, max_value=1),
    ]


def _published(gxe, cat: Catalogue) -> list:
    low, high = RELEASE_YEARS
    return [
        *_not_null(gxe, ["status", "vintage", "n_sources"]),
        *_figures(gxe, cat, known_release=True),
        _in_set(gxe, "status", PUBLISHED_STATUSES),
        _in_set(gxe, "vintage", VINTAGES),
        gxe.ExpectColumnValuesToBeBetween(column="n_sources", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="release_year", min_value=low, max_value=high),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=[*schema.KEY, "release_year"]),
    ]
