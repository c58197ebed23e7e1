"""Throughput of tasks.extraction.numbers.find_numbers on a long generated text (prints MB/s; not a timed unit test)."""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks.extraction.numbers import find_numbers  # noqa: E402

# Bulletin-like sentences in every style the grammar reads, and a hostile block (long digit runs, separators,
# spaces, lone signs and number words) that a backtracking pattern would choke on.
SENTENCES = (
    "基金总收入{a}万亿元，同比增长-{p}%，参保{b}億{c}万人，累计结存4兆{c}億8900万元。",
    "Revenue reached CNY{a}bn (US${p}bn), up {p}-percent; {g} people, a billion visits, {p} pp. ",
    "全年结算{b}万人次，较上年提高{p}个百分点，定点医疗机构{c}家。",
    "Seite: 1.234,56 yuan und 3,5 % mehr. ",
)
HOSTILE = "9" * 400 + " " + "1,000" * 200 + " " * 300 + "a " * 100 + "- + − " * 50


def long_text(megabytes: float, seed: int = 8) -> str:
    """Generated sentences with random figures, one hostile block per 100 kB, up to the requested size."""
    rng = random.Random(seed)
    size = int(megabytes * 1_000_000)
    parts, total = [], 0
    while total < size:
        sentence = rng.choice(SENTENCES).format(a=f"{rng.uniform(0.1, 99):.2f}", p=f"{rng.uniform(0, 40):.1f}",
                                                b=rng.randint(1, 99), c=rng.randint(1, 9999),
                                                g=f"{rng.randint(10**6, 10**9):,}".replace(",", " "))
        if rng.random() < 0.002:
            sentence += HOSTILE
        parts.append(sentence)
        total += len(sentence.encode("utf-8"))
    return "".join(parts)


def main() -> None:
    """Scan the generated text once per mode and print throughput."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=1.0, help="text size in MB (default 1)")
    args = parser.parse_args()
    text = long_text(args.mb)
    mb = len(text.encode("utf-8")) / 1e6
    for label, comma in (("decimal point", False), ("decimal comma", True), ("auto-detect", None)):
        began, cpu = time.perf_counter(), time.process_time()
        found = find_numbers(text, decimal_comma=comma)
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
        print(f"{label:14s} {mb:6.2f} MB  {len(found):7d} figures  {took:6.3f} s wall  {cpu:6.3f} s cpu"
              f"  {mb / cpu:7.2f} MB/s")


if __name__ == "__main__":
    main()
