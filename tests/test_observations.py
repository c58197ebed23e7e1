"""Per-document observations: a cached run gives the uncached run's bytes and reads no document twice."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SEEDS, SHARED
from tasks.contract.catalogue import load_catalogue
from tasks.extraction.process import process_documents
from tasks.ingest.raw import RawDocument
from tasks.ops import fingerprint
from tasks.store.observations import ObservationStore
from tasks.store.warehouse import Warehouse


def raws_of(folder: Path) -> list[RawDocument]:
    return [RawDocument(str(p), p.read_bytes()) for p in sorted(folder.glob("*.txt"))]


def stored_bytes(result, root: Path) -> dict[str, bytes]:
    """The Parquet bytes the warehouse writes for the three per-document datasets of every release."""
    wh = Warehouse(root)
    frames = {"documents": result.documents, "facts": result.facts, "unattributed": result.unattributed}
    out = {}
    for name, frame in frames.items():
        for year in sorted(set(result.documents["release_year"].astype(int))):
            path = wh.write_partition(name, year, frame[frame["release_year"] == year])
            out[f"{name}/{year}"] = path.read_bytes()
    return out


def cached_runs(raws: list[RawDocument], tmp_path: Path):
    """An uncached run, then two runs through an observation store: the first fills it, the second reads it."""
    catalogue, fp = load_catalogue(), fingerprint.extractor_fingerprint()
    store = ObservationStore(tmp_path / "wh")
    plain = process_documents(raws, catalogue)
    runs = []
    for _ in range(2):
        result = process_documents(raws, catalogue, fingerprint=fp, lookup=store.get)
        for key, observation in result.fresh.items():
            store.put(key, observation)
        runs.append(result)
    return plain, runs, store


def assert_same_bytes(plain, runs, tmp_path: Path) -> None:
    expected = stored_bytes(plain, tmp_path / "plain")
    assert expected and all(stored_bytes(r, tmp_path / f"run{i}") == expected for i, r in enumerate(runs))
    assert all(r.errors == plain.errors for r in runs)


def test_second_run_extracts_nothing_and_writes_the_uncached_bytes(tmp_path):
    raws = raws_of(SEEDS)
    plain, (first, second), store = cached_runs(raws, tmp_path)
    assert (plain.extracted, plain.reused, plain.fresh) == (len(raws), 0, {})
    assert (first.extracted, first.reused, len(first.fresh)) == (len(raws), 0, len(raws))
    assert (second.extracted, second.reused, second.fresh) == (0, len(raws), {})
    assert_same_bytes(plain, [first, second], tmp_path)
    files = sorted((tmp_path / "wh" / "observations").rglob("*.json"))
    assert len(files) == len(raws) and store.fingerprints() == [fingerprint.extractor_fingerprint()[:16]]


def test_only_documents_with_a_new_key_are_read(tmp_path):
    raws = raws_of(SEEDS)
    cached_runs(raws[:1], tmp_path)
    store = ObservationStore(tmp_path / "wh")
    result = process_documents(raws, load_catalogue(), fingerprint=fingerprint.extractor_fingerprint(),
                               lookup=store.get)
    assert (result.extracted, result.reused) == (len(raws) - 1, 1)
    assert_same_bytes(process_documents(raws, load_catalogue()), [result], tmp_path)


def test_another_extractor_fingerprint_reads_everything_again(tmp_path):
    raws = raws_of(SEEDS)
    _, _, store = cached_runs(raws, tmp_path)
    result = process_documents(raws, load_catalogue(), fingerprint="0" * 64, lookup=store.get)
    assert (result.extracted, result.reused) == (len(raws), 0)


def test_the_same_bytes_under_another_uri_are_read_again(tmp_path):
    """The uri is read (dates in URLs, HTML by suffix), so it is part of the reading context."""
    raws = raws_of(SEEDS)
    _, _, store = cached_runs(raws, tmp_path)
    moved = [RawDocument("https://example.org/2025/" + Path(r.source_uri).name, r.data) for r in raws]
    result = process_documents(moved, load_catalogue(), fingerprint=fingerprint.extractor_fingerprint(),
                               lookup=store.get)
    assert result.extracted == len(raws)


def test_a_damaged_observation_file_is_read_again(tmp_path):
    raws = raws_of(SEEDS)
    _, (first, _), store = cached_runs(raws, tmp_path)
    key = sorted(first.fresh)[0]
    store.path(key).write_text("{not json", encoding="utf-8")
    assert store.get(key) is None
    result = process_documents(raws, load_catalogue(), fingerprint=key[1], lookup=store.get)
    assert (result.extracted, result.reused) == (1, len(raws) - 1)


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["dev", "dev2"])
def test_labelled_corpora_cached_and_uncached_agree_byte_for_byte(corpus, tmp_path):
    """Batches where substitutions are learnt across documents and vintages group them."""
    raws = raws_of(SHARED / "corpus" / corpus / "docs")
    plain, runs, _ = cached_runs(raws, tmp_path)
    assert runs[1].extracted == 0 and runs[1].reused == runs[0].extracted
    assert_same_bytes(plain, runs, tmp_path)
