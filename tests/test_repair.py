"""Power-of-ten repairs need evidence, never depend on input order, and never judge a provincial figure."""
import random

import pandas as pd
import pytest
from test_reconcile import R, doc, fact

from tasks.catalogue import load_catalogue
from tasks.reconcile import publish_release
from tasks.schema import columns


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
