"""The video add-on's Debian package: its own frozen program under /opt, under its own licence.

:func:`build_video_deb` builds it. The app's package recommends it; without it the app works,
and says plainly that clips cannot be imported.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from installers.packaging import layout
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
# The add-on's own licence (its source's SPDX line and installers/video/copyright): it is GPL,
# so the GPL libraries PyAV's wheels carry may ship in it (docs/video-decoder.md).
LICENCE = "GPL-3.0-or-later"

_DESCRIPTION = """\
Description: video add-on for OneStop MSK: MP4 and MOV clips
 Decodes the MP4 and QuickTime clips a clinician imports into OneStop MSK
 (from a phone or a scanner's export) into frames the app keeps as DICOM.
 .
 It is a separate program, started by the app for each clip and fed through
 pipes. It is self-contained: it lives in /opt/onestop-msk-video with its
 own Python, NumPy and FFmpeg (from PyAV), and is licensed apart from the
 app (GPL-3.0-or-later: its FFmpeg build is LGPL-3.0 linked with GPL
 encoders).
"""


def stage_video(bundle: Path, staging: Path, *, version: str) -> Path:
    """Lays out the package's files in ``staging`` (emptied first) and returns it.

    The add-on is GPL as a whole, so its GPL components are listed as such; a component the
    allowlist does not know still raises
    :class:`~installers.packaging.layout.LicenceRuleError`.
    """
    report = layout.reviewed(bundle, PACKAGE, licence=LICENCE)
    layout.copy_bundle(bundle, staging, PACKAGE)
    docs = layout.add_documents(staging, PACKAGE, DEBIAN_FILES, report, version=version)
    # The add-on's own source travels with it, as its licence asks.
    (docs / "source").mkdir()
    shutil.copyfile(WORKER_SOURCE, docs / "source" / WORKER_SOURCE.name)
    shutil.copyfile(SPEC, docs / "source" / SPEC.name)
    layout.write_control(
        staging,
        package=PACKAGE,
        version=version,
        section="video",
        relations={"Depends": "libc6 (>= 2.34)", "Enhances": "onestop-msk"},
        description=_DESCRIPTION,
    )
    return staging


def frozen_video(work: Path) -> Path:
    """The add-on's one-folder bundle (``<bundle>/onestop-video`` is the program)."""
    return freeze(SPEC, work=work)


def build_video_deb(out_dir: Path, *, work: Path, compression: str = "gzip") -> Path:
    """Freezes the add-on (or reuses the cached bundle) and builds its .deb in ``out_dir``."""
    bundle = frozen_video(work / FROZEN_VIDEO)
    staging = stage_video(bundle, work / "video-staging", version=app_version())
    return layout.build_staged(staging, out_dir, compression=compression)
