"""The video add-on frozen and packaged on its own: it decodes a real clip, holds nothing of
the app, installs into a clean Debian root and purges without a trace.
"""

from __future__ import annotations

import json
import struct
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PyInstaller.archive.readers import CArchiveReader

from clinic_app.domains.imaging.dicom import video
from installers.packaging.app import app_version
from installers.packaging.video import (
    DEBIAN_FILES,
    FROZEN_VIDEO,
    LICENCE,
    PACKAGE,
    PROGRAM,
    frozen_video,
    stage_video,
)
from tests.support import clips
from tests.support.debian_root import Chroot, fresh_root
from tests.support.licence_files import check_installed_licences
from tests.support.packages import build_once, cached_deb
from tests.support.summary import SUMMARY_LINES

LIMITS = ["--max-frames", "1200", "--max-bytes", "1500000000"]


@pytest.fixture(scope="module")
def bundle() -> Path:
    return build_once(FROZEN_VIDEO, frozen_video)


def _video_deb(bundle: Path) -> Path:
    """The add-on's .deb (gzip), rebuilt when the bundle or the way it is packaged changes."""
    return cached_deb("video-deb", bundle, stage_video, DEBIAN_FILES)


def test_the_frozen_add_on_decodes_a_clip_as_the_source_one_does(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = clips.encode_clip(tmp_path / "sweep.mp4", clips.bars(40), rotation=90)
    from_source = video.decode_mp4(data)
    monkeypatch.setattr(video, "worker_command", lambda: [str(bundle / PROGRAM)])
    frozen = video.decode_mp4(data)
    np.testing.assert_array_equal(frozen.frames, from_source.frames)
    assert frozen.frames.shape == (40, clips.WIDTH, clips.HEIGHT, 3)
    assert (frozen.codec, frozen.method, frozen.frame_time_ms) == (
        from_source.codec,
        from_source.method,
        from_source.frame_time_ms,
    )
    # A damaged clip is refused by the frozen add-on just the same.
    with pytest.raises(video.ValidationError) as refused:
        video.decode_mp4(data[: len(data) // 2])
    assert refused.value.code == "video.unreadable"


def test_the_frozen_add_on_holds_nothing_of_the_app(bundle: Path) -> None:
    archive = CArchiveReader(str(bundle / PROGRAM))
    modules: set[str] = set()
    for name in archive.toc:
        if name.endswith(".pyz"):
            modules.update(archive.open_embedded_archive(name).toc)
    assert "av" in modules
    assert "numpy" in modules
    for foreign in ("clinic_app", "ui", "resources", "PySide6", "shiboken6", "readline"):
        assert not {m for m in modules if m == foreign or m.startswith(foreign + ".")}, foreign
    internal = bundle / "_internal"
    assert not [p for p in internal.iterdir() if p.name.startswith(("clinic_app", "PySide6"))]
    assert not list(internal.rglob("libreadline*"))


def _assert_lintian_clean(checked: subprocess.CompletedProcess[str]) -> None:
    """No error or warning, and every override the package ships was needed.

    lintian runs with ``--fail-on none`` (shown overrides of error tags would count as
    failures), so its status says only whether it ran; the tags are read from its output.
    """
    tags = [line.split() for line in checked.stdout.splitlines() if line[:2] in {"E:", "W:", "O:"}]
    assert not [tag for tag in tags if tag[0] != "O:"], checked.stdout
    assert checked.returncode == 0, checked.stdout + checked.stderr
    used = {tag[2] for tag in tags}
    shipped = (DEBIAN_FILES / "lintian-overrides").read_text().splitlines()
    declared = {line.split()[1] for line in shipped if line.strip() and not line.startswith("#")}
    assert declared <= used, f"overrides never used: {sorted(declared - used)}"


def test_the_add_on_package_is_lintian_clean_installs_decodes_and_purges_in_a_clean_root(
    bundle: Path, tmp_path: Path
) -> None:
    package = _video_deb(bundle)
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(package)], capture_output=True, text=True, check=True
    ).stdout
    assert f"./opt/{PACKAGE}/{PROGRAM}" in listing
    assert f"./usr/share/doc/{PACKAGE}/source/video_worker.py" in listing
    started = time.monotonic()
    root = fresh_root(tmp_path)
    clips.encode_clip(tmp_path / "clip.mp4", clips.bars(12))
    with Chroot(root) as chroot:
        chroot.copy_in(package, f"/tmp/{package.name}")
        chroot.copy_in(tmp_path / "clip.mp4", "/tmp/clip.mp4")
        checked = chroot.run(
            ["lintian", "--fail-on", "none", "--show-overrides", f"/tmp/{package.name}"],
            timeout=400,
        )
        _assert_lintian_clean(checked)
        installed = chroot.run(["dpkg", "-i", f"/tmp/{package.name}"], timeout=300)
        assert installed.returncode == 0, installed.stderr
        listing = check_installed_licences(
            chroot.path(f"/usr/share/doc/{PACKAGE}"),
            PACKAGE,
            naming={"av", "numpy", "av.libs/libavcodec", "av.libs/libx264"},
        )
        # GPL as a whole: the GPL parts are listed as shipped, and nothing is left unknown.
        assert "- library av.libs/libx264: GPL-2.0-or-later\n" in listing
        # The worker, the project's own code in it, is under the add-on's licence.
        assert f"| onestop-msk | {app_version()} | {LICENCE} |" in listing
        assert "## Findings\n\nNone: every component passes." in listing
        # Run as a clinician would be: an ordinary user, with no Python on the machine.
        assert chroot.run(["useradd", "--create-home", "clinician"]).returncode == 0
        assert chroot.run(["sh", "-c", "command -v python3"]).returncode != 0
        ran = chroot.run(
            [
                "sh",
                "-c",
                f"/opt/{PACKAGE}/{PROGRAM} {' '.join(LIMITS)} </tmp/clip.mp4 >/tmp/out.bin",
            ],
            user="clinician",
        )
        assert ran.returncode == 0, ran.stderr
        out = chroot.path("/tmp/out.bin").read_bytes()
        (length,) = struct.unpack(">I", out[:4])
        header = json.loads(out[4 : 4 + length])
        assert (header["frames"], header["height"], header["width"]) == (12, 120, 160)
        assert len(out) == 4 + length + 12 * 120 * 160 * 3
        purged = chroot.run(["dpkg", "--purge", PACKAGE])
        assert purged.returncode == 0, purged.stderr
        assert not chroot.path(f"/opt/{PACKAGE}").exists()
        assert not chroot.path(f"/usr/share/doc/{PACKAGE}").exists()
    SUMMARY_LINES.append(
        f"video add-on package {package.stat().st_size / 1e6:.0f} MB: lintian clean, installed, "
        f"decoded a clip and purged in a clean root in {time.monotonic() - started:.0f} s"
    )
