"""Extraction time against text length: long texts without sentence punctuation must extract in linear time.

    python benchmarks/bench_long_text.py [--sizes 48000 96000 1000000] [--json out.json]

Prints seconds and characters per second per size and the fitted slope of time against length; a slope ratio
near 1 between sizes means linear time. Not a unit test: timings depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks.contract.catalogue import load_catalogue  # noqa: E402
from tasks.extraction.process import process_one  # noqa: E402
from tasks.ingest.raw import RawDocument  # noqa: E402

CLAUSES = [  # bulletin-like clauses written for this benchmark; no sentence punctuation between them
    "职工医保基金收入{a}亿元 比上年增长{p}%", "居民医保参保人数{b}万人 较上年减少{c}万人", "基金总支出{a}亿元",
    "异地就医{c}万人次", "追回医保基金{d}亿元", "The employee fund took in {a} billion yuan up {p} percent",
    "{b} million people were insured", "医疗救助资助参保{c}万人", "统筹基金当期结存{d}亿元 累计结存{a}亿元",
]


PROSE = [  # filler of the kind bulletins carry between figures (written for this benchmark)
    "医疗保障制度更加成熟定型 医保基金运行安全平稳 管理服务持续优化", "各地认真贯彻落实党中央决策部署 持续推进医保改革",
    "the administration kept improving its services and deepening payment reform across the country",
]


def long_text(chars: int, seed: int = 7, prose: bool = False) -> str:
    """A text of about `chars` characters made of figure clauses joined by spaces and line breaks only
    (dense: a figure every ~17 characters); with `prose`, filler sentences between them as in a bulletin."""
    rng = random.Random(seed)
    clauses = [c.format(a=23000, b=36000, c=2500, d=270, p=3) for c in CLAUSES]   # one consistent report, repeated
    clauses += PROSE * 3 if prose else []
    parts, size = ["2031年全国医疗保障事业发展统计公报\n"], 0
    while size < chars:
        clause = rng.choice(clauses)
        parts.append(clause + ("\n" if rng.random() < 0.1 else " "))
        size += len(clause) + 1
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[48_000, 96_000, 1_000_000])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--prose", action="store_true", help="filler prose between figures, as in a real bulletin")
    args = parser.parse_args(argv)
    catalogue = load_catalogue()
    process_one(RawDocument("warm.txt", long_text(2000).encode()), catalogue)   # load data files once
    rows = []
    for size in args.sizes:
        text = long_text(size, prose=args.prose)
        started = time.perf_counter()
        _, facts = process_one(RawDocument(f"long_{size}.txt", text.encode("utf-8")), catalogue)
        seconds = time.perf_counter() - started
        rows.append({"chars": len(text), "seconds": round(seconds, 3), "chars_per_s": round(len(text) / seconds),
                     "facts": len(facts)})
        print(f"{len(text):>9} chars  {seconds:7.2f} s  {len(text) / seconds:>10,.0f} chars/s  {len(facts)} facts")
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        ratio = (last["seconds"] / first["seconds"]) / (last["chars"] / first["chars"])
        print(f"time grows {ratio:.2f}x as fast as length between {first['chars']} and {last['chars']} chars "
              f"(1.0 = linear)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
