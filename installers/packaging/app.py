"""The desktop app's Debian package: the frozen bundle under /opt, a command, a menu entry."""

from __future__ import annotations

import tomllib
from pathlib import Path

from installers.packaging import layout
from installers.packaging.freeze import REPOSITORY, freeze

PACKAGE = "onestop-msk"
SPEC = REPOSITORY / "installers" / "onestop.spec"
DEBIAN_FILES = REPOSITORY / "installers" / "debian"
INSTALL_DIR = f"opt/{PACKAGE}"
# The bundle's cache folder under a build folder (shared with tests/support/packages.py).
FROZEN_APP = "frozen-app"

# What the bundle takes from the system rather than carrying itself. PyInstaller copies nearly
# every library the bundle links, but never the C library, OpenGL/EGL (they must match the
# machine's graphics driver), libxcb (it must match the X server's) or the Wayland client
# libraries next to them; DRM comes with the graphics stack. The PDF letters are set in DejaVu,
# which clinic_app.kernel.pdf_kit finds among the system's fonts.
# Every name here is in installers/debian_root.packages, so the tests can install offline.
APP_DEPENDS = (
    "libc6 (>= 2.34)",
    "libgl1",
    "libegl1",
    "libdrm2",
    "libxcb1",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "fonts-dejavu-core",
    # libmount and libblkid (GLib's, bundled) name sensible-pager; it is in every Debian.
    "sensible-utils",
)

_DESCRIPTION = """\
Description: point-of-care records for community MSK clinics
 OneStop MSK keeps a community musculoskeletal service's records, ultrasound
 images and letters in an encrypted store on the laptop, and syncs them with
 the service's server when one is reachable.
 .
 The app is self-contained: it lives in /opt/onestop-msk with its own Python
 and Qt, and starts with the onestop command or from the desktop menu.
"""


def app_version() -> str:
    """The version in pyproject.toml."""
    with (REPOSITORY / "pyproject.toml").open("rb") as file:
        version: str = tomllib.load(file)["project"]["version"]
    return version


def stage_app(bundle: Path, staging: Path, *, version: str) -> Path:
    """Lays out the package's files in ``staging`` (emptied first) and returns it.

    Raises :class:`~installers.packaging.layout.LicenceRuleError` when the bundle holds a
    component that is unknown, refused or GPL-only.
    """
    report = layout.reviewed(bundle, PACKAGE)
    layout.copy_bundle(bundle, staging, PACKAGE)
    usr = staging / "usr"
    (usr / "bin").mkdir(parents=True)
    (usr / "bin" / "onestop").symlink_to(f"/{INSTALL_DIR}/onestop")
    layout.copy_into(DEBIAN_FILES / "onestop-msk.desktop", usr / "share" / "applications")
    layout.copy_into(
        DEBIAN_FILES / "onestop-msk.svg", usr / "share" / "icons" / "hicolor" / "scalable" / "apps"
    )
    layout.add_documents(staging, PACKAGE, DEBIAN_FILES, report, version=version)
    layout.write_control(
        staging,
        package=PACKAGE,
        version=version,
        section="misc",
        relations={
            "Depends": ", ".join(APP_DEPENDS),
            # MP4 clips are decoded by the video add-on, a separate GPL program (its own package).
            "Recommends": "onestop-msk-video",
        },
        description=_DESCRIPTION,
    )
    return staging


def build_app_deb(out_dir: Path, *, work: Path, compression: str = "gzip") -> Path:
    """Freezes the app (or reuses the cached bundle) and builds its .deb in ``out_dir``."""
    bundle = freeze(SPEC, work=work / FROZEN_APP)
    staging = stage_app(bundle, work / "app-staging", version=app_version())
    return layout.build_staged(staging, out_dir, compression=compression)
