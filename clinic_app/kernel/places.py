"""Where this user's store lives: light to import, so the app can look before loading the core."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "OneStop MSK"
STORE_FILE = "clinic.db"


def data_dir() -> Path:
    """Where this user's store lives (platform convention; ``XDG_DATA_HOME`` on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_store_path() -> Path:
    """The store the app opens when none is named."""
    return data_dir() / STORE_FILE
