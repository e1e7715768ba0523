"""The video add-on's Debian package: its own frozen program under /opt, under its own licence.

:func:`build_video_deb` builds it. The app's package recommends it; without it the app works,
and says plainly that clips cannot be imported.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from installers.packaging import deb
from installers.packaging.app import app_version
from installers.packaging.freeze import REPOSITORY, freeze

PACKAGE = "onestop-msk-video"
PROGRAM = "onestop-video"
SPEC = REPOSITORY / "installers" / "onestop-video.spec"
DEBIAN_FILES = REPOSITORY / "installers" / "video"
WORKER_SOURCE = REPOSITORY / "clinic_app" / "domains" / "imaging" / "dicom" / "video_worker.py"
INSTALL_DIR = f"opt/{PACKAGE}"
# The bundle's cache folder under a build folder (shared with tests/support/packages.py).
FROZEN_VIDEO = "frozen-video"

_DESCRIPTION = """\
Description: video add-on for OneStop MSK: MP4 and MOV clips
 Decodes the MP4 and QuickTime clips a clinician imports into OneStop MSK
 (from a phone or a scanner's export) into frames the app keeps as DICOM.
 .
 It is a separate program, started by the app for each clip and fed through
 pipes. It is self-contained: it lives in /opt/onestop-msk-video with its
 own Python, NumPy and FFmpeg (from PyAV), and is licensed apart from the
 app (GPL-2.0-or-later, as its FFmpeg build is).
"""


def stage_video(bundle: Path, staging: Path, *, version: str) -> Path:
    """Lays out the package's files in ``staging`` (emptied first) and returns it."""
    shutil.rmtree(staging, ignore_errors=True)
    target = staging / INSTALL_DIR
    shutil.copytree(bundle, target, symlinks=True)
    deb.strip_libraries(target)
    deb.remove_foreign_runpaths(target)

    docs = staging / "usr" / "share" / "doc" / PACKAGE
    docs.mkdir(parents=True)
    shutil.copyfile(DEBIAN_FILES / "copyright", docs / "copyright")
    # The add-on's own source travels with it, as its licence asks.
    (docs / "source").mkdir()
    shutil.copyfile(WORKER_SOURCE, docs / "source" / WORKER_SOURCE.name)
    shutil.copyfile(SPEC, docs / "source" / SPEC.name)
    with (
        (docs / "changelog.gz").open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as packed,
    ):
        packed.write((DEBIAN_FILES / "changelog").read_bytes())
    overrides = staging / "usr" / "share" / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    shutil.copyfile(DEBIAN_FILES / "lintian-overrides", overrides / PACKAGE)

    deb.normalise_permissions(staging)
    control = staging / "DEBIAN"
    control.mkdir(mode=0o755)
    (control / "control").write_text(
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        "Section: video\n"
        "Priority: optional\n"
        "Architecture: amd64\n"
        "Maintainer: OneStop MSK team <team@example.org>\n"
        f"Installed-Size: {deb.installed_size_kib(staging)}\n"
        "Depends: libc6 (>= 2.34)\n"
        "Enhances: onestop-msk\n" + _DESCRIPTION,
        encoding="utf-8",
    )
    deb.write_md5sums(staging)
    deb.normalise_permissions(control)
    return staging


def frozen_video(work: Path) -> Path:
    """The add-on's one-folder bundle (``<bundle>/onestop-video`` is the program)."""
    return freeze(SPEC, work=work)


def build_video_deb(out_dir: Path, *, work: Path, compression: str = "gzip") -> Path:
    """Freezes the add-on (or reuses the cached bundle) and builds its .deb in ``out_dir``."""
    bundle = frozen_video(work / FROZEN_VIDEO)
    staging = stage_video(bundle, work / "video-staging", version=app_version())
    try:
        return deb.build_deb(staging, out_dir, compression=compression)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
