"""The HTML report of a release and the site pages: escaped quotes, key figures, charts, checks, links."""
from __future__ import annotations

import io
import re

import pandas as pd
from release_frames import SCRIPT, SEED_2024, published, seed_bundle

from tasks.contract.catalogue import load_catalogue
from tasks.publish.derive import identity_checks
from tasks.present.report import render_release, render_site
from tasks.publish.vintages import build_revisions


def html_of(bundle) -> str:
    return render_release(bundle)["report.html"].decode("utf-8")


def test_source_quotes_are_escaped():
    html = html_of(seed_bundle())
    assert "<script" not in html.lower()
    assert "较上年增长63.4% &lt;script&gt;alert(1)&lt;/script&gt;" in html      # the published quote
    assert "up 63.2% &lt;script&gt;alert(1)&lt;/script&gt;" in html            # a candidate's quote
    assert "yuan &lt;script&gt;" in html                                         # a validation sample


def test_key_figures_with_year_on_year_changes():
    html = html_of(seed_bundle())
    cards = dict(re.findall(r'data-indicator="([^"]+)">.*?<div class="value">([^<]+)</div>', html, re.S))
    assert cards["bmi.fund.revenue"] == "CNY 3,491.337 bn"
    assert cards["bmi.participants"] == "1,326.62 m persons"
    assert cards["derived.bmi.fund.balance"] == "CNY 514.934 bn"
    assert cards["ebmi.inpatient_reimbursement_ratio"] == "84.8%"
    assert "+4.2% on previous year" in html and "+0.2 pp on previous year" in html


def test_charts_conflicts_validation_and_links():
    html = html_of(seed_bundle())
    assert html.count("<svg") >= 5 and "Fund balance (revenue − expenditure)" in html
    conflicts = html.split('id="conflicts"')[1].split("</section>")[0]
    assert "cross_region.visits" in conflicts and "conflict: 63.2 in 3785d4ff51e68f84" in conflicts
    assert 'href="validation.html"' in html and 'href="../index.html"' in html
    assert 'href="https://example.org/bulletin?a=1&amp;b=2"' in html
    validation = html.split('id="validation"')[1].split("</section>")[0]
    assert "passed" in validation and "failed" in validation and "expect_column_values_to_be_in_set" in validation
    assert "fund_revenue.employee_plus_resident" in validation and "within rounding" in validation


def test_identity_beyond_rounding_is_shown_as_such():
    bundle = seed_bundle()
    rows = [r for r in SEED_2024 if r[0] != "rbmi.fund.revenue"] + [("rbmi.fund.revenue", 2024, "level", 1.13e12)]
    bundle.identities = identity_checks(published(rows), load_catalogue())
    html = html_of(bundle)
    assert html.count("beyond rounding") == 1


def test_only_web_sources_become_links():
    bundle = seed_bundle()
    bundle.documents.loc[0, "source_uri"] = "javascript:alert(1)"
    assert 'href="javascript:' not in html_of(bundle)


def history():
    """Release 2024 (seed) and a release 2025 that restates 2024's revenue."""
    bundle = seed_bundle()
    later = published([("bmi.fund.revenue", 2024, "level", 3491400e6), ("bmi.fund.revenue", 2025, "level", 3.6e12)],
                      release_year=2025)
    everything = pd.concat([bundle.published, later], ignore_index=True)
    revisions = build_revisions(bundle.facts.iloc[:0], bundle.documents, everything)
    return bundle, everything, revisions


def test_site_index_and_wide_series():
    _, everything, revisions = history()
    files = render_site(everything, revisions, load_catalogue())
    html = files["index.html"].decode("utf-8")
    assert html.index('href="2025/report.html"') < html.index('href="2024/report.html"')
    restatements = html.split('id="restatements"')[1]
    assert "CNY 3,491.337 bn" in restatements and "CNY 3,491.4 bn" in restatements
    series = pd.read_csv(io.BytesIO(files["series.csv"]))
    assert list(series.columns[:5]) == ["indicator_id", "region", "measure", "unit", "en"]
    assert {"2023", "2024", "2025"} <= set(series.columns)
    revenue = series[(series["indicator_id"] == "bmi.fund.revenue") & (series["measure"] == "level")].iloc[0]
    assert revenue["2024"] == 3491400e6 and revenue["2025"] == 3.6e12     # latest vintage by default
    assert revenue["2023"] == 3491337e6 - 141237e6                        # derived previous-year level
    assert series.duplicated(["indicator_id", "region", "measure"]).sum() == 0


