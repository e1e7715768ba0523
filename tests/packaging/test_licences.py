"""The licence rule over what a bundle ships: the real app bundle passes; GPL-only and unknown fail.

The real bundle is the app's frozen one-folder build; the synthetic ones are folders laid out
as PyInstaller lays out a bundle, holding files whose names say what they would be.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from installers.packaging import licences
from installers.packaging.inventory import library_name
from installers.packaging.licence_rule import (
    ALLOWLIST,
    check,
    gpl_free_choice,
    load_allowlist,
)
from tests.support.licence_files import check_cyclonedx, synthetic_bundle

_CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}

# What must never be in the app bundle, whatever else changes.
KEPT_OUT = {
    ("python", "av"),  # PyAV: its wheels carry x264 and x265 (GPL)
    ("python", "pylibjpeg-libjpeg"),  # GPL-3.0
    ("debian", "libreadline8"),  # GNU readline, GPL-3.0, linked by Python's readline module
}


@pytest.mark.parametrize(
    ("expression", "free"),
    [
        ("MIT", True),
        ("LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only", True),  # PySide6: LGPL taken
        ("LGPL-2.1-or-later", True),
        ("GPL-3.0-or-later WITH GCC-exception-3.1", True),  # libgcc, libstdc++
        ("GPL-2.0-or-later WITH Bootloader-exception", True),  # PyInstaller's boot loader
        ("BSD-3-Clause AND (Apache-2.0 OR GPL-2.0-only)", True),
        ("GPL-3.0-only", False),
        ("GPL-2.0-or-later", False),
        ("AGPL-3.0-only", False),
        ("MIT AND GPL-2.0-or-later", False),
        ("GPL-2.0-only WITH Linux-syscall-note", False),
        ("(GPL-2.0-only OR MPL-2.0) AND GPL-3.0-only", False),
    ],
)
def test_an_expression_passes_only_with_a_choice_free_of_the_gpl(
    expression: str, free: bool
) -> None:
    assert gpl_free_choice(expression) is free


def test_the_allowlist_names_a_licence_and_where_it_was_checked_for_every_entry() -> None:
    entries = load_allowlist()
    assert len(entries) > 150
    for entry in entries:
        assert entry.licence, entry.pattern
        assert entry.checked, entry.pattern
        gpl_free_choice(entry.licence)  # each one parses
    refused = {(entry.kind, entry.pattern) for entry in entries if entry.refused}
    assert refused >= KEPT_OUT


@pytest.mark.parametrize(
    ("relative", "name"),
    [
        ("av.libs/libx264-d6533a8d.so.165", "av.libs/libx264"),
        ("numpy.libs/libquadmath-96973f99-934c22de.so.0.0.0", "numpy.libs/libquadmath"),
        ("numpy.libs/libscipy_openblas64_-32a4b2a6.so", "numpy.libs/libscipy_openblas64_"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core"),
        ("pillow.libs/libwebpmux-8fb1c9f6.so.3.1.2", "pillow.libs/libwebpmux"),
    ],
)
def test_a_wheel_library_is_named_without_its_version_and_hash(relative: str, name: str) -> None:
    assert library_name(relative) == name


def test_a_bundle_with_a_gpl_only_library_and_an_unknown_one_fails_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    allowlist = tmp_path / "allowlist.toml"
    allowlist.write_text(
        '[library."vendor.libs/libgplonly"]\n'
        'licence = "GPL-3.0-only"\nchecked = "its COPYING"\n'
        '[library."vendor.libs/liblesser"]\n'
        'licence = "LGPL-2.1-or-later"\nchecked = "its COPYING.LIB"\n'
        '[library."vendor.libs/libruntime"]\n'
        'licence = "GPL-3.0-or-later WITH GCC-exception-3.1"\nchecked = "its COPYING.RUNTIME"\n'
    )
    bundle = synthetic_bundle(
        tmp_path,
        [
            "vendor.libs/libgplonly-0123abcd.so.1",
            "vendor.libs/liblesser-89abcdef.so.2",
            "vendor.libs/libruntime-fedcba98.so.1",
            "vendor.libs/libmystery-00112233.so.4",
        ],
    )
    out = tmp_path / "out"
    status = licences.main([str(bundle), "--out", str(out), "--allowlist", str(allowlist)])
    assert status == 1
    said = capsys.readouterr().err
    assert "vendor.libs/libgplonly: GPL-only (GPL-3.0-only)" in said
    assert "vendor.libs/libmystery: not in the allowlist" in said
    assert "liblesser" not in said
    assert "libruntime" not in said
    # Both files are written even so, and name every component.
    listing = (out / "bundle-licences.md").read_text()
    assert "| vendor.libs/libmystery |  | unknown | 1 | not reviewed |" in listing
    sbom = json.loads((out / "bundle.cdx.json").read_text())
    names = {component["name"] for component in sbom["components"]}
    assert names == {f"vendor.libs/lib{n}" for n in ("gplonly", "lesser", "runtime", "mystery")}


def test_the_reviewed_allowlist_refuses_pyav_and_files_nothing_explains(tmp_path: Path) -> None:
    bundle = synthetic_bundle(
        tmp_path,
        ["av.libs/libx264-d6533a8d.so.165", "pillow.libs/libjpeg-6dc8d115.so.62.4.0", "odd.bin"],
    )
    report = licences.review(bundle)
    found = {(finding.kind, finding.name): finding.reason for finding in report.findings}
    assert set(found) == {("library", "av.libs/libx264"), ("unattributed", "odd.bin")}
    assert found[("library", "av.libs/libx264")].startswith("refused: PyAV's wheels carry GPL")


def test_the_sbom_is_valid_cyclonedx(tmp_path: Path) -> None:
    bundle = synthetic_bundle(tmp_path, ["pillow.libs/libjpeg-6dc8d115.so.62.4.0"])
    sbom, _ = licences.write(licences.review(bundle), tmp_path / "out", version="0.1.0")
    check_cyclonedx(sbom.read_text())


def _app_bundle() -> Path:
    """The app's frozen one-folder bundle (built once per test run by the package support)."""
    given = os.environ.get("ONESTOP_APP_BUNDLE", "")
    if given:
        return Path(given)
    from tests.support.packages import frozen_app

    return frozen_app()


