"""Number parser: table-driven cases plus hypothesis round-trips."""
import pytest
from hypothesis import given, strategies as st

from tasks.extraction.numbers import find_numbers, parse_number, resolution_of

CASES = [
    ("13.27亿人", 1.327e9, "persons"),
    ("3.49万亿元", 3.49e12, "money"),
    ("132662.08万人", 1326620800.0, "persons"),
    ("3690.80万人次", 36908000.0, "person_times"),
    ("95%", 95.0, "percent"),
    ("0.9个百分点", 0.9, "pp"),
    ("1,462,500", 1462500.0, "bare"),
    ("CNY 34,913.37 billion", 3.491337e13, "money"),
    ("349.1337 billion RMB", 3.491337e11, "money"),
    ("2.44 trillion yuan", 2.44e12, "money"),
    ("8.537 million", 8537000.0, "bare"),
    ("a billion", 1e9, "bare"),
    ("95 percent", 95.0, "percent"),
    ("186.6万元", 1866000.0, "money"),
    ("10741名", 10741.0, "persons"),
    ("2008家", 2008.0, "count"),
    ("3159种", 3159.0, "count"),
]


@pytest.mark.parametrize("text,value,unit", CASES)
def test_parse_number(text, value, unit):
    found = parse_number(text)
    assert found is not None
    assert found.value == pytest.approx(value, rel=1e-12)
    assert found.unit_kind == unit


def test_find_numbers_flags_encoding_damage():
    (mention,) = find_numbers("居民医?;鹗杖?724.48亿元")
    assert mention.value == pytest.approx(7.2448e10)
    assert "digits_maybe_lost" in mention.flags


def test_find_numbers_spans_point_at_the_figure():
    text = "基金总收入3.49万亿元,基金总支出2.98万亿元"
    found = find_numbers(text)
    assert [text[m.start:m.end] for m in found] == ["3.49万亿元", "2.98万亿元"]


@pytest.mark.parametrize("text,value,half", [("13.27亿人", 1.327e9, 5e5), ("400亿", 4e10, 5e9), ("63.4%", 63.4, 0.05)])
def test_resolution_follows_the_digits_written(text, value, half):
    assert resolution_of(text, value) == pytest.approx(half)


@given(st.integers(min_value=1, max_value=99_999_999), st.integers(min_value=0, max_value=2),
       st.sampled_from([("万", 1e4), ("亿", 1e8), ("万亿", 1e12)]), st.sampled_from(["元", "人", "人次"]))
def test_zh_round_trip(mantissa, decimals, scale, unit):
    number = mantissa / 10 ** decimals
    written = f"{number:.{decimals}f}{scale[0]}{unit}"
    parsed = parse_number(written)
    assert parsed is not None
    assert parsed.value == pytest.approx(number * scale[1], rel=1e-12)
    assert parsed.decimals == decimals


@given(st.integers(min_value=1, max_value=999_999_999), st.sampled_from([("million", 1e6), ("billion", 1e9)]))
def test_en_round_trip_with_thousands_separators(mantissa, scale):
    written = f"CNY {mantissa / 100:,.2f} {scale[0]}"
    parsed = parse_number(written)
    assert parsed is not None and parsed.unit_kind == "money"
    assert parsed.value == pytest.approx(mantissa / 100 * scale[1], rel=1e-12)


# --- one grammar (issue #8): every way a figure is written parses to the same value -------------------------
import math  # noqa: E402

from tasks.extraction.number_grammar import load_words, power_of_ten  # noqa: E402
from tasks.extraction.numbers import UNIT_KINDS, half_unit, uses_decimal_comma  # noqa: E402

