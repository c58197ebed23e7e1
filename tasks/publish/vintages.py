"""Every vintage of every stated value (ALFRED-style), so revisions across releases and document kinds are one query."""
from __future__ import annotations

import pandas as pd

from tasks.contract.schema import KEY, columns

VINTAGE_ORDER = {"monthly_release": 0, "quick_report": 1, "final_bulletin": 2, "restatement": 2}
PRELIMINARY = ("quick_report", "monthly_release")      # vintages before the final bulletin, kept in revisions/
OBSERVATION_COLUMNS = [*KEY, "vintage", "value", "unit", "qualifier", "sources", "source_text", "release_year"]


def build_revisions(facts: pd.DataFrame, documents: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Per key, the first vintage's value and each later vintage that changes it, with the difference.

    Final-bulletin and restatement vintages are the reconciled published rows of each release (a release's
    row about an earlier period year is a restatement); quick-report vintages come from the quick-report
    facts of a release whose published row is not itself the quick report's.
    """
    parts = [_published_vintages(published), _quick_report_vintages(facts, documents, published)]
    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=columns("revisions")).astype({"period_year": "int64", "release_year": "int64"})
    observations = pd.concat(parts, ignore_index=True)
    observations["order"] = observations["vintage"].map(VINTAGE_ORDER)
    observations = observations.sort_values([*KEY, "release_year", "order"], kind="stable").reset_index(drop=True)
    grouped = observations.groupby(KEY, sort=False)
    observations["vintage_number"] = grouped.cumcount() + 1
    for name in ("release_year", "vintage", "value"):
        observations[f"previous_{name}"] = grouped[name].shift(1)
    observations["revision"] = observations["value"] - observations["previous_value"]
    base = observations["previous_value"].abs().where(observations["previous_value"] != 0)
    observations["revision_pct"] = 100 * observations["revision"] / base
    observations["previous_release_year"] = observations["previous_release_year"].astype("Int64")
    observations = observations[~_unchanged(observations)].reset_index(drop=True)
    observations["vintage_number"] = observations.groupby(KEY, sort=False).cumcount() + 1
    return observations[columns("revisions")].astype({"period_year": "int64", "release_year": "int64"})


def _unchanged(observations: pd.DataFrame) -> pd.Series:
    """A later vintage stating the value the previous one stated is no revision (a revision is a change)."""
    previous = observations["previous_value"]
    same = (observations["value"] - previous).abs() <= 1e-9 * previous.abs()
    return previous.notna() & same


def latest_values(published: pd.DataFrame) -> pd.DataFrame:
    """One published row per key across all releases: a stated value before a derived one, then the latest release."""
    if published.empty:
        return published.copy()
    ranked = published.assign(_stated=(published["status"] != "derived").astype(int),
                              _final=published["vintage"].map(VINTAGE_ORDER).fillna(2).astype(int))
    ranked = ranked.sort_values([*KEY, "_stated", "release_year", "_final"], kind="stable")
    return ranked.drop_duplicates(subset=KEY, keep="last").drop(columns=["_stated", "_final"]).reset_index(drop=True)


def vintage_kind(row_vintage: str, period_year: int, release_year: int) -> str:
    """The kind of a published value: a preliminary vintage, the final bulletin, or a later release's restatement."""
    if row_vintage in PRELIMINARY:
        return row_vintage
    return "restatement" if int(period_year) < int(release_year) else "final_bulletin"


def _published_vintages(published: pd.DataFrame) -> pd.DataFrame:
    stated = published[(published["status"] != "derived") & (published["vintage"] != "derived")
                       & published["value"].notna()].copy()
    stated["region"] = stated["region"].fillna("CN")
    stated["vintage"] = [vintage_kind(v, p, r) for v, p, r in
                         zip(stated["vintage"], stated["period_year"], stated["release_year"])]
    return stated[OBSERVATION_COLUMNS]


def _quick_report_vintages(facts: pd.DataFrame, documents: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    docs = documents[documents["status"] == "ok"].set_index("doc_id")
    quick = facts[facts["doc_id"].isin(docs.index) & facts["value"].notna()].copy()
    kind_of_doc = docs["kind"].to_dict()
    quick["kind"] = quick["kind"].fillna(quick["doc_id"].map(kind_of_doc))
    quick = quick[quick["kind"].isin(PRELIMINARY) & (quick["release_year"] > 0)]
    quick["region"] = quick["region"].fillna("CN")
    quick_rows = published[published["vintage"].isin(PRELIMINARY)]
    covered = set(zip(quick_rows["indicator_id"], quick_rows["region"].fillna("CN"), quick_rows["period_year"],
                      quick_rows["measure"], quick_rows["vintage"], quick_rows["release_year"]))
    rows = []
    for key, group in quick.groupby([*KEY, "kind", "release_year"], sort=True):
        if key in covered:
            continue
        chosen = _consensus(group)
        rows.append({**dict(zip([*KEY, "vintage", "release_year"], key)),
                     "value": chosen["value"], "unit": chosen["unit"], "qualifier": chosen["qualifier"],
                     "sources": ";".join(sorted(set(group.loc[group["value"] == chosen["value"], "doc_id"]))),
                     "source_text": chosen["text"]})
    return pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)


def _consensus(group: pd.DataFrame) -> pd.Series:
    """The value most quick-report facts state (ties: the more confident fact)."""
    counts = group["value"].map(group["value"].value_counts())
    ranked = group.assign(_n=counts, _c=group["confidence"].fillna(0)).sort_values(["_n", "_c"], ascending=False,
                                                                                    kind="stable")
    return ranked.iloc[0]
