"""The repeat-injection check's benchmark still runs, small: the README's figures come from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_repeat_injection_benchmark_runs_end_to_end_on_a_small_store() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_injection_checks",
            "--patients",
            "300",
            "--others",
            "500",
            "--runs",
            "5",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout[done.stdout.index("{") :])
    assert result["past_injections_of_the_patient"] == 200
    assert result["rows_fetched"] == 200
    assert result["warnings"] == ["repeat_too_soon", "too_many_at_site"]
    assert any("ix_injection_record_patient_id" in step for step in result["query_plan"])
    assert 0 < result["bare_sql_ms"]["p50_ms"] <= result["bare_sql_ms"]["max_ms"]
    assert 0 < result["check_ms"]["min_ms"] <= result["check_ms"]["p50_ms"] < 60_000
    assert result["ratio_p50_check_to_bare_sql"] > 0
