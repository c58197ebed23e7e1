"""Regression on the real-world corpora (read from ../shared, never copied): issue #8's bar on dev and dev2 —
facts precision >= 0.98, recall >= 0.95, no wrong figure; published values 0 wrong and at most 3 missing."""
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.extraction.process import process_documents
from tasks.ingest.raw import RawDocument
from tasks.publish.reconcile import publish_release
from tasks.store.warehouse import Warehouse

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = ["dev", "dev2"]


def _score(kind: str, warehouse: Path, reference: Path) -> str:
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"), kind, str(warehouse), str(reference)],
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.corpus
@pytest.mark.parametrize("name", CORPORA)
def test_corpus_scores(name, tmp_path):
    corpus = SHARED / "corpus" / name
    if not corpus.exists():
        pytest.skip(f"corpus {name} not found at {corpus} (it lives in ../shared)")
    raws = [RawDocument(str(p), p.read_bytes()) for p in sorted((corpus / "docs").glob("*.txt"))]
    cat = load_catalogue()
    result = process_documents(raws, cat)
    wh = Warehouse(tmp_path)
    for year in sorted(set(result.documents["release_year"])):
        wh.write_partition("documents", int(year), result.documents[result.documents.release_year == year])
        wh.write_partition("facts", int(year), result.facts[result.facts.release_year == year])
        if year:
            wh.write_partition("published", int(year), publish_release(int(year), result.facts, result.documents, cat))
    facts_line = _score("facts", tmp_path, corpus / "labels.csv")
    precision = float(facts_line.split("precision ")[1].split()[0])
    recall = float(facts_line.split("recall ")[1].split()[0])
    assert " 0 wrong" in facts_line and precision >= 0.98 and recall >= 0.95, facts_line
    published_line = _score("published", tmp_path, corpus / "official_values.csv")
    missing = int(published_line.split(" wrong, ")[1].split()[0])
    assert " 0 wrong" in published_line and missing <= 3, published_line