def test_release_report_lists_revised_values():
    bundle, everything, revisions = history()
    later = render_release(type(bundle)(
        release_year=2025, published=everything[everything["release_year"] == 2025], facts=bundle.facts.iloc[:0],
        documents=bundle.documents.iloc[:0], identities=bundle.identities.iloc[:0], published_all=everything,
        revisions=revisions))
    revised = later["report.html"].decode("utf-8").split('id="revisions"')[1].split("</section>")[0]
    assert "CNY 3,491.337 bn" in revised and "restatement" in revised and "final_bulletin 2024" in revised
    assert SCRIPT not in later["report.html"].decode("utf-8")


def test_each_row_shows_the_evidence_that_decided_it_and_each_document_its_trust():
    bundle = seed_bundle()
    first = bundle.published.index[0]
    bundle.published.loc[first, "evidence"] = "vintage final_bulletin | sources 6f1d39fb7c2bd3b1 (0.95) | " \
                                              "repairs: repaired: off by 10^1 (agrees with 2 other source(s))"
    bundle.published.loc[first, "input_status"] = "repaired"
    html = html_of(bundle)
    assert "vintage final_bulletin<br>sources 6f1d39fb7c2bd3b1 (0.95)<br>repairs: repaired" in html
    assert "<th>Evidence</th>" in html and "<th>Trust</th>" in html
    assert "kind final_bulletin x1, language zh x1" in html         # the document's trust and its reasons


def left_out_frame(*rows):
    """Unattributed figures (doc_id, text, span_start, value, unit_kind, reason, context[, release_year])."""
    from tasks.contract.schema import columns

    records = [{"doc_id": d, "text": t, "span_start": s, "span_end": s + len(t), "value": v, "unit_kind": u,
                "reason": r, "context": c, "region": "CN", "release_year": rest[0] if rest else 2024}
               for d, t, s, v, u, r, c, *rest in rows]
    return pd.DataFrame(records, columns=columns("unattributed"))


def section(html: str, name: str) -> str:
    return html.split(f'id="{name}"')[1].split("</section>")[0]


def test_figures_left_out_are_listed_per_document_with_context_reason_and_counts_escaped():
    bundle = seed_bundle()
    bundle.unattributed = left_out_frame(
        ("6f1d39fb7c2bd3b1", "2100亿元", 40, 2.1e11, "money", "no metric word", f"全省共筹集2100亿元 {SCRIPT}"),
        ("6f1d39fb7c2bd3b1", "5.6亿人次", 10, 5.6e8, "person_times", "partial year", "1-6月享受待遇5.6亿人次"),
        ("3785d4ff51e68f84", "30 billion yuan", 7, 3.0e10, "money", "no metric word", "about 30 billion yuan"),
        ("3785d4ff51e68f84", "9.9亿人", 3, 9.9e8, "persons", "no metric word", "另一个年份", 2023))  # other release
    html = html_of(bundle)
    part = section(html, "left-out")
    assert "<script" not in part.lower() and "全省共筹集2100亿元 &lt;script&gt;" in part
    assert "3 figure(s)" in part and "no metric word</span> 2" in part and "partial year</span> 1" in part
    first = part.index("5.6亿人次")                                   # text order within a document
    assert first < part.index("2100亿元") and "1-6月享受待遇5.6亿人次" in part and "30 billion yuan" in part
    assert "9.9亿人" not in part                                      # another release's figure is not this one's
    assert "2024年全国医疗保障事业发展统计公报" in part and "no metric word: 1; partial year: 1" in part


def test_no_figures_left_out_says_so():
    assert "No figure of this release was left out" in section(html_of(seed_bundle()), "left-out")


def test_documents_table_shows_kind_evidence_confidence_date_and_region():
    bundle = seed_bundle()
    bundle.documents["kind_evidence"] = ["self: bulletin title (+3)", f"dated before the bulletin {SCRIPT}"]
    bundle.documents["kind_confidence"] = [0.9, 0.35]
    bundle.documents["published_date"] = ["2025-07-20", ""]
    bundle.documents["region"] = ["CN", "440000"]
    part = section(html_of(bundle), "documents")
    assert "self: bulletin title (+3)" in part and "(0.90)" in part and "(0.35)" in part
    assert "2025-07-20" in part and "440000" in part and "dated before the bulletin &lt;script&gt;" in part


def test_revisions_read_as_numbers_in_the_catalogue_unit_on_the_index_and_the_report():
    bundle, everything, _ = history()
    restated = everything[everything["release_year"] == 2025].copy()
    restated.loc[restated["period_year"] == 2024, "value"] = 3491337e6 + 1.32e10
    everything = pd.concat([everything[everything["release_year"] == 2024], restated], ignore_index=True)
    revisions = build_revisions(bundle.facts.iloc[:0], bundle.documents, everything)
    index = render_site(everything, revisions, load_catalogue())["index.html"].decode("utf-8")
    restatements = index.split('id="restatements"')[1].split("</section>")[0]
    assert "+CNY 13.2 bn" in restatements and "e+" not in restatements
    report = html_of(type(bundle)(
        release_year=2025, published=restated, facts=bundle.facts.iloc[:0], documents=bundle.documents.iloc[:0],
        identities=bundle.identities.iloc[:0], published_all=everything, revisions=revisions))
    assert "+CNY 13.2 bn" in report.split('id="revisions"')[1].split("</section>")[0]


