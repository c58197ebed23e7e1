"""Run the pure extraction stages on a short text, the way the pipeline does."""
from tasks.contract.catalogue import load_catalogue
from tasks.extraction.process import process_one
from tasks.ingest.raw import RawDocument


def facts_of(text: str, name: str = "doc.txt") -> list[tuple]:
    """(indicator_id, period_year, measure, value, qualifier) of every fact extracted from `text`."""
    _, facts = process_one(RawDocument(name, text.encode("utf-8")), load_catalogue())
    return sorted((f["indicator_id"], f["period_year"], f["measure"], round(f["value"], 6), f["qualifier"])
                  for f in facts)


def keys_of(text: str) -> set[tuple]:
    return {f[:4] for f in facts_of(text)}
