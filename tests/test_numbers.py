"""Number parser: table-driven cases plus hypothesis round-trips."""
import pytest
from hypothesis import given, strategies as st

from tasks.numbers import find_numbers, parse_number, resolution_of

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