GRAMMAR_CASES = [
    # Chinese scales, traditional forms and mixed groups
    ("4兆2639億8900万元", 4e12 + 2639e8 + 8900e4, "money"),
    ("4兆2639亿8900万元", 4e12 + 2639e8 + 8900e4, "money"),
    ("13億4592万人", 1345920000.0, "persons"),
    ("13亿4592萬人", 1345920000.0, "persons"),
    ("13亿4千万人", 1.34e9, "persons"),
    ("28千億", 2.8e12, "bare"),
    ("28千亿元", 2.8e12, "money"),
    ("1.2万亿元", 1.2e12, "money"),
    ("1.2萬億元", 1.2e12, "money"),
    ("3百亿元", 3e10, "money"),
    ("5千万人次", 5e7, "person_times"),
    ("6百万人", 6e6, "persons"),
    ("2兆元", 2e12, "money"),
    ("1.36亿人次", 1.36e8, "person_times"),
    ("12.5万人次", 125000.0, "person_times"),
    ("3.5千人", 3500.0, "persons"),
    ("1.5 万亿元", 1.5e12, "money"),
    # English scales after numbers and currencies
    ("3,069.772 billion yuan", 3.069772e12, "money"),
    ("2,443.172 billion", 2.443172e12, "bare"),
    ("CNY143.2bn", 1.432e11, "money"),
    ("CNY27.5bn yuan", 2.75e10, "money"),
    ("CNY2.6t", 2.6e12, "money"),
    ("CNY 16.5tn", 1.65e13, "money"),
    ("RMB 1.2 trln", 1.2e12, "money"),
    ("RMB1.2trn", 1.2e12, "money"),
    ("2.7 trln yuan", 2.7e12, "money"),
    ("1.8 bln yuan", 1.8e9, "money"),
    ("350 mln yuan", 3.5e8, "money"),
    ("8.6mn people", 8.6e6, "persons"),
    ("218m people", 2.18e8, "persons"),
    ("1.32b", 1.32e9, "bare"),
    ("604.988 b", 6.04988e11, "bare"),
    ("12k visits", 12000.0, "person_times"),
    ("a billion", 1e9, "bare"),
    ("one million", 1e6, "bare"),
    ("two thousand people", 2000.0, "persons"),
    ("¥3.2 billion", 3.2e9, "money"),
    ("￥500 million", 5e8, "money"),
    ("4.5 billion renminbi", 4.5e9, "money"),
    # foreign currencies are never CNY money
    ("$470b", 4.7e11, "foreign_money"),
    ("US$2.28tn", 2.28e12, "foreign_money"),
    ("USD 3.4 billion", 3.4e9, "foreign_money"),
    ("3.45 billion U.S. dollars", 3.45e9, "foreign_money"),
    ("12 million dollars", 1.2e7, "foreign_money"),
    ("€2.1 million", 2.1e6, "foreign_money"),
    ("EUR 5 million", 5e6, "foreign_money"),
    ("7.5 million euros", 7.5e6, "foreign_money"),
    ("3.45亿美元", 3.45e8, "foreign_money"),
    ("20亿欧元", 2e9, "foreign_money"),
    ("8亿港元", 8e8, "foreign_money"),
    ("HK$6.2 billion", 6.2e9, "foreign_money"),
    # percent and percentage points
    ("95%", 95.0, "percent"),
    ("95％", 95.0, "percent"),
    ("95 percent", 95.0, "percent"),
    ("95 per cent", 95.0, "percent"),
    ("33.9-percent", 33.9, "percent"),
    ("4.2 pct", 4.2, "percent"),
    ("百分之二十", 20.0, "percent"),
    ("百分之九十五", 95.0, "percent"),
    ("百分之三点五", 3.5, "percent"),
    ("百分之一百零五", 105.0, "percent"),
    ("百分之20", 20.0, "percent"),
    ("0.9个百分点", 0.9, "pp"),
    ("1.2百分点", 1.2, "pp"),
    ("0.9 percentage points", 0.9, "pp"),
    ("1 percentage point", 1.0, "pp"),
    ("0.3 pp", 0.3, "pp"),
    ("0.3 ppt", 0.3, "pp"),
    ("2.5-percentage-point", 2.5, "pp"),
    # persons, person-times, counts, households
    ("10,741 persons", 10741.0, "persons"),
    ("1.33 billion people", 1.33e9, "persons"),
    ("4.2 million person-times", 4.2e6, "person_times"),
    ("3.6 billion visits", 3.6e9, "person_times"),
    ("126个", 126.0, "count"),
    ("91项", 91.0, "count"),
    ("3018起", 3018.0, "count"),
    ("52万户", 520000.0, "households"),
    # separators between groups of exactly three digits
    ("1 345 920 000 people", 1345920000.0, "persons"),
    ("1\u00a0345\u00a0920\u00a0000 people", 1345920000.0, "persons"),
    ("1\u2009345\u2009920 persons", 1345920.0, "persons"),
    ("1\u202f345\u202f920.5 yuan", 1345920.5, "money"),
    ("CNY 2 443.172 billion", 2.443172e12, "money"),
    # signs
    ("+3.1%", 3.1, "percent"),
    ("-2.5%", -2.5, "percent"),
    ("\u22122.5%", -2.5, "percent"),
    ("-0.4个百分点", -0.4, "pp"),
]


@pytest.mark.parametrize("text,value,unit", GRAMMAR_CASES)
def test_every_written_form_parses_to_its_value(text, value, unit):
    found = parse_number(text)
    assert found is not None, text
    assert found.value == pytest.approx(value, rel=1e-12)
    assert found.unit_kind == unit
    assert found.unit_kind in UNIT_KINDS


@pytest.mark.parametrize("text,currency", [("CNY143.2bn", "CNY"), ("3.49万亿元", "CNY"), ("$470b", "USD"),
                                           ("20亿欧元", "EUR"), ("HK$6.2 billion", "HKD"), ("95%", None)])
def test_currency_code_is_kept(text, currency):
    assert parse_number(text).currency == currency


@pytest.mark.parametrize("text,values", [
    ("2019-2022年", [2019.0, 2022.0]),                     # a range, not a subtraction
    ("10%-15%", [10.0, 15.0]),
    ("3万-5万人", [30000.0, 50000.0]),
    ("COVID-19 vaccines", [19.0]),
    ("grew by 5 more points", [5.0]),                      # 'm' of 'more' is no million
    ("rose 4 times", [4.0]),                               # 't' of 'times' is no trillion
    ("the 4th year", [4.0]),
    ("8 a.m. on 3 beds", [8.0, 3.0]),
    ("分别为120,350人", [120350.0]),                        # a thousands group stays one number
    ("1,2345", [1.0, 2345.0]),                              # a broken group is not glued
    ("in 2023 134 million people", [2023.0, 1.34e8]),       # a 4-digit year never opens a space group
    ("2000万1000万", [2e7, 1e7]),                           # groups must fall, or they are two figures
])
def test_no_false_splits_or_joins(text, values):
    assert [m.value for m in find_numbers(text, decimal_comma=False)] == pytest.approx(values)


