"""Golden files: every figure of each seed document, transcribed by reading it (tests/golden/<doc>.csv)."""
from pathlib import Path

import pandas as pd
import pytest

from tasks.contract.catalogue import load_catalogue
from tasks.extraction.process import process_one
from tasks.ingest.raw import RawDocument

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.csv"))


@pytest.mark.parametrize("golden", GOLDEN, ids=[g.stem for g in GOLDEN])
def test_seed_document_matches_its_golden_facts(golden):
    seed = ROOT / "seeds" / f"{golden.stem}.txt"
    raw = RawDocument(str(seed.relative_to(ROOT)), seed.read_bytes())
    _, facts = process_one(raw, load_catalogue())
    got = {(f["indicator_id"], f["period_year"], f["measure"], round(f["value"], 4)) for f in facts}
    expected = pd.read_csv(golden)
    want = {(r.indicator_id, r.period_year, r.measure, round(r.value, 4)) for r in expected.itertuples()}
    assert want - got == set(), "figures not extracted"
    assert got - want == set(), "figures extracted that the document does not state"
    text = seed.read_text(encoding="utf-8")
    for f in facts:
        assert text[f["span_start"]:f["span_end"]] == f["text"]
