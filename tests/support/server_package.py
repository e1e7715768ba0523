"""The server's .deb, built once per change and shared by the tests (see tests/support/packages)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from installers.packaging import deb, server
from installers.packaging.app import app_version
from installers.packaging.freeze import REPOSITORY
from installers.packaging.server import FROZEN_SERVER, SERVER_FILES, frozen_server, stage_server
from tests.support.packages import build_once


def _package_key(bundle: Path) -> str:
    """The bundle and every file the package adds to it, as one digest."""
    digest = hashlib.sha256(str(bundle).encode())
    sources = [*sorted(SERVER_FILES.iterdir()), REPOSITORY / "docs" / "server.md"]
    for path in [*sources, Path(server.__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def server_bundle() -> Path:
    """The server's one-folder bundle (``<bundle>/onestop-server`` is the program)."""
    return build_once(FROZEN_SERVER, frozen_server)


def server_deb() -> Path:
    """The server's .deb (gzip), rebuilt only when the bundle or its package files change."""
    bundle = server_bundle()

    def build(folder: Path) -> Path:
        stamp, key = folder / "built-from", _package_key(bundle)
        built = sorted(folder.glob("*.deb"))
        if len(built) == 1 and stamp.is_file() and stamp.read_text() == key:
            return built[0]
        for old in built:
            old.unlink()
        staging = stage_server(bundle, folder / "staging", version=app_version())
        try:
            package = deb.build_deb(staging, folder, compression="gzip")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        stamp.write_text(key)
        return package

    return build_once("server-deb", build)
