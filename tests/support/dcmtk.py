"""dcmtk's network tools, found by path so pynetdicom's own apps never stand in for them.

pynetdicom installs console scripts named like dcmtk's (``storescu``, ``findscu``,
``echoscu``, ``storescp``...) into the environment's ``bin``, which comes first on PATH when
the environment is active, as it is in the test command. A test that means dcmtk, the
independent peer, asks for it here: the first program of that name on PATH that is not a
Python script. In CI a missing tool fails the test; elsewhere it skips it.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.tools import unavailable


def _is_python_script(path: Path) -> bool:
    try:
        with path.open("rb") as program:
            first = program.readline(200)
    except OSError:
        return True
    return first.startswith(b"#!") and b"python" in first


def find(tool: str) -> str | None:
    """The full path of dcmtk's ``tool``, or None when it is not installed."""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder or ".") / tool
        if (
            candidate.is_file()
            and os.access(candidate, os.X_OK)
            and not _is_python_script(candidate)
        ):
            return str(candidate)
    return None


def dcmtk(tool: str) -> str:
    """The full path of dcmtk's ``tool``; fails in CI, skips elsewhere, when it is missing."""
    found = find(tool)
    if found is None:
        unavailable(f"dcmtk's {tool} is not installed (installers/test.sh installs dcmtk)")
    return found
