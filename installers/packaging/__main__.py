"""``python -m installers.packaging {app,server,video} [--out DIR] [--release]``: build a .deb.

``app`` is the desktop app, ``server`` the sync server, ``video`` the video add-on (MP4 clips,
shipped apart under its own licence).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from installers.packaging.app import build_app_deb
from installers.packaging.server import build_server_deb
from installers.packaging.video import build_video_deb

DEFAULT_WORK = Path("build") / "packaging"
BUILDERS = {"app": build_app_deb, "server": build_server_deb, "video": build_video_deb}


def main(argv: list[str] | None = None) -> int:
    """Builds the package named on the command line and prints where it is."""
    parser = argparse.ArgumentParser(prog="python -m installers.packaging")
    parser.add_argument("package", choices=sorted(BUILDERS), help="which package to build")
    parser.add_argument("--out", type=Path, default=Path("dist"), help="where the .deb goes")
    parser.add_argument(
        "--work", type=Path, default=DEFAULT_WORK, help="build folder, kept as a cache"
    )
    parser.add_argument(
        "--release", action="store_true", help="compress with xz (smaller, slower) not gzip"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    package = BUILDERS[args.package](
        args.out.resolve(), work=args.work.resolve(), compression="xz" if args.release else "gzip"
    )
    size = package.stat().st_size / 1e6
    print(f"{package} ({size:.0f} MB) in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
