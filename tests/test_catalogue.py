"""The catalogue and vocabulary are data checked against the contract and against each other."""
import csv
from pathlib import Path

import pytest
import yaml

from tasks.contract.catalogue import CatalogueError, load_catalogue, parse_catalogue
from tasks.contract.schema import UNITS
from tasks.extraction.vocabulary import VOCABULARY_PATH, load_vocabulary

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "indicators.csv"


def test_catalogue_entries_are_well_formed():
    cat = load_catalogue()
    for ind in cat.indicators.values():
        assert ind.unit in UNITS and ind.zh and ind.en and ind.range[0] < ind.range[1]
    pairs = [(i.scheme, i.metric) for i in cat.indicators.values() if i.metric]
    assert len(pairs) == len(set(pairs)), "two indicators share a scheme x metric"


@pytest.mark.skipif(not CONTRACT.exists(), reason="../shared/contract is not beside the repo")
def test_catalogue_covers_every_contract_id_with_its_unit():
    cat = load_catalogue()
    for row in csv.DictReader(CONTRACT.open(encoding="utf-8")):
        assert row["indicator_id"] in cat, row["indicator_id"]
        assert cat[row["indicator_id"]].unit == row["unit"]


def test_vocabulary_names_only_catalogued_things():
    cat = load_catalogue()
    data = yaml.safe_load(VOCABULARY_PATH.read_text(encoding="utf-8"))
    assert set(data["direct"]) <= set(cat.ids)
    metrics = {i.metric for i in cat.indicators.values() if i.metric}
    for key in data["metrics"]:
        assert key == "ignore" or key in metrics or key.split(".tier")[0] in metrics, key
    schemes = {i.scheme for i in cat.indicators.values() if i.scheme}
    assert set(data["schemes"]) <= schemes
    load_vocabulary()  # every pattern compiles


@pytest.mark.parametrize("text,error", [
    ("indicators: []", "non-empty"),
    ("indicators:\n  - {id: a, unit: yen, zh: x, en: y, range: [0, 1]}", "unknown unit"),
    ("indicators:\n  - {id: a, unit: CNY, zh: x, en: y, range: [2, 1]}", "low < high"),
    ("indicators:\n  - {id: a, unit: CNY, zh: x, en: y, range: [0, 1]}\n  - {id: a, unit: CNY, zh: x, en: y, range: [0, 1]}",
     "duplicate"),
])
def test_malformed_catalogue_is_refused(text, error):
    with pytest.raises(CatalogueError, match=error):
        parse_catalogue(text)
