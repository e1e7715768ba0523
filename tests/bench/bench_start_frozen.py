"""The frozen app against the source run: package sizes, and start to the sign-in window.

Run (as root, which dropping the page cache needs; Xvfb, xwininfo and xwd installed):
``python -m tests.bench.bench_start_frozen [--runs 3] [--no-xz]``. Builds (or reuses) the
bundle and the .deb in build/packaging, builds the xz .deb too unless told not to, then times
each way of starting from the moment the process is started until the sign-in window is mapped
on an Xvfb screen: "cold" right after ``echo 3 > /proc/sys/vm/drop_caches`` (as after a
reboot), "warm" straight after another start. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installers.packaging import deb
from installers.packaging.app import app_version, stage_app
from installers.packaging.freeze import REPOSITORY
from tests.support.packages import WORK, app_deb, frozen_app
from tests.support.x_screen import VirtualScreen

TITLE = "OneStop MSK"


def _folder_mb(folder: Path) -> float:
    total = sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )
    return round(total / 1e6, 1)


def _drop_caches() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def _xz_deb(bundle: Path) -> tuple[Path, float]:
    folder = WORK / "bench-xz"
    started = time.monotonic()
    staging = stage_app(bundle, folder / "staging", version=app_version())
    try:
        package = deb.build_deb(staging, folder, compression="xz")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return package, time.monotonic() - started


def _time_to_window(command: list[str], env: dict[str, str], screen: VirtualScreen) -> float:
    started = time.monotonic()
    app = subprocess.Popen(
        command, env=env, cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        screen.wait_for_window(TITLE, timeout=120, alive=app)
        return time.monotonic() - started
    finally:
        app.terminate()
        app.wait(timeout=30)


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Measures sizes and start times; prints and returns them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-xz", action="store_true", help="skip the xz .deb (minutes)")
    args = parser.parse_args(argv)

    bundle = frozen_app()
    gzip_deb = app_deb()
    result: dict[str, object] = {
        "bundle_mb": _folder_mb(bundle),
        "deb_gzip_mb": round(gzip_deb.stat().st_size / 1e6, 1),
        "installed_mb": round(int(deb.control_field(gzip_deb, "Installed-Size")) * 1024 / 1e6, 1),
    }
    if not args.no_xz:
        xz_deb, xz_seconds = _xz_deb(bundle)
        result["deb_xz_mb"] = round(xz_deb.stat().st_size / 1e6, 1)
        result["deb_xz_build_s"] = round(xz_seconds, 1)

    home = Path(tempfile.mkdtemp(prefix="onestop-bench-frozen-"))
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "ONESTOP_OPERATOR": "bench.operator",
        "QT_LOGGING_RULES": "qt.multimedia.*=false",
    }
    store = home / "store" / "clinic.db"
    store.parent.mkdir(parents=True)
    program = bundle / "onestop"
    subprocess.run(
        [str(program), "init", "--store", str(store), "--insecure-dev-keyring"],
        env=env,
        check=True,
        capture_output=True,
    )
    run = ["run", "--store", str(store), "--insecure-dev-keyring"]
    ways = {
        "frozen": [str(program), *run],
        "source": [sys.executable, "-m", "ui.launcher", *run],
    }
    source_env = {**env, "PYTHONPATH": str(REPOSITORY)}
    times: dict[str, dict[str, list[float]]] = {way: {"cold": [], "warm": []} for way in ways}
    try:
        with VirtualScreen() as screen:
            for _ in range(args.runs):
                for way, command in ways.items():
                    environment = {
                        **(env if way == "frozen" else source_env),
                        **screen.environment(),
                    }
                    _drop_caches()
                    times[way]["cold"].append(_time_to_window(command, environment, screen))
                    times[way]["warm"].append(_time_to_window(command, environment, screen))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    for way, measured in times.items():
        for kind, values in measured.items():
            result[f"{way}_{kind}_to_sign_in_s"] = [round(value, 2) for value in values]
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
