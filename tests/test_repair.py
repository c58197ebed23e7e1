"""Power-of-ten repairs need evidence, never depend on input order, and never judge a provincial figure."""
import random

import pandas as pd
import pytest
from test_reconcile import R, doc, fact

from tasks.contract.catalogue import load_catalogue
from tasks.publish.reconcile import publish_release
from tasks.contract.schema import columns


def frames(docs, facts, seed=None):
    docs, facts = list(docs), list(facts)
    if seed is not None:
        random.Random(seed).shuffle(docs)
        random.Random(seed + 1).shuffle(facts)
    return pd.DataFrame(facts, columns=columns("facts")), pd.DataFrame(docs, columns=columns("documents"))


def published(docs, facts, seed=None):
    f, d = frames(docs, facts, seed)
    return publish_release(R, f, d, load_catalogue())


def row(frame, indicator, measure="level", region="CN"):
    hit = frame[(frame.indicator_id == indicator) & (frame.measure == measure) & (frame.region == region)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# Two in-range figures exactly ten-fold apart (resident cumulative balance range 1e11..2e12): 1000亿 vs 10000亿
TEN_FOLD = ([doc("official"), doc("reprint", official=False)],
            [fact("official", "rbmi.fund.cumulative_balance", 1.0e11, "1000亿元"),
             fact("reprint", "rbmi.fund.cumulative_balance", 1.0e12, "10000亿元")])


def test_a_ten_fold_disagreement_without_evidence_is_suspect_in_every_input_order():
    outs = [published(*TEN_FOLD, seed=s) for s in range(6)]
    first = outs[0]
    for other in outs[1:]:
        pd.testing.assert_frame_equal(first, other)
    balance = row(first, "rbmi.fund.cumulative_balance")
    assert balance.status == "suspect" and "no independent evidence" in balance.note
    assert balance.value == 1.0e11        # the more trusted side is shown, flagged; nothing is "repaired"


def test_published_parquet_bytes_do_not_depend_on_input_order(tmp_path):
    docs = [*TEN_FOLD[0], doc("third", "en")]
    facts = [*TEN_FOLD[1], fact("third", "bmi.participants", 1.3266e9, "1.3266 billion"),
             fact("official", "bmi.participants", 1.3266208e9, "132662.08万人")]
    written = []
    for seed in (0, 1, 2):
        path = tmp_path / f"{seed}.parquet"
        published(docs, facts, seed).to_parquet(path, index=False)
        written.append(path.read_bytes())
    assert written[0] == written[1] == written[2]


def test_a_third_independent_source_settles_the_scale_and_the_repair_says_so():
    docs = [*TEN_FOLD[0], doc("third", "zht")]
    facts = [*TEN_FOLD[1], fact("third", "rbmi.fund.cumulative_balance", 1.0e12, "1萬億元")]
    for seed in (0, 3):
        balance = row(published(docs, facts, seed), "rbmi.fund.cumulative_balance")
        # two independent sources state 1万亿: the lone 1000亿 is the unit error, corrected on that evidence
        assert balance.value == 1.0e12 and balance.status == "repaired" and balance.n_sources == 3
        assert "source" in balance.note and "10^-1" in balance.note


def test_an_identity_is_evidence_for_a_repair():
    # employee + resident = total holds only at the corrected scale of the employee figure
    docs = [doc("a")]
    facts = [fact("a", "bmi.participants", 1.3266e9, "13.266亿人"),
             fact("a", "rbmi.participants", 9.4731e8, "94731万人"),
             fact("a", "ebmi.participants", 3.7929e9, "379290万人")]      # 10x too large, out of range
    employee = row(published(docs, facts), "ebmi.participants")
    assert employee.value == pytest.approx(3.7929e8) and employee.status == "repaired"
    assert "identity participants.employee_plus_resident holds" in employee.note


def test_a_range_alone_flags_the_figure_suspect_not_repaired():
    pub = published([doc("a")], [fact("a", "bmi.fund.revenue", 3.49e13, "349000亿元")])
    revenue = row(pub, "bmi.fund.revenue")
    assert revenue.status == "suspect" and revenue.value == pytest.approx(3.49e12)
    assert "only the plausible range" in revenue.note


def test_a_provincial_figure_is_never_range_checked_or_repaired_and_never_feeds_the_nation():
    facts = [fact("gd", "bmi.fund.revenue", 2.1e11, "2100亿元"), fact("cn", "bmi.fund.revenue", 3.49e12, "3.49万亿元")]
    facts[0]["region"] = "440000"
    pub = published([doc("gd"), doc("cn")], facts)
    province, nation = row(pub, "bmi.fund.revenue", region="440000"), row(pub, "bmi.fund.revenue")
    assert province.value == 2.1e11 and province.status == "single_source" and "repaired" not in province.note
    assert nation.value == 3.49e12 and nation.sources == "cn"


def earlier(*rows, release=R - 1):
    """Published rows of an earlier release: (indicator, period_year, value[, status[, release]])."""
    records = []
    for indicator, period, value, *rest in rows:
        status = rest[0] if rest else "agreed"
        records.append({"indicator_id": indicator, "region": "CN", "period_year": period, "measure": "level",
                        "value": value, "unit": load_catalogue()[indicator].unit, "status": status, "n_sources": 2,
                        "sources": "x;y", "qualifier": "exact", "vintage": "final_bulletin", "note": "",
                        "source_text": "", "resolution": abs(value) * 1e-4, "input_status": status, "evidence": "",
                        "release_year": rest[1] if len(rest) > 1 else release})
    return pd.DataFrame(records, columns=columns("published"))


def with_previous(docs, facts, previous, seed=None):
    f, d = frames(docs, facts, seed)
    return publish_release(R, f, d, load_catalogue(), previous=previous)


def test_last_years_published_level_backs_a_repair_the_range_alone_could_not():
    facts = [fact("a", "bmi.fund.revenue", 3.49e13, "349000亿元")]          # 10x too large, out of range
    revenue = row(with_previous([doc("a")], facts, earlier(("bmi.fund.revenue", R - 1, 3.35e12))),
                  "bmi.fund.revenue")
    assert revenue.status == "repaired" and revenue.value == pytest.approx(3.49e12)
    assert f"release {R - 1} published for {R - 1}" in revenue.note and "only the plausible range" not in revenue.note


def test_the_previous_release_value_of_the_same_key_backs_a_restated_figure():
    facts = [fact("a", "bmi.fund.revenue", 3.35e11, "3350亿元", year=R - 1)]  # restated a power of ten too small
    revenue = with_previous([doc("a")], facts, earlier(("bmi.fund.revenue", R - 1, 3.3501e12)))
    restated = revenue[revenue.period_year == R - 1].iloc[0]
    assert restated.status == "repaired" and restated.value == pytest.approx(3.35e12)
    assert f"release {R - 1} published" in restated.note and f"for {R - 1}" in restated.note


def test_last_years_level_times_the_stated_growth_backs_a_repair():
    facts = [fact("a", "bmi.fund.revenue", 3.49e13, "349000亿元"), fact("a", "bmi.fund.revenue", 4.2, "4.2%", "yoy_pct")]
    revenue = row(with_previous([doc("a")], facts, earlier(("bmi.fund.revenue", R - 1, 3.35e12))), "bmi.fund.revenue")
    assert revenue.status == "repaired" and "x growth 4.2% fits" in revenue.note


def test_a_growth_that_contradicts_last_years_level_is_no_evidence():
    facts = [fact("a", "bmi.fund.revenue", 3.49e13, "349000亿元"), fact("a", "bmi.fund.revenue", 40.0, "40%", "yoy_pct")]
    revenue = row(with_previous([doc("a")], facts, earlier(("bmi.fund.revenue", R - 1, 3.35e12))), "bmi.fund.revenue")
    assert revenue.status == "suspect"


def test_the_previous_release_settles_a_ten_fold_tie_in_every_input_order():
    previous = earlier(("rbmi.fund.cumulative_balance", R - 1, 9.6e11))
    outs = [with_previous(*TEN_FOLD, previous, seed=s) for s in range(4)]
    for other in outs[1:]:
        pd.testing.assert_frame_equal(outs[0], other)
    balance = row(outs[0], "rbmi.fund.cumulative_balance")
    assert balance.value == 1.0e12 and balance.status != "suspect" and balance.n_sources == 2
    assert f"release {R - 1} published for {R - 1}" in balance.note


@pytest.mark.parametrize("status, release", [("suspect", R - 1), ("derived", R - 1), ("unconfirmed", R - 1),
                                             ("agreed", R), ("agreed", R + 1)])
def test_weak_rows_and_rows_of_this_or_later_releases_are_no_evidence(status, release):
    previous = earlier(("bmi.fund.revenue", R - 1, 3.35e12, status, release))
    revenue = row(with_previous([doc("a")], [fact("a", "bmi.fund.revenue", 3.49e13, "349000亿元")], previous),
                  "bmi.fund.revenue")
    assert revenue.status == "suspect" and "only the plausible range" in revenue.note


def test_a_level_far_from_last_years_is_no_evidence_for_a_scale():
    previous = earlier(("bmi.fund.revenue", R - 1, 1.2e12))                 # 3.49e12 is 2.9x: no year moves so far
    revenue = row(with_previous([doc("a")], [fact("a", "bmi.fund.revenue", 3.49e13, "349000亿元")], previous),
                  "bmi.fund.revenue")
    assert revenue.status == "suspect"
