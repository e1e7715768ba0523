"""Each package is built with its own SBOM and licence list, and not built when the rule fails.

The bundles here are folders laid out as PyInstaller lays out a bundle, holding files whose
names say what they would be; the builders review them with the project's real allowlist.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from installers.packaging import deb
from installers.packaging.app import PACKAGE as APP
from installers.packaging.app import stage_app
from installers.packaging.layout import LicenceRuleError
from installers.packaging.video import LICENCE as VIDEO_LICENCE
from installers.packaging.video import PACKAGE as VIDEO
from installers.packaging.video import stage_video
from tests.support.licence_files import synthetic_bundle

QT_CORE = "PySide6/Qt/lib/libQt6Core.so.6"
# Qt Charts is offered only under the GPL (or a commercial licence).
QT_CHARTS = "PySide6/Qt/lib/libQt6Charts.so.6"
X264 = "av.libs/libx264-d6533a8d.so.165"
GFORTRAN = "numpy.libs/libgfortran-040039e1-0352e75f.so.5.0.0"


def test_the_app_package_is_not_built_from_a_bundle_with_a_gpl_only_library(
    tmp_path: Path,
) -> None:
    bundle = synthetic_bundle(
        tmp_path, [QT_CORE, QT_CHARTS, "vendor.libs/libmystery-00112233.so.4"]
    )
    staging = tmp_path / "staging"
    with pytest.raises(LicenceRuleError) as refused:
        stage_app(bundle, staging, version="0.1.0")
    said = str(refused.value)
    assert "library PySide6/Qt/lib/libQt6Charts: refused: Qt Charts is GPL-3.0" in said
    assert "library vendor.libs/libmystery: not in the allowlist" in said
    assert "libQt6Core" not in said
    # Refused before anything was laid out: there is nothing to build a package from.
    assert not staging.exists()


def test_the_app_package_carries_the_sbom_and_licence_list_of_its_bundle(
    tmp_path: Path,
) -> None:
    bundle = synthetic_bundle(tmp_path, [QT_CORE])
    staging = stage_app(bundle, tmp_path / "staging", version="0.1.0")
    package = deb.build_deb(staging, tmp_path / "out")
    listed = subprocess.run(
        ["dpkg-deb", "--contents", str(package)], capture_output=True, text=True, check=True
    ).stdout
    assert f"./usr/share/doc/{APP}/{APP}.cdx.json" in listed
    assert f"./usr/share/doc/{APP}/licences.md" in listed
    docs = staging / "usr" / "share" / "doc" / APP
    sbom = json.loads((docs / f"{APP}.cdx.json").read_text())
    assert sbom["metadata"]["component"]["licenses"] == [{"expression": "LicenseRef-Proprietary"}]
    assert [c["name"] for c in sbom["components"]] == ["PySide6/Qt/lib/libQt6Core"]
    assert f"  usr/share/doc/{APP}/licences.md\n" in (staging / "DEBIAN" / "md5sums").read_text()


def test_the_video_add_on_ships_its_gpl_libraries_listed_as_such(tmp_path: Path) -> None:
    # The project's own code in it (the worker) is under the add-on's licence, not the app's.
    worker = "clinic_app/domains/imaging/dicom/video_worker.pyc"
    bundle = synthetic_bundle(tmp_path, [X264, GFORTRAN, worker])
    staging = stage_video(bundle, tmp_path / "staging", version="0.1.0")
    docs = staging / "usr" / "share" / "doc" / VIDEO
    listing = (docs / "licences.md").read_text()
    assert f"The package is under {VIDEO_LICENCE}." in listing
    under_gpl = listing.split("## Under the GPL")[1].split("## Findings")[0]
    assert "- library av.libs/libx264: GPL-2.0-or-later\n" in under_gpl
    assert "libgfortran" not in under_gpl  # GPL with the run-time exception: no finding at all
    assert "## Findings\n\nNone: every component passes." in listing
    sbom = json.loads((docs / f"{VIDEO}.cdx.json").read_text())
    assert sbom["metadata"]["component"]["licenses"] == [{"expression": VIDEO_LICENCE}]
    licences = {c["name"]: c["licenses"][0]["expression"] for c in sbom["components"]}
    assert licences["onestop-msk"] == VIDEO_LICENCE
    assert "LicenseRef-Proprietary" not in listing


def test_the_video_add_on_is_not_built_with_a_component_nobody_reviewed(tmp_path: Path) -> None:
    bundle = synthetic_bundle(tmp_path, [X264, "av.libs/libnewcodec-0badf00d.so.1", "odd.bin"])
    with pytest.raises(LicenceRuleError) as refused:
        stage_video(bundle, tmp_path / "staging", version="0.1.0")
    said = str(refused.value)
    # The av.libs pattern refuses it for the app, but gives it no licence of its own.
    assert "unattributed odd.bin: not in the allowlist" in said
    assert "libx264" not in said
