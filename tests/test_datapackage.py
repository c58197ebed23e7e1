"""Release CSVs and the Frictionless Data Package: valid with the pinned frictionless, exact, deterministic."""
from __future__ import annotations

import hashlib
import io
import re
import json
from pathlib import Path

import pandas as pd
import pytest
from frictionless import validate
from release_frames import SEED_2024, documents, published, seed_bundle

from tasks.contract.catalogue import load_catalogue
from tasks.present.datapackage import csv_bytes, release_tables
from tasks.publish.derive import IDENTITY_COLUMNS
from tasks.present.report import render_release
from tasks.contract.schema import KEY, columns


def write(files: dict[str, bytes], directory: Path) -> Path:
    """Put release files where a user would find them (the warehouse does this in the pipeline)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content)
    return directory / "datapackage.json"


def test_release_datapackage_validates_with_frictionless(tmp_path):
    bundle = seed_bundle()
    report = validate(write(render_release(bundle), tmp_path / "2024"))
    assert report.valid, report.flatten(["type", "note"])
    descriptor = json.loads((tmp_path / "2024" / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) == {"indicators", "indicators_spreadsheet", "dictionary", "identities", "documents"}
    assert resources["indicators_spreadsheet"]["encoding"] == "utf-8-sig"
    indicators = resources["indicators"]
    assert indicators["schema"]["primaryKey"] == KEY
    assert [f["name"] for f in indicators["schema"]["fields"]] == columns("published")
    assert all(f.get("description") for r in resources.values() for f in r["schema"]["fields"])
    written = (tmp_path / "2024" / "indicators.csv").read_bytes()
    assert indicators["hash"] == f"sha256:{hashlib.sha256(written).hexdigest()}"
    source = next(s for s in descriptor["sources"] if s["path"] == "seeds/000_6f1d39fb7c2bd3b1.txt")
    assert source["sha256"] == bundle.documents["sha256"][0] and source["fetched_at"].startswith("2025-07-20")
    units = pd.read_csv(tmp_path / "2024" / "dictionary.csv").set_index("indicator_id")["unit"]
    assert units["bmi.fund.revenue"] == "CNY" and units["derived.bmi.fund.expenditure_revenue_ratio"] == "percent"


def test_tampered_or_dangling_release_fails_validation(tmp_path):
    path = write(render_release(seed_bundle()), tmp_path / "a")
    csv = path.parent / "indicators.csv"
    csv.write_bytes(csv.read_bytes().replace(b"3491337000000", b"3491337000001"))
    assert not validate(path).valid                                   # hash no longer matches
    unknown = published(SEED_2024[:1])
    unknown["indicator_id"] = "nosuch.indicator"
    files = release_tables(unknown, pd.DataFrame(columns=IDENTITY_COLUMNS), documents(("6f1d39fb7c2bd3b1",
                           "final_bulletin", 2024)), load_catalogue())
    report = validate(write(files, tmp_path / "b"))
    assert not report.valid and "foreign-key" in {t for t, in report.flatten(["type"])}


def test_indicators_csv_reads_back_exactly_and_is_deterministic():
    bundle = seed_bundle()
    first, second = render_release(bundle), render_release(seed_bundle())
    assert first == second
    back = pd.read_csv(pd.io.common.BytesIO(first["indicators.csv"]))
    assert list(back.columns) == columns("published")
    merged = back.merge(bundle.published, on=KEY, suffixes=("_csv", ""))
    assert len(merged) == len(bundle.published)
    assert (merged["value_csv"] == merged["value"]).all()


@pytest.mark.parametrize("value, cell", [(3491337000000.0, "3491337000000"), (84.8, "84.8"), (None, ""),
                                         (True, "true"), (2631.754, "2631.754"), ("a,b", '"a,b"')])
def test_csv_cells(value, cell):
    frame = pd.DataFrame({"x": [value], "n": [1]}, dtype=object)
    assert csv_bytes(frame, ["x", "n"]).decode("utf-8") == f"x,n\n{cell},1\n"


def test_documents_csv_shows_kind_evidence_region_and_the_trust_reconciliation_used(tmp_path):
    from tasks.publish.reconcile import release_trust

    bundle = seed_bundle()
    bundle.documents["kind_evidence"] = ["self: 统计公报 in title (+3); date 2025-07-20 after the bulletin (+1)",
                                         "news about the bulletin (+1)"]
    bundle.documents["kind_confidence"] = [0.9, 0.4]
    bundle.documents["published_date"] = ["2025-07-20", ""]
    bundle.documents["region"] = ["CN", "440000"]
    bundle.documents.loc[1, "language"] = "en"
    path = write(render_release(bundle), tmp_path / "2024")
    assert validate(path).valid
    docs = pd.read_csv(path.parent / "documents.csv", dtype={"region": str}, keep_default_na=False).set_index("doc_id")
    for name in ("kind", "kind_evidence", "kind_confidence", "published_date", "region", "trust", "trust_reasons"):
        assert name in docs.columns
    expected = release_trust(2024, bundle.facts, bundle.documents, load_catalogue())
    for doc_id, verdict in expected.items():
        assert float(docs.loc[doc_id, "trust"]) == pytest.approx(verdict.score, abs=1e-4)
        assert docs.loc[doc_id, "trust_reasons"] == "; ".join(verdict.reasons)
    second = docs.loc["3785d4ff51e68f84"]
    assert second["region"] == "440000" and float(second["kind_confidence"]) == 0.4
    first = docs.loc["6f1d39fb7c2bd3b1"]
    assert "language en" in second["trust_reasons"] and float(second["trust"]) < float(first["trust"])
    assert first["kind_evidence"].startswith("self: 统计公报") and first["published_date"] == "2025-07-20"
    described = {f["name"] for r in json.loads((path.parent / "datapackage.json").read_text())["resources"]
                 if r["name"] == "documents" for f in r["schema"]["fields"]}
    assert {"kind_evidence", "kind_confidence", "region", "trust", "trust_reasons"} <= described


def test_a_quarantined_document_has_no_trust_but_is_listed():
    bundle = seed_bundle()
    bundle.documents.loc[1, "status"] = "quarantined"
    docs = pd.read_csv(pd.io.common.BytesIO(render_release(bundle)["documents.csv"])).set_index("doc_id")
    assert len(docs) == 2 and pd.isna(docs.loc["3785d4ff51e68f84", "trust"])
    assert docs.loc["6f1d39fb7c2bd3b1", "trust"] > 0


def test_spreadsheet_file_opens_in_excel_with_names_bulletin_units_and_plain_decimals(tmp_path):
    """Excel in a Chinese locale needs the BOM to read UTF-8, and shows 13-digit numbers as E+12 unless written out."""
    bundle = seed_bundle()
    bundle.published.loc[bundle.published["indicator_id"] == "rbmi.fund.current_balance", "value"] *= -1
    files = render_release(bundle)
    raw = files["indicators_spreadsheet.csv"]
    assert raw.startswith(b"\xef\xbb\xbf") and not files["indicators.csv"].startswith(b"\xef\xbb\xbf")
    sheet = pd.read_csv(io.StringIO(raw.decode("utf-8-sig")), dtype=str, keep_default_na=False)
    numbers = [v for column in ("value", "value_bulletin_unit") for v in sheet[column] if v]
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in numbers)       # never 3.49E+12
    sheet = sheet[sheet["period_year"] == "2024"].set_index(["indicator_id", "measure"])
    revenue = sheet.loc[("bmi.fund.revenue", "level")]
    assert revenue["name_zh"] == "基本医疗保险(含生育保险)基金总收入"
    assert revenue["name_en"] == "BMI fund total revenue (incl. maternity)"
    assert (revenue["value"], revenue["value_bulletin_unit"], revenue["bulletin_unit"]) == (
        "3491337000000", "34913.37", "亿元")
    people = sheet.loc[("bmi.participants", "level")]
    assert (people["value"], people["value_bulletin_unit"], people["bulletin_unit"]) == ("1326620000", "132662", "万人")
    ratio = sheet.loc[("ebmi.inpatient_reimbursement_ratio", "yoy_pp")]
    assert (ratio["value"], ratio["bulletin_unit"]) == ("0.2", "个百分点")
    balance = sheet.xs("rbmi.fund.current_balance", level="indicator_id")
    assert balance.loc["level", "value"] == "-51942000000" and "'" not in "".join(balance["value"])
    # indicators.csv keeps its contract columns
    assert pd.read_csv(io.BytesIO(files["indicators.csv"])).columns.tolist() == columns("published")
