"""Benchmark the real CLI at scale on a generated corpus: stage times, throughput, peak RSS, nightly costs, P/R.

    python benchmarks/bench_scale.py [--sizes 1000 5000 20000] [--out benchmarks/results/bench_scale.json]

Per size: generate the corpus (benchmarks/generate_corpus.py), `bulletin-etl run` on it (wall time, peak RSS of
the process tree, task times from the Prefect database), `bulletin-etl nightly` unchanged and after one document
changed, and extraction alone in-process (documents/s, MB/s, precision/recall against the generated labels).
The first size is also profiled (cProfile, top functions by own time). Numbers are measured, never adjusted.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_corpus import ratios, score_document  # noqa: E402
from generate_corpus import generate  # noqa: E402

from tasks.contract.catalogue import load_catalogue  # noqa: E402
from tasks.extraction.process import process_documents  # noqa: E402
from tasks.ingest.raw import RawDocument  # noqa: E402

CLI = [str(ROOT / ".venv/bin/python"), "-m", "flows.cli"]   # the bulletin-etl entry point, this tree's code
TRIVIAL = "from prefect import flow\n@flow\ndef trivial():\n    return 1\ntrivial()\n"


def measured(cmd: list[str], env: dict) -> dict:
    """Run a command; wall time, exit code and peak RSS of its whole process tree (sampled every 0.1 s)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, root = 0, psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.1)
    err = proc.stderr.read().decode(errors="replace")
    return {"wall_s": round(time.perf_counter() - started, 2), "exit": proc.returncode,
            "peak_rss_mb": round(peak / 2**20), **({"stderr_tail": err[-800:]} if proc.returncode else {})}


def task_times(prefect_home: Path, since: float) -> tuple[dict[str, float], float]:
    """Seconds per task name (summed) of the task runs that started after `since` (Prefect's SQLite database), and
    the seconds of the top-level flow run's own tasks (nested subflow tasks are inside those, not added again)."""
    db = prefect_home / "prefect.db"
    if not db.exists():
        return {}, 0.0
    with sqlite3.connect(db) as con:
        rows = con.execute("select t.name, t.start_time, t.end_time, f.parent_task_run_id is null from task_run t "
                           "join flow_run f on f.id = t.flow_run_id where t.start_time is not null "
                           "and t.end_time is not null").fetchall()
    out: dict[str, float] = {}
    top = 0.0
    for name, start, end, top_level in rows:
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        if s.timestamp() < since:
            continue
        stage = name.rsplit("-", 1)[0]
        if stage.startswith("bulletin-release-year"):
            continue                  # the placeholder task Prefect records for a subflow, not work of its own
        out[stage] = round(out.get(stage, 0.0) + (e - s).total_seconds(), 2)
        top += (e - s).total_seconds() if top_level else 0.0
    return out, round(top, 2)


def extraction(docs_dir: Path, labels: Path, profile: bool) -> dict:
    """In-process extraction: throughput and precision/recall against the generated labels."""
    raws = [RawDocument(str(p), p.read_bytes()) for p in sorted(docs_dir.glob("*.txt"))]
    size = sum(len(r.data) for r in raws)
    catalogue = load_catalogue()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = process_documents(raws, catalogue)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    gold = pd.read_csv(labels)
    docs, facts = result.documents, result.facts
    stems = docs.source_uri.map(lambda u: Path(str(u)).stem)
    by_doc = dict(tuple(gold.groupby("doc_id")))
    total = {"labels": 0, "found": 0, "wrong": 0, "missed": 0, "extra": 0}
    for doc_id, stem in zip(docs.doc_id, stems):
        got = facts[(facts.doc_id == doc_id) & facts.indicator_id.isin(catalogue.ids)]
        for k, v in score_document(got, by_doc.get(stem, gold.iloc[0:0])).items():
            total[k] += v
    precision, recall = ratios(total)
    out = {"seconds": round(elapsed, 2), "docs_per_s": round(len(raws) / elapsed, 1),
           "mb_per_s": round(size / 2**20 / elapsed, 3), "corpus_mb": round(size / 2**20, 2), **total,
           "precision": round(precision, 4), "recall": round(recall, 4)}
    if profiler:
        stats = pstats.Stats(profiler)
        top = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:15]
        out["profile_top_own_time"] = [{"function": f"{Path(f).name}:{line}:{fn}", "own_s": round(tt, 2),
                                        "cum_s": round(ct, 2), "calls": nc}
                                       for (f, line, fn), (_, nc, tt, ct, _) in top]
    return out


def bench_size(n: int, work: Path, env: dict, home: Path, profile: bool) -> dict:
    """Everything measured for one corpus size."""
    corpus, wh = work / f"corpus_{n}", work / f"warehouse_{n}"
    generate(corpus, n, seed=11)
    docs = corpus / "docs"
    args = ["--sources", str(docs), "--warehouse", str(wh)]
    since = time.time()
    full = measured([*CLI, "run", *args], env)
    full["task_s"], inside = task_times(home, since)
    full["orchestration_share"] = round(max(0.0, 1 - inside / full["wall_s"]), 3) if full["task_s"] else None
    print(f"{n} docs: run {full}", flush=True)
    unchanged = measured([*CLI, "nightly", *args], env)
    print(f"{n} docs: unchanged nightly {unchanged}", flush=True)
    first = sorted(docs.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("。", "。 ", 1), encoding="utf-8")
    one_doc = measured([*CLI, "nightly", *args], env)
    return {"documents": n, "run": full, "nightly_unchanged": unchanged, "nightly_one_document": one_doc,
            "one_document_share_of_full": round(one_doc["wall_s"] / full["wall_s"], 3),
            "extraction": extraction(docs, corpus / "labels.csv", profile)}


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares seconds per document of wall time against documents."""
    if len(points) < 2:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return round(sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs), 5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/bench_scale.json")
    parser.add_argument("--work", type=Path, help="keep corpora and warehouses here (default: a temporary dir)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "prefect-home"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    (work / "trivial.py").write_text(TRIVIAL)
    measured([str(ROOT / ".venv/bin/python"), str(work / "trivial.py")], env)          # migrates the database
    trivial = measured([str(ROOT / ".venv/bin/python"), str(work / "trivial.py")], env)
    print(f"trivial flow: {trivial['wall_s']} s", flush=True)
    results = []
    for i, n in enumerate(args.sizes):
        row = bench_size(n, work, env, home, profile=i == 0)
        results.append(row)
        ex = row["extraction"]
        print(f"{n} docs: run {row['run']['wall_s']} s (exit {row['run']['exit']}, peak {row['run']['peak_rss_mb']} "
              f"MB, orchestration {row['run']['orchestration_share']}), nightly unchanged "
              f"{row['nightly_unchanged']['wall_s']} s, one doc {row['nightly_one_document']['wall_s']} s; "
              f"extraction {ex['docs_per_s']} docs/s {ex['mb_per_s']} MB/s P {ex['precision']} R {ex['recall']}",
              flush=True)
    report = {"machine": {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30)},
              "trivial_flow_s": trivial["wall_s"], "sizes": results,
              "seconds_per_document": slope([(r["documents"], r["run"]["wall_s"]) for r in results])}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"slope {report['seconds_per_document']} s/document; written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
