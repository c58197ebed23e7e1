"""Timings of the reading stages that must stay cheap: Unihan variant table load and region scope detection
against text length (linear). Speed targets live here, not in timed unit tests.

    python benchmarks/bench_reading.py
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks.extraction.regions import scope_spans  # noqa: E402

UNIT = "2031年,广东省参保人数1.1亿人。其中,深圳市1600万人。全国参保人数13.5亿人,跨省结算1200万人次。\n\n"


def main() -> int:
    code = ("import time; t = time.perf_counter(); from tasks.cleaning.charfold import fold_table; fold_table(); "
            "print(time.perf_counter() - t)")
    load = float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout)
    print(f"Unihan variant table: {load:.2f} s to load in a fresh process (target < 1 s)")
    timings = []
    for n in (200, 800, 3200):
        text = UNIT * n
        started = time.perf_counter()
        scope_spans(text, "CN")
        timings.append((len(text), time.perf_counter() - started))
        print(f"region scopes: {len(text):>8} chars in {timings[-1][1]:.3f} s")
    (c0, t0), (c1, t1) = timings[0], timings[-1]
    print(f"region scopes grow {(t1 / t0) / (c1 / c0):.2f}x as fast as length (1.0 = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
