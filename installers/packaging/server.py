"""The sync server's Debian package: the frozen server under /opt, its unit, config and account.

``python -m installers.packaging server [--out DIR] [--release]`` builds it. What the package
installs and why is in docs/server.md.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from installers.packaging import deb
from installers.packaging.app import app_version
from installers.packaging.freeze import REPOSITORY, freeze

PACKAGE = "onestop-server"
SPEC = REPOSITORY / "installers" / "onestop-server.spec"
SERVER_FILES = REPOSITORY / "installers" / "server"
INSTALL_DIR = f"opt/{PACKAGE}"
UNIT = "onestop-server@.service"
CONFIG = "etc/onestop-server/server.toml"
LOGROTATE = f"etc/logrotate.d/{PACKAGE}"
# The bundle's cache folder under a build folder (shared with the package tests).
FROZEN_SERVER = "frozen-server"

# The bundle carries its own Python and libraries; it takes only the C library from the
# system. adduser makes the service's account. PostgreSQL itself may be on another machine;
# its client programs are what a backup needs (docs/server.md).
SERVER_DEPENDS = ("libc6 (>= 2.34)", "adduser")
SERVER_RECOMMENDS = ("postgresql-client",)
MAINTAINER_SCRIPTS = ("postinst", "prerm", "postrm")

_DESCRIPTION = """\
Description: sync server for OneStop MSK clinics
 The central server of a community musculoskeletal service running OneStop MSK:
 laptops enrol with it, an administrator approves them, and records, images and
 letters sync through it. It keeps its data in PostgreSQL and a files folder.
 .
 The server is self-contained in /opt/onestop-server with its own Python, and
 runs as the onestop system account, one systemd instance per port
 (onestop-server@8443). It is not started until it is set up: see
 /usr/share/doc/onestop-server/server.md.
"""


def stage_server(bundle: Path, staging: Path, *, version: str) -> Path:
    """Lays out the package's files in ``staging`` (emptied first) and returns it."""
    shutil.rmtree(staging, ignore_errors=True)
    target = staging / INSTALL_DIR
    shutil.copytree(bundle, target, symlinks=True)
    deb.strip_libraries(target)
    deb.remove_foreign_runpaths(target)

    (staging / "usr" / "bin").mkdir(parents=True)
    (staging / "usr" / "bin" / PACKAGE).symlink_to(f"/{INSTALL_DIR}/{PACKAGE}")
    _copy(SERVER_FILES / UNIT, staging / "lib" / "systemd" / "system")
    _copy(SERVER_FILES / "server.toml", (staging / CONFIG).parent)
    (staging / LOGROTATE).parent.mkdir(parents=True)
    shutil.copyfile(SERVER_FILES / "logrotate", staging / LOGROTATE)
    docs = staging / "usr" / "share" / "doc" / PACKAGE
    _copy(SERVER_FILES / "copyright", docs)
    _copy(REPOSITORY / "docs" / "server.md", docs)
    with (
        (docs / "changelog.gz").open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as packed,
    ):
        packed.write((SERVER_FILES / "changelog").read_bytes())
    overrides = staging / "usr" / "share" / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    shutil.copyfile(SERVER_FILES / "lintian-overrides", overrides / PACKAGE)

    deb.normalise_permissions(staging)
    control = staging / "DEBIAN"
    control.mkdir(mode=0o755)
    (control / "control").write_text(
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        "Section: net\n"
        "Priority: optional\n"
        "Architecture: amd64\n"
        "Maintainer: OneStop MSK team <team@example.org>\n"
        f"Installed-Size: {deb.installed_size_kib(staging)}\n"
        f"Depends: {', '.join(SERVER_DEPENDS)}\n"
        f"Recommends: {', '.join(SERVER_RECOMMENDS)}\n" + _DESCRIPTION,
        encoding="utf-8",
    )
    (control / "conffiles").write_text(f"/{CONFIG}\n/{LOGROTATE}\n", encoding="utf-8")
    for script in MAINTAINER_SCRIPTS:
        shutil.copyfile(SERVER_FILES / script, control / script)
    deb.write_md5sums(staging)
    deb.normalise_permissions(control)
    for script in MAINTAINER_SCRIPTS:
        (control / script).chmod(0o755)
    return staging


def frozen_server(work: Path) -> Path:
    """The server's one-folder bundle (``<bundle>/onestop-server``), reused while unchanged."""
    return freeze(SPEC, work=work)


def build_server_deb(out_dir: Path, *, work: Path, compression: str = "gzip") -> Path:
    """Freezes the server (or reuses the cached bundle) and builds its .deb in ``out_dir``."""
    bundle = frozen_server(work / FROZEN_SERVER)
    staging = stage_server(bundle, work / "server-staging", version=app_version())
    try:
        return deb.build_deb(staging, out_dir, compression=compression)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy(source: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / source.name)
