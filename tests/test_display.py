"""Numbers written out for people: exponent floats become digits, ids and huge exponents stay as written."""
from __future__ import annotations

import pytest

from tasks.present.display import readable_numbers


@pytest.mark.parametrize("text, expected", [
    ("imply 1.55168e+11", "imply 155,168,000,000"),
    ("moved by 5e+07 CNY", "moved by 50,000,000 CNY"),
    ("a share of 2.5e-05", "a share of 0.000025"),
    ("value from 2452408e27415521 (exact)", "value from 2452408e27415521 (exact)"),   # a hex doc id, no number
    ("sources 00ec5e093a0b8d87 (1.00)", "sources 00ec5e093a0b8d87 (1.00)"),
    ("a corrupt 1e+999999999 in a text", "a corrupt 1e+999999999 in a text"),        # never a gigabyte string
    ("", ""),
])
def test_readable_numbers(text, expected):
    assert readable_numbers(text) == expected