def test_sign_is_kept_and_marked():
    (plus,) = find_numbers("同比+3.1%")
    (minus,) = find_numbers("增长-2.5%")
    (unsigned,) = find_numbers("增长2.5%")
    assert (plus.value, plus.signed, plus.text) == (3.1, True, "+3.1%")
    assert (minus.value, minus.signed, minus.text) == (-2.5, True, "-2.5%")
    assert not unsigned.signed


def test_decimal_comma_pages_are_detected_and_parsed():
    page = "Die Ausgaben stiegen um 3,5 % auf 1.234,56 Mrd yuan; 12,8 % der Kassen."
    assert uses_decimal_comma(page)
    assert not uses_decimal_comma("Revenue was 1,234.5 billion yuan, up 3.5%.")
    assert not uses_decimal_comma("Mixed 1.234,56 and 1,234.56 stays with decimal points.")
    assert [m.value for m in find_numbers(page)] == pytest.approx([3.5, 1234.56, 12.8])
    assert [m.value for m in find_numbers("3,5 %", decimal_comma=True)] == [3.5]
    assert [m.value for m in find_numbers("1.234.567 Personen", decimal_comma=True)] == [1234567.0]


@pytest.mark.parametrize("text", ["9" * 309, "9" * 309 + "万亿元", "1" + "0" * 400 + " billion", "9" * 19 + "万",
                                  "1" + " 000" * 40 + " people", "1" + "0" * 30])
def test_absurd_digit_runs_are_not_figures(text):
    assert find_numbers(text) == []
    assert all(math.isfinite(m.value) for m in find_numbers("共" + text + "，另有12人"))


def test_eighteen_digits_still_parse():
    (m,) = find_numbers("123456789012345678")
    assert m.value == pytest.approx(123456789012345678.0)


@pytest.mark.parametrize("text,half", [
    ("13.27亿", 5e5), ("132662.08万", 50.0), ("400亿", 5e9), ("3.40万亿", 5e9), ("95%", 0.5),
    ("4兆2639億8900万元", 5e3), ("13亿4千万人", 5e6), ("CNY 34,913.37 billion", 5e6), ("1,462,500", 50.0),
    ("a billion", 5e8), ("2.7 trln yuan", 5e10), ("0.9个百分点", 0.05), ("百分之三点五", 0.05),
])
def test_resolution_travels_with_the_value(text, half):
    found = parse_number(text)
    assert found.resolution == pytest.approx(half)
    assert resolution_of(text, found.value) == pytest.approx(half)  # the same single definition


def test_resolution_of_picks_the_figure_with_the_value_and_keeps_the_old_fallback():
    assert resolution_of("2023年13.27亿人", 1.327e9) == pytest.approx(5e5)
    assert resolution_of("下降2.5%", -2.5) == pytest.approx(0.05)
    assert resolution_of("no digits", 8.0) == pytest.approx(4.0)


@pytest.mark.parametrize("mantissa,exponent,zeros,half", [
    ("13.27", 8, False, 5e5), ("400", 8, False, 5e9), ("8900", 4, True, 5e3), ("3.40", 12, False, 5e9),
    ("0", 0, False, 0.5), ("95", 0, False, 0.5)])
def test_half_unit_is_the_one_precision_rule(mantissa, exponent, zeros, half):
    assert half_unit(mantissa, exponent, zeros) == pytest.approx(half)


def test_spans_include_the_sign_and_the_unit_but_not_a_currency_prefix():
    text = "收入CNY143.2bn，增长-2.5%"
    spans = [text[m.start:m.end] for m in find_numbers(text)]
    assert spans == ["143.2bn", "-2.5%"]


def test_number_words_yaml_is_consistent():
    words = load_words()
    for table in ("zh_scales", "en_scale_words", "en_scale_letters"):
        for word, value in words[table].items():
            assert 10 ** power_of_ten(value) == pytest.approx(value), word
    kinds = set(words["zh_units"].values()) | set(words["en_units"].values())
    assert kinds <= set(UNIT_KINDS)
    assert all(len(letter) == 1 for letter in words["en_scale_letters"])
    codes = (set(words["currency_prefixes"].values()) | set(words["currency_suffixes_zh"].values())
             | set(words["currency_suffixes_en"].values()))
    assert "CNY" in codes and all(len(code) == 3 and code.isupper() for code in codes)
    assert all(not (set(w) & set("0123456789")) for table in ("zh_units", "en_units") for w in words[table])
    assert set(words["signs"].values()) <= {1, -1}
    assert words["limits"]["max_significant_digits"] >= 15
    with pytest.raises(ValueError):
        power_of_ten(3e4)
