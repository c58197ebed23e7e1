"""Bad input through a real `bulletin-etl run` (subprocess, Prefect's ephemeral API): markup-looking paths print as
themselves after publishing, oversized and outside-linked files are refused by name and the release is published."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, SEEDS


@pytest.mark.slow
def test_a_run_over_markup_paths_oversized_files_and_outside_links_publishes_and_says_so(tmp_path):
    docs = tmp_path / "in[" / "b]box"           # the path reads 'in[/b]box': a closing tag to rich
    docs.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(seed, docs / f"[draft] {seed.name}")
    (tmp_path / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (docs / "passwd.txt").symlink_to(tmp_path / "secret.txt")
    (docs / "huge.txt").write_bytes(b"2031\n" * 1_000_000)
    sources = tmp_path / "sources.yml"
    sources.write_text(f"directories: ['in[/b]box']\nlimits:\n  max_document_bytes: 2000000\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "1000"}
    done = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--sources", str(sources), "--warehouse",
                           str(tmp_path / "wh")], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    out = " ".join(done.stdout.split())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "published" in out and "in[/b]box" in out
    assert "passwd.txt" in out and "leaves the sources directory" in out
    assert "huge.txt" in out and "limits.max_document_bytes" in out
    assert "Traceback" not in done.stderr
