"""Facts about the project that every installer reads from one place: its version."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def project_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The version in pyproject.toml."""
    with pyproject.open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])
