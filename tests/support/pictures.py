"""Pictures of screens and printouts kept for a person to look at.

Kept only when ``ONESTOP_SCREENSHOTS`` names a folder (created if need be); otherwise a test
takes no picture at all, and nothing is written outside the test's own temporary folders.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def folder() -> Path | None:
    """Where pictures go, or None when none are wanted."""
    named = os.environ.get("ONESTOP_SCREENSHOTS", "").strip()
    if not named:
        return None
    path = Path(named)
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep(widget: object, name: str) -> None:
    """Save a picture of ``widget`` as ``name`` (a .png file name), if pictures are wanted."""
    where = folder()
    if where is None:
        return
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    widget.grab().save(str(where / name))  # type: ignore[attr-defined]


def keep_pdf(pdf: Path | bytes, stem: str, resolution: int = 70) -> None:
    """Save the pages of ``pdf`` (a file or its bytes) as PNG files named from ``stem``, if
    pictures are wanted."""
    where = folder()
    if where is None:
        return
    source, given = ("-", pdf) if isinstance(pdf, bytes) else (str(pdf), None)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(resolution), source, str(where / stem)],
        input=given,
        check=True,
    )
