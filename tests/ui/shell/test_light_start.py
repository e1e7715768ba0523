"""The sign-in window comes up before the heavy libraries load: none is imported by ``ui.app``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("sqlalchemy", "reportlab", "pydicom", "numpy", "pynetdicom", "av")


def _loaded_by(probe: str) -> str:
    """The last line a Python probe prints, run in a fresh process as the app would start."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_importing_the_app_loads_no_store_dicom_or_pdf_library() -> None:
    probe = (
        "import sys, ui.app, ui.launcher\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    loaded = _loaded_by(probe)
    assert loaded == "", f"loaded at start-up: {loaded}"


def test_importing_the_app_loads_no_screen_module() -> None:
    # Screens are built when first opened; their modules must not slow the sign-in window.
    probe = (
        "import sys, ui.app, ui.launcher\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('ui.domains.'))))\n"
    )
    loaded = _loaded_by(probe)
    assert loaded == "", f"screen modules loaded at start-up: {loaded}"


def test_building_the_sign_in_window_loads_no_store_dicom_or_pdf_library() -> None:
    # Every screen's declaration and words are read when the window is built: none of them
    # may bring the storage, DICOM or PDF libraries in before sign-in.
    probe = (
        "import sys\n"
        "from types import SimpleNamespace\n"
        "from ui.app import create_application\n"
        "create_application()\n"
        "from ui.shell.window import ShellWindow\n"
        "config = SimpleNamespace(idle_lock_seconds=0)\n"
        "ShellWindow(SimpleNamespace(config=config, auth=None), defer_workspace=True)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    loaded = _loaded_by(probe)
    assert loaded == "", f"loaded while building the sign-in window: {loaded}"
