"""The benchmarks still run against today's APIs (on tiny inputs; their numbers are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*argv: str) -> str:
    done = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_plot_import_benchmark_runs():
    out = _run("benchmarks/plot_import.py", "--plots", "200")
    for step in ("read", "plan", "write", "update", "undo update", "undo"):
        assert f"{step}:" in out


def test_the_edits_benchmark_runs():
    (doc,) = json.loads(_run("benchmarks/edits.py", "--only", "gpkg", "--editors", "2",
                             "--repeat", "1", "--plots", "200"))
    assert doc["plots"] == 200
    assert doc["different_zones"]["saved"] == 2 and doc["same_zone"]["saved"] == 1
