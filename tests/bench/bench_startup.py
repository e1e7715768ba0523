"""Cold start to the sign-in window, and memory after sign-in, against a bare PySide6 window.

Run: ``python -m tests.bench.bench_startup --store STORE --key-file KEY``, or through
``tests.bench.run_all`` which builds the 100,000-patient store first. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROBE = [sys.executable, "-m", "tests.bench.startup_probe"]
ROOT = Path(__file__).resolve().parents[2]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    return env


def run_probe(args: list[str], stdin: str = "") -> dict[str, tuple[float, int]]:
    """Start the probe and time each event it reports from the moment it was started."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [*PROBE, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=_environment(),
    )
    assert child.stdin is not None
    assert child.stdout is not None
    child.stdin.write(stdin)
    child.stdin.close()
    events: dict[str, tuple[float, int]] = {}
    for line in child.stdout:
        name, rss = line.split()
        events[name] = (time.perf_counter() - started, int(rss))
    assert child.stderr is not None
    errors = child.stderr.read()
    child.stderr.close()
    child.stdout.close()
    child.wait(timeout=60)
    if child.returncode != 0:
        raise RuntimeError(f"probe {args[0]} failed ({child.returncode}): {errors[-2000:]}")
    return events


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Alternate bare and app starts; report medians and their ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--key-file", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--user", default="clinician")
    parser.add_argument("--password", default="clinician-demo-2026")
    args = parser.parse_args(argv)
    key = args.key_file.read_text().strip() + "\n"
    # One warm-up of each, so both are measured with the OS file cache warm ("cold" means
    # a new process, as when a clinician opens the app, not a cold disk).
    run_probe(["bare"])
    run_probe(["app", str(args.store)], key)
    bare_s: list[float] = []
    app_s: list[float] = []
    bare_rss: list[int] = []
    for _ in range(args.runs):
        bare_s.append(run_probe(["bare"])["SHOWN"][0])
        shown = run_probe(["app", str(args.store)], key)["SHOWN"]
        app_s.append(shown[0])
        bare_rss.append(run_probe(["bare"])["SHOWN"][1])
    after_login = [
        run_probe(["app", str(args.store), "--login", args.user, args.password], key)["SIGNED_IN"][
            1
        ]
        for _ in range(3)
    ]
    bare_median = statistics.median(bare_s)
    app_median = statistics.median(app_s)
    result: dict[str, object] = {
        "runs": args.runs,
        "platform": _environment()["QT_QPA_PLATFORM"],
        "bare_window_start_s": round(bare_median, 3),
        "app_start_to_login_window_s": round(app_median, 3),
        "ratio_app_to_bare_start": round(app_median / bare_median, 2),
        "target_start_s": 1.0,
        "target_ratio": 4.0,
        "bare_window_rss_mb": round(statistics.median(bare_rss) / 1024, 1),
        "rss_after_login_mb": round(statistics.median(after_login) / 1024, 1),
        "ratio_rss_after_login_to_bare_window": round(
            statistics.median(after_login) / statistics.median(bare_rss), 2
        ),
        "target_rss_mb": 200,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
