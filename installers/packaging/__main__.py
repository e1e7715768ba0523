"""``python -m installers.packaging app [--out DIR] [--release]``: build the app's .deb."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from installers.packaging.app import build_app_deb

DEFAULT_WORK = Path("build") / "packaging"


def main(argv: list[str] | None = None) -> int:
    """Builds the package named on the command line and prints where it is."""
    parser = argparse.ArgumentParser(prog="python -m installers.packaging")
    parser.add_argument("package", choices=["app"], help="which package to build")
    parser.add_argument("--out", type=Path, default=Path("dist"), help="where the .deb goes")
    parser.add_argument(
        "--work", type=Path, default=DEFAULT_WORK, help="build folder, kept as a cache"
    )
    parser.add_argument(
        "--release", action="store_true", help="compress with xz (smaller, slower) not gzip"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    package = build_app_deb(
        args.out.resolve(), work=args.work.resolve(), compression="xz" if args.release else "gzip"
    )
    size = package.stat().st_size / 1e6
    print(f"{package} ({size:.0f} MB) in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
