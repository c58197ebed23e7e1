"""Measure document kinds against a labelled corpus: confusion matrix of our kind vs docs.csv kind, per set.

    python benchmarks/eval_kinds.py [--corpus ../shared/corpus] [--sets dev dev2] [--details]

docs.csv kinds: official_bulletin and news_report are the bulletin or news about it (final_bulletin expected
unless the news is about a quick report or a monthly release), quick_report, monthly_fund_report (monthly_release
or partial_year), other. Only measures; nothing here feeds the pipeline.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks.contract.catalogue import load_catalogue  # noqa: E402
from tasks.extraction.process import process_documents  # noqa: E402
from tasks.ingest.raw import RawDocument  # noqa: E402

EXPECTED = {"official_bulletin": {"final_bulletin"}, "news_report": {"final_bulletin"},
            "quick_report": {"quick_report"}, "monthly_fund_report": {"monthly_release", "partial_year"}}


def kinds_of(set_dir: Path) -> pd.DataFrame:
    """Our documents table for a corpus set, with the file stem and the labelled kind beside it."""
    labels = pd.read_csv(set_dir / "docs.csv", dtype=str).fillna("")
    files = sorted(p for p in (set_dir / "docs").iterdir() if p.is_file())
    raws = [RawDocument(str(p), p.read_bytes()) for p in files]
    docs = process_documents(raws, load_catalogue()).documents
    docs["doc"] = [Path(u).stem for u in docs["source_uri"]]
    merged = docs.merge(labels, left_on="doc", right_on="doc_id", suffixes=("", "_label"))
    return merged.sort_values("doc").reset_index(drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(Path(__file__).resolve().parents[2] / "shared" / "corpus"))
    parser.add_argument("--sets", nargs="+", default=["dev", "dev2"])
    parser.add_argument("--details", action="store_true", help="one line per document")
    args = parser.parse_args()
    for name in args.sets:
        table = kinds_of(Path(args.corpus) / name)
        print(f"== {name}: {len(table)} documents (rows: docs.csv kind, columns: our kind)")
        print(pd.crosstab(table["kind_label"], table["kind"]).to_string())
        expected = table[table["kind_label"].isin(EXPECTED)]
        ok = sum(k in EXPECTED[lab] for k, lab in zip(expected["kind"], expected["kind_label"]))
        print(f"agreement where docs.csv implies a kind: {ok}/{len(expected)}")
        years = (table["release_year"].astype(int) == table["release_year_label"].astype(int)).sum()
        print(f"release year right: {years}/{len(table)}")
        if args.details:
            for r in table.itertuples():
                mark = " " if r.kind_label not in EXPECTED or r.kind in EXPECTED[r.kind_label] else "*"
                print(f"{mark} {r.doc:14} {r.release_year} {r.kind:15} {r.kind_confidence:.2f} "
                      f"{r.published_date or '-':10} | {r.kind_label:19} {r.published_hint:22} | {r.kind_reason[:90]}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
