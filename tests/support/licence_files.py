"""The SBOM and licence list a package installs in its doc folder, read and checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.postgres import running_in_ci


def synthetic_bundle(root: Path, files: list[str]) -> Path:
    """A folder laid out as a PyInstaller one-folder bundle, holding files named as ``files``.

    The files' content is not a library: the inventory reads names, never contents.
    """
    bundle = root / "bundle"
    for relative in files:
        path = bundle / "_internal" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not really a library")
    return bundle


def check_cyclonedx(text: str) -> None:
    """Fails unless ``text`` is a CycloneDX 1.6 JSON document, by the schema's strict reading."""
    try:
        from cyclonedx import schema
        from cyclonedx.validation import json as validation
    except ImportError:
        if running_in_ci():
            pytest.fail("cyclonedx-python-lib is not installed (it is a dev dependency)")
        pytest.skip("cyclonedx-python-lib not installed")
    validator = validation.JsonStrictValidator(schema.SchemaVersion.V1_6)
    assert validator.validate_str(text) is None


def check_installed_licences(docs: Path, package: str, *, naming: set[str]) -> str:
    """The package's SBOM is valid CycloneDX naming ``naming`` among its components.

    Returns the licence list (``licences.md``), which must list the same components.
    """
    sbom_text = (docs / f"{package}.cdx.json").read_text(encoding="utf-8")
    check_cyclonedx(sbom_text)
    sbom = json.loads(sbom_text)
    assert sbom["metadata"]["component"]["name"] == package
    names = {component["name"] for component in sbom["components"]}
    assert naming <= names, sorted(naming - names)
    listing = (docs / "licences.md").read_text(encoding="utf-8")
    assert listing.startswith(f"# Licences of {package} ")
    for name in naming:
        assert f"| {name} |" in listing, name
    return listing
