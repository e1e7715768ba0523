"""The sync server's Debian package: the frozen server under /opt, its unit, config and account.

``python -m installers.packaging server [--out DIR] [--release]`` builds it. What the package
installs and why is in docs/server.md.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from installers.packaging import layout
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
    """Lays out the package's files in ``staging`` (emptied first) and returns it.

    Raises :class:`~installers.packaging.layout.LicenceRuleError` when the bundle holds a
    component that is unknown, refused or GPL-only.
    """
    report = layout.reviewed(bundle, PACKAGE)
    layout.copy_bundle(bundle, staging, PACKAGE)
    (staging / "usr" / "bin").mkdir(parents=True)
    (staging / "usr" / "bin" / PACKAGE).symlink_to(f"/{INSTALL_DIR}/{PACKAGE}")
    layout.copy_into(SERVER_FILES / UNIT, staging / "lib" / "systemd" / "system")
    layout.copy_into(SERVER_FILES / "server.toml", (staging / CONFIG).parent)
    (staging / LOGROTATE).parent.mkdir(parents=True)
    shutil.copyfile(SERVER_FILES / "logrotate", staging / LOGROTATE)
    docs = layout.add_documents(staging, PACKAGE, SERVER_FILES, report, version=version)
    layout.copy_into(REPOSITORY / "docs" / "server.md", docs)
    layout.write_control(
        staging,
        package=PACKAGE,
        version=version,
        section="net",
        relations={
            "Depends": ", ".join(SERVER_DEPENDS),
            "Recommends": ", ".join(SERVER_RECOMMENDS),
        },
        description=_DESCRIPTION,
        conffiles=[CONFIG, LOGROTATE],
        scripts=[SERVER_FILES / script for script in MAINTAINER_SCRIPTS],
    )
    return staging


def frozen_server(work: Path) -> Path:
    """The server's one-folder bundle (``<bundle>/onestop-server``), reused while unchanged."""
    return freeze(SPEC, work=work)


def build_server_deb(out_dir: Path, *, work: Path, compression: str = "gzip") -> Path:
    """Freezes the server (or reuses the cached bundle) and builds its .deb in ``out_dir``."""
    bundle = frozen_server(work / FROZEN_SERVER)
    staging = stage_server(bundle, work / "server-staging", version=app_version())
    return layout.build_staged(staging, out_dir, compression=compression)
