"""Benchmark extraction and publication on a labelled corpus: precision, recall and wrong values per document
and per release, plus published values against official ones, and the time it took.

    python benchmarks/eval_corpus.py --sources ../shared/corpus/dev/docs --labels ../shared/corpus/dev/labels.csv \
        [--official ../shared/corpus/dev/official_values.csv] [--warehouse DIR]

Labels are matched to documents by file name (without extension), as ../shared/tools/score.py does.
A label marked wrong_in_text=yes counts as found whether the figure is extracted as written, corrected,
or left out. Exit status 0 when nothing is wrong.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path, PurePosixPath

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks.contract.catalogue import load_catalogue  # noqa: E402
from tasks.extraction.process import process_documents  # noqa: E402
from tasks.ingest.raw import RawDocument  # noqa: E402
from tasks.publish.reconcile import publish_release  # noqa: E402
from tasks.store.warehouse import Warehouse  # noqa: E402

SUFFIXES = (".txt", ".md", ".html", ".htm")


def same(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def score_document(facts: pd.DataFrame, labels: pd.DataFrame) -> dict:
    """tp / wrong / missed / extra of one document's facts against its labels."""
    tp = wrong = missed = 0
    matched: set[tuple] = set()
    for row in labels.itertuples():
        key = (row.indicator_id, int(row.period_year), row.measure)
        cand = facts[(facts.indicator_id == key[0]) & (facts.period_year == key[1]) & (facts.measure == key[2])]
        text_wrong = str(row.wrong_in_text).strip() == "yes"
        if any(same(v, row.value) for v in cand.value) or (text_wrong and len(cand)):
            tp += 1
            matched.add(key)
        elif text_wrong:
            continue
        elif len(cand):
            wrong += 1
            matched.add(key)
        else:
            missed += 1
    extra = sum(1 for f in facts.itertuples() if (f.indicator_id, int(f.period_year), f.measure) not in matched)
    return {"labels": len(labels), "found": tp, "wrong": wrong, "missed": missed, "extra": extra}


def differences(facts: pd.DataFrame, labels: pd.DataFrame) -> list[str]:
    """One line per missed, wrong or extra figure of a document (for --details)."""
    lines, matched = [], set()
    for row in labels.itertuples():
        key = (row.indicator_id, int(row.period_year), row.measure)
        cand = facts[(facts.indicator_id == key[0]) & (facts.period_year == key[1]) & (facts.measure == key[2])]
        text_wrong = str(row.wrong_in_text).strip() == "yes"
        if any(same(v, row.value) for v in cand.value) or len(cand) and text_wrong:
            matched.add(key)
        elif len(cand):
            matched.add(key)
            lines.append(f"WRONG {' '.join(map(str, key))}: want {row.value:g} ({row.text_as_written}), "
                         f"got {list(cand.text)}")
        elif not text_wrong:
            lines.append(f"MISS  {' '.join(map(str, key))}: {row.value:g} ({row.text_as_written})")
    for f in facts.itertuples():
        if (f.indicator_id, int(f.period_year), f.measure) not in matched:
            lines.append(f"EXTRA {f.indicator_id} {f.period_year} {f.measure}: {f.value:g} ({f.text!r})")
    return lines


def ratios(row: dict) -> tuple[float, float]:
    precision = row["found"] / (row["found"] + row["extra"] + row["wrong"]) if row["found"] + row["extra"] + row["wrong"] else 1.0
    recall = row["found"] / (row["found"] + row["missed"] + row["wrong"]) if row["found"] + row["missed"] + row["wrong"] else 1.0
    return precision, recall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", required=True, type=Path)
    parser.add_argument("--labels", required=True, type=Path)
    parser.add_argument("--official", type=Path)
    parser.add_argument("--warehouse", type=Path, help="keep the warehouse here (default: a temporary directory)")
    parser.add_argument("--release-year", type=int, default=0,
                        help="release of an official-values file without a release_year column (the seeds' file)")
    parser.add_argument("--details", action="store_true", help="list every missed, wrong and extra figure")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    raws = [RawDocument(str(p), p.read_bytes()) for p in sorted(args.sources.rglob("*")) if p.suffix.lower() in SUFFIXES]
    catalogue = load_catalogue()
    result = process_documents(raws, catalogue)
    docs, facts = result.documents, result.facts
    published = {int(y): publish_release(int(y), facts, docs, catalogue) for y in sorted(set(docs.release_year)) if y}
    elapsed = time.perf_counter() - started
    if args.warehouse:
        store = Warehouse(args.warehouse)
        for year in sorted(set(docs.release_year)):
            store.write_partition("documents", int(year), docs[docs.release_year == year])
            store.write_partition("facts", int(year), facts[facts.release_year == year])
        for year, table in published.items():
            store.write_partition("published", year, table)

    labels = pd.read_csv(args.labels)
    docs = docs.assign(label_doc=docs.source_uri.map(lambda u: PurePosixPath(str(u).replace("\\", "/")).stem))
    rows = []
    for doc in docs.itertuples():
        gold = labels[labels.doc_id == doc.label_doc]
        got = facts[(facts.doc_id == doc.doc_id) & facts.indicator_id.isin(catalogue.ids)]
        score = score_document(got, gold)
        if args.details:
            for line in differences(got, gold):
                print(f"{doc.label_doc}: {line}")
        rows.append({"document": doc.label_doc, "release": doc.release_year, "kind": doc.kind, **score})
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(f"{len(raws)} documents, {len(facts)} facts, {sum(len(t) for t in published.values())} published rows "
          f"in {elapsed:.2f} s")
    print(table.to_string(index=False))
    by_release = table.groupby("release")[["labels", "found", "wrong", "missed", "extra"]].sum().reset_index()
    print(by_release.to_string(index=False))
    total = table[["labels", "found", "wrong", "missed", "extra"]].sum().to_dict()
    precision, recall = ratios(total)
    print(f"facts: precision {precision:.3f} recall {recall:.3f}, {total['wrong']} wrong, "
          f"{total['missed']} missed, {total['extra']} extra")
    bad = total["wrong"]
    if args.official:
        official = pd.read_csv(args.official)
        if "release_year" not in official.columns:
            official["release_year"] = args.release_year
        bad += report_published(published, official)
    return 0 if bad == 0 else 1


def report_published(published: dict[int, pd.DataFrame], official: pd.DataFrame) -> int:
    """Published values against the official ones, per release; returns the number wrong."""
    right = wrong = missing = 0
    for row in official.itertuples():
        table = published.get(int(row.release_year), pd.DataFrame(columns=["indicator_id"]))
        got = table[(table.indicator_id == row.indicator_id) & (table.period_year == int(row.period_year))
                    & (table.measure == row.measure)] if len(table) else table
        if got.empty:
            missing += 1
            print(f"MISSING {row.release_year} {row.indicator_id} {row.period_year} {row.measure}")
        elif all(same(v, row.value) for v in got.value):
            right += 1
        else:
            wrong += 1
            print(f"WRONG   {row.release_year} {row.indicator_id} {row.period_year} {row.measure}: "
                  f"want {row.value} got {sorted(set(got.value))}")
    print(f"published: {right}/{len(official)} official values right, {wrong} wrong, {missing} missing")
    return wrong


if __name__ == "__main__":
    sys.exit(main())
