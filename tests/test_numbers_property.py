"""Property tests: random values rendered in every written style parse back to the same value and unit kind."""
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from tasks.extraction.numbers import find_numbers, parse_number

FAST = settings(max_examples=60, deadline=None)

ZH_SCALES = [("万", 4), ("萬", 4), ("亿", 8), ("億", 8), ("万亿", 12), ("萬億", 12), ("兆", 12), ("千万", 7), ("百亿", 10)]
ZH_UNITS = [("元", "money"), ("人", "persons"), ("人次", "person_times"), ("美元", "foreign_money"), ("", "bare"),
            ("家", "count"), ("户", "households")]
EN_SCALES = [("trillion", 12), ("tn", 12), ("trn", 12), ("trln", 12), ("t", 12), ("billion", 9), ("bn", 9),
             ("bln", 9), ("b", 9), ("million", 6), ("mn", 6), ("mln", 6), ("m", 6), ("thousand", 3), ("k", 3)]
MONEY = [("CNY", "", "money"), ("CNY ", "", "money"), ("RMB ", "", "money"), ("¥", "", "money"),
         ("", " yuan", "money"), ("CNY", " yuan", "money"), ("", " RMB", "money"), ("$", "", "foreign_money"),
         ("US$", "", "foreign_money"), ("USD ", "", "foreign_money"), ("", " U.S. dollars", "foreign_money"),
         ("€", "", "foreign_money"), ("", "", "bare"), ("", " people", "persons")]
SEPARATORS = [" ", "\u00a0", "\u2009", "\u202f", ","]


def decimal_text(mantissa: int, decimals: int) -> str:
    """An integer mantissa written with a fixed number of decimals ('1234', 2 → '12.34')."""
    digits = str(mantissa).rjust(decimals + 1, "0")
    return f"{digits[:-decimals]}.{digits[-decimals:]}" if decimals else digits


def grouped(integer: int, sep: str) -> str:
    """An integer with a thousands separator between groups of three digits."""
    return f"{integer:,}".replace(",", sep)


def expected(written: str, exponent: int) -> float:
    return float(Decimal(written).scaleb(exponent))


@FAST
@given(st.integers(1, 99_999_999), st.integers(0, 4), st.sampled_from(ZH_SCALES), st.sampled_from(ZH_UNITS))
def test_zh_scaled_figures(mantissa, decimals, scale, unit):
    number = decimal_text(mantissa, decimals)
    parsed = parse_number(f"{number}{scale[0]}{unit[0]}")
    assert parsed is not None
    assert parsed.value == expected(number, scale[1])
    assert parsed.unit_kind == unit[1] and parsed.scaled and parsed.decimals == decimals
    if decimals:
        assert parsed.resolution == expected("5", scale[1] - decimals - 1)


@FAST
@given(st.integers(1, 9999), st.integers(0, 9999), st.integers(1, 9999), st.sampled_from(["兆", "万亿", "萬億"]),
       st.sampled_from(["亿", "億"]), st.sampled_from(["万", "萬"]), st.sampled_from(ZH_UNITS))
def test_zh_mixed_groups_add_up(top, middle, low, big, mid, small, unit):
    written = f"{top}{big}" + (f"{middle}{mid}" if middle else "") + f"{low}{small}{unit[0]}"
    parsed = parse_number(written)
    assert parsed is not None, written
    assert parsed.value == float(Decimal(top).scaleb(12) + Decimal(middle).scaleb(8) + Decimal(low).scaleb(4))
    assert parsed.unit_kind == unit[1]
    assert parsed.resolution == 5e3  # the unit of the last group


@FAST
@given(st.integers(1, 9999), st.integers(1, 9999), st.sampled_from(["亿", "億"]), st.sampled_from(["人", "元"]))
def test_zh_yi_wan_groups(high, low, yi, unit):
    parsed = parse_number(f"{high}{yi}{low}万{unit}")
    assert parsed is not None and parsed.value == float(high * 10**8 + low * 10**4)