def _server_bundle() -> Path:
    """The server's frozen one-folder bundle, from the server package's test support."""
    try:
        from tests.support.server_package import server_bundle
    except ImportError:
        if _CI:
            pytest.fail("the server bundle cannot be built: tests/support/server_package.py")
        pytest.skip("no server bundle here: tests/support/server_package.py is missing")
    return server_bundle()


def _review_passes(bundle: Path, name: str, out: Path) -> set[tuple[str, str]]:
    report = licences.review(bundle, name=name)
    licences.write(report, out, version="0.1.0")
    if report.findings:
        pytest.fail(
            f"the {name} bundle breaks the licence rule:\n" + "\n".join(map(str, report.findings))
        )
    keys = {component.key for component in report.components}
    assert not keys & KEPT_OUT
    return keys


def test_everything_in_the_app_bundle_is_reviewed_and_none_of_it_gpl_only(tmp_path: Path) -> None:
    keys = _review_passes(_app_bundle(), "onestop", tmp_path)
    # The inventory really found the bundle's parts (an empty one would pass the rule).
    assert {
        ("python", "onestop-msk"),
        ("python", "pyside6-essentials"),
        ("python", "pydicom"),
        ("python", "python-gdcm"),
        ("runtime", "cpython"),
        ("library", "PySide6/Qt/lib/libQt6Core"),
        ("debian", "libx11-6"),
    } <= keys
    assert ALLOWLIST.is_file()


def test_everything_in_the_server_bundle_is_reviewed_and_none_of_it_gpl_only(
    tmp_path: Path,
) -> None:
    keys = _review_passes(_server_bundle(), "onestop-server", tmp_path)
    assert {("python", "onestop-msk"), ("python", "uvicorn"), ("runtime", "cpython")} <= keys
    assert not any(kind == "library" and name.startswith("PySide6/") for kind, name in keys)


def test_check_names_unknown_components_as_unknown() -> None:
    findings = check([("python", "a-package-nobody-reviewed")], load_allowlist())
    assert [str(f) for f in findings] == [
        "python a-package-nobody-reviewed: not in the allowlist (unknown licence)"
    ]
