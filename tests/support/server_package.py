"""The server's .deb, built once per change and shared by the tests (see tests/support/packages)."""

from __future__ import annotations

from pathlib import Path

from installers.packaging.freeze import REPOSITORY
from installers.packaging.server import FROZEN_SERVER, SERVER_FILES, frozen_server, stage_server
from tests.support.packages import build_once, cached_deb


def server_bundle() -> Path:
    """The server's one-folder bundle (``<bundle>/onestop-server`` is the program)."""
    return build_once(FROZEN_SERVER, frozen_server)


def server_deb() -> Path:
    """The server's .deb (gzip), rebuilt only when the bundle or its package files change."""
    return cached_deb(
        "server-deb", server_bundle(), stage_server, SERVER_FILES, REPOSITORY / "docs" / "server.md"
    )