@FAST
@given(st.integers(1, 99_999_999), st.integers(0, 3), st.sampled_from(EN_SCALES), st.sampled_from(MONEY),
       st.sampled_from([" ", ""]))
def test_en_scaled_figures_with_comma_groups_and_currencies(mantissa, decimals, scale, money, gap):
    if len(scale[0]) == 1 and money[1] and money[1].strip()[0].isalpha() and not gap:
        gap = " "  # '5 b yuan' is written with a space before the unit word
    integer, _, fraction = decimal_text(mantissa, decimals).partition(".")
    number = f"{int(integer):,}" + (f".{fraction}" if fraction else "")
    written = f"{money[0]}{number}{gap}{scale[0]}{money[1]}"
    parsed = parse_number(written)
    assert parsed is not None, written
    assert parsed.value == expected(number.replace(",", ""), scale[1])
    assert parsed.unit_kind == money[2] and parsed.scaled


@FAST
@given(st.integers(1000, 10**15), st.sampled_from(SEPARATORS), st.sampled_from([" people", " persons", " yuan", ""]))
def test_thousands_groups_with_any_separator(integer, sep, unit):
    written = grouped(integer, sep) + unit
    (mention,) = find_numbers(written, decimal_comma=False)
    assert mention.value == float(integer)
    assert mention.text == written


@FAST
@given(st.integers(1000, 10**12), st.integers(1, 99), st.sampled_from([".", " ", "\u00a0"]))
def test_decimal_comma_pages(integer, cents, sep):
    number = f"{grouped(integer, sep)},{cents:02d}"
    page = f"Die Ausgaben stiegen um 3,5 % auf {number} yuan."
    values = [m.value for m in find_numbers(page)]
    assert values == [3.5, float(Decimal(f"{integer}.{cents:02d}"))]
    assert parse_number(f"{number} yuan", decimal_comma=True).unit_kind == "money"


@FAST
@given(st.integers(0, 99_999), st.integers(0, 2), st.sampled_from(["", "+", "-", "\u2212"]),
       st.sampled_from([("%", "percent"), ("％", "percent"), (" percent", "percent"), (" per cent", "percent"),
                        ("-percent", "percent"), (" pct", "percent"), ("个百分点", "pp"), (" percentage points", "pp"),
                        (" pp", "pp"), (" ppt", "pp")]))
def test_percent_and_percentage_point_styles(mantissa, decimals, sign, style):
    number = decimal_text(mantissa, decimals)
    (mention,) = find_numbers(f"同比{sign}{number}{style[0]}")
    value = float(Decimal(number))
    assert mention.value == (-value if sign in ("-", "\u2212") else value)
    assert mention.unit_kind == style[1] and mention.signed == bool(sign)


@FAST
@given(st.integers(1, 100))
def test_chinese_numeral_percent(value):
    numerals = "零一二三四五六七八九"
    tens, units = divmod(value, 10)
    written = ("一百" if value == 100 else numerals[units] if value < 10
               else ("" if tens == 1 else numerals[tens]) + "十" + (numerals[units] if units else ""))
    (mention,) = find_numbers(f"提高了百分之{written}")
    assert mention.value == value and mention.unit_kind == "percent"


@FAST
@given(st.lists(st.tuples(st.integers(1, 99_999), st.sampled_from(ZH_SCALES[:4]), st.sampled_from(ZH_UNITS[:3])),
                min_size=1, max_size=6))
def test_figures_in_a_sentence_keep_their_spans(items):
    parts = [f"{m}{s[0]}{u[0]}" for m, s, u in items]
    text = "，其中".join(parts)
    found = find_numbers(text)
    assert [text[f.start:f.end] for f in found] == parts
    assert [f.value for f in found] == [expected(str(m), s[1]) for m, s, _ in items]
