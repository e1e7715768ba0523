"""Every benchmark in one run, on one 100,000-patient store; figures to bench-results/.

Run: ``python -m tests.bench.run_all [--patients N]``. Writes ``bench-results/results.json``
and prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

from tests.bench import bench_search, bench_startup
from tests.bench.common import build_store, private_home

RESULTS = Path(__file__).resolve().parents[2] / "bench-results"


def table(search: dict[str, object], startup: dict[str, object]) -> str:
    """The README's benchmark table."""
    rows = [
        (
            "Search as you type, p95 per query",
            f"{search['search_p95_ms']} ms",
            "≤ 20 ms",
            f"{search['ratio_p95_service_to_bare_sql']}x the bare SQL query it runs "
            f"(p95 {search['bare_sql_p95_ms']} ms)",
        ),
        (
            "Search as you type, median",
            f"{search['search_p50_ms']} ms",
            "",
            f"bare SQL median {search['bare_sql_p50_ms']} ms",
        ),
        (
            "Cold start to the sign-in window",
            f"{startup['app_start_to_login_window_s']} s",
            "≤ 1 s and ≤ 4x",
            f"{startup['ratio_app_to_bare_start']}x a bare PySide6 window "
            f"({startup['bare_window_start_s']} s)",
        ),
        (
            "Resident memory after sign-in",
            f"{startup['rss_after_login_mb']} MB",
            "≤ 200 MB",
            f"{startup['ratio_rss_after_login_to_bare_window']}x a bare PySide6 window "
            f"({startup['bare_window_rss_mb']} MB)",
        ),
    ]
    lines = [
        "| measure | result | target | against the baseline in the same run |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build the store, run each benchmark, save and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    args = parser.parse_args(argv)
    home = private_home()
    store = home / "bench.db"
    key, seconds = build_store(store, args.patients)
    key_file = home / "bench.key"
    key_file.write_text(key)
    key_file.chmod(0o600)
    common = ["--store", str(store), "--key-file", str(key_file)]
    search = bench_search.main(["--patients", str(args.patients), *common])
    startup = bench_startup.main(common)
    RESULTS.mkdir(exist_ok=True)
    figures = {
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "patients": args.patients,
        "store_build_seconds": round(seconds, 1),
        "search": search,
        "startup": startup,
    }
    (RESULTS / "results.json").write_text(json.dumps(figures, indent=2))
    print(table(search, startup))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
