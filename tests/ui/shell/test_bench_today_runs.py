"""The day list's benchmark still runs, small: the figures in the README come from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_day_list_benchmark_runs_end_to_end_on_a_small_store() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_today",
            "--patients",
            "300",
            "--appointments",
            "3000",
            "--rounds",
            "3",
            "--paint-runs",
            "1",
        ],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout[done.stdout.index("{") :])
    assert result["clinician_appointments_today"] == 20
    assert result["statements_per_list"] > 0
    assert len(result["first_paint_after_sign_in_ms"]) == 1
    assert 0 < result["first_paint_median_ms"] < 60_000