def test_a_value_restated_unchanged_is_not_listed_as_revised():
    bundle, everything, _ = history()
    ratio = everything[(everything["indicator_id"] == "ebmi.inpatient_reimbursement_ratio")
                       & (everything["measure"] == "level")].assign(release_year=2025)
    everything = pd.concat([everything, ratio], ignore_index=True)
    revisions = build_revisions(bundle.facts.iloc[:0], bundle.documents, everything)
    assert not (revisions["revision"] == 0).any()
    zero = revisions.iloc[:1].assign(indicator_id="ebmi.inpatient_reimbursement_ratio", unit="percent", value=84.8,
                                     previous_value=84.8, revision=0.0, release_year=2025)   # an older warehouse's row
    later = html_of(type(bundle)(
        release_year=2025, published=everything[everything["release_year"] == 2025], facts=bundle.facts.iloc[:0],
        documents=bundle.documents.iloc[:0], identities=bundle.identities.iloc[:0], published_all=everything,
        revisions=pd.concat([revisions, zero], ignore_index=True)))
    revised = later.split('id="revisions"')[1].split("</section>")[0]
    assert "84.8%" not in revised and "CNY 3,491.4 bn" in revised


def test_validation_shows_the_release_own_row_counts_not_the_batch():
    bundle = seed_bundle()
    bundle.validations = [{"suite": "facts", "success": True, "n_rows": 343, "failures": []},
                          {"suite": "documents", "success": True, "n_rows": 7, "failures": []}]
    html = html_of(bundle)
    assert f"{len(bundle.facts)} rows of this release (the suite ran on the run's whole batch: 343 rows)" in html
    assert f"{len(bundle.documents)} rows of this release (the suite ran on the run's whole batch: 7 rows)" in html


def cards_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-indicator="([^"]+)">(.*?)</div>\s*</div>', html, re.S))


def test_key_figure_change_is_computed_from_the_previous_release_when_the_text_states_none():
    bundle = seed_bundle()
    before = published([("bmi.participants", 2023, "level", 1.334e9), ("ltc.participants", 2023, "level", 1.8e8)],
                       release_year=2023)
    bundle.published_all = pd.concat([before, bundle.published], ignore_index=True)
    cards = cards_of(html_of(bundle))
    assert "−0.6% on previous year" in cards["bmi.participants"]            # 1326.62 m over 1334 m
    assert "computed from release 2023" in cards["bmi.participants"]
    assert "+4.2% on previous year" in cards["bmi.fund.revenue"]            # stated: not recomputed
    assert "computed" not in cards["bmi.fund.revenue"]
    seed_only = cards_of(html_of(seed_bundle()))
    assert "on previous year" not in seed_only["bmi.participants"]          # nothing to compute from


def test_key_figures_keep_the_stated_precision_and_badge_a_vintage_once():
    bundle = seed_bundle()
    ratio = (bundle.published["indicator_id"] == "ebmi.inpatient_reimbursement_ratio")
    bundle.published.loc[ratio & (bundle.published["measure"] == "level"), ["value", "resolution"]] = [85.0, 0.05]
    bundle.published.loc[ratio, ["status", "vintage"]] = ["quick_report", "quick_report"]
    cards = cards_of(html_of(bundle))
    assert '<div class="value">85.0%</div>' in cards["ebmi.inpatient_reimbursement_ratio"]
    assert cards["ebmi.inpatient_reimbursement_ratio"].count(">quick_report<") == 1


def test_evidence_and_notes_never_show_exponent_notation():
    bundle = seed_bundle()
    revenue = (bundle.published["indicator_id"] == "bmi.fund.revenue") & (bundle.published["measure"] == "level")
    bundle.published.loc[revenue, "evidence"] = "vintage final_bulletin | value from 6f1d39fb7c2bd3b1 (exact, ±5e+07)"
    bundle.published.loc[revenue, ["status", "note"]] = ["repaired", "level and growth 4.2% imply 1.40726e+11"]
    bundle.validations.append({"suite": "identities", "success": False, "failures": [
        {"expectation": "expect_column_values_to_be_in_set", "columns": ["within_tolerance"], "unexpected_count": 1,
         "sample": ["count.cumulative_balance 1.0096e+12 vs 9.926e+11"]}]})
    html = html_of(bundle)
    assert "±50,000,000" in html and "imply 140,726,000,000" in html and "1,009,600,000,000 vs 992,600,000,000" in html
    assert not re.search(r"\d[eE][+-]\d", re.sub(r"<[^>]+>", " ", html))
