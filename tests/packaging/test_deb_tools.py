"""The packaging primitives on a tiny package: strip, RUNPATH, permissions, md5sums, dpkg-deb."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from installers.packaging import deb
from tests.support.postgres import running_in_ci
from tests.support.x_screen import parse_xwininfo, read_xwd

TOOLS = ("fakeroot", "dpkg-deb", "patchelf", "strip", "objcopy", "readelf")


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"packaging needs {', '.join(missing)} (fakeroot, patchelf, binutils)"
        if running_in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    root = tmp_path / "staging"
    app = root / "opt" / "tiny"
    app.mkdir(parents=True)
    # A real shared library from this machine, given a RUNPATH into the build machine's folders.
    library = app / "libz.so.1"
    shutil.copyfile(Path("/lib/x86_64-linux-gnu/libz.so.1").resolve(), library)
    subprocess.run(
        ["patchelf", "--set-rpath", "/home/builder/lib:$ORIGIN/sub", str(library)], check=True
    )
    # and the build machine's compiler note, which strip must take out
    (tmp_path / "note").write_text("GCC: (builder) 99\n")
    subprocess.run(
        ["objcopy", f"--add-section=.comment={tmp_path / 'note'}", str(library)], check=True
    )
    (app / "run").write_text("#!/bin/sh\necho hi\n")
    os.chmod(app / "run", 0o700)
    (app / "notes.txt").write_text("plain\n")
    os.chmod(app / "notes.txt", 0o600)
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text(
        "Package: tiny\nVersion: 1.2\nArchitecture: amd64\nMaintainer: T <t@example.org>\n"
        "Description: a tiny package\n for the packaging tools' own test.\n"
    )
    return root


def _sections(path: Path) -> str:
    return subprocess.run(
        ["readelf", "--section-headers", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_a_staged_folder_becomes_a_root_owned_package_with_clean_libraries(
    staging: Path, tmp_path: Path
) -> None:
    app = staging / "opt" / "tiny"
    assert ".comment" in _sections(app / "libz.so.1")
    assert deb.strip_libraries(app) == 1
    assert ".comment" not in _sections(app / "libz.so.1")
    assert deb.remove_foreign_runpaths(app) == [app / "libz.so.1"]
    assert deb.runpath(app / "libz.so.1") == "$ORIGIN/sub"
    assert deb.remove_foreign_runpaths(app) == []
    deb.normalise_permissions(staging)
    assert (app / "run").stat().st_mode & 0o777 == 0o755
    assert (app / "notes.txt").stat().st_mode & 0o777 == 0o644
    assert (app / "libz.so.1").stat().st_mode & 0o777 == 0o644
    deb.write_md5sums(staging)
    sums = (staging / "DEBIAN" / "md5sums").read_text().splitlines()
    assert sorted(line.split()[1] for line in sums) == [
        "opt/tiny/libz.so.1",
        "opt/tiny/notes.txt",
        "opt/tiny/run",
    ]

    package = deb.build_deb(staging, tmp_path / "out", compression="xz")
    assert package.name == "tiny_1.2_amd64.deb"
    assert deb.control_field(package, "Package") == "tiny"
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(package)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    files = {line.split()[-1]: line.split()[:2] for line in listing}
    assert files["./opt/tiny/run"] == ["-rwxr-xr-x", "root/root"]
    assert files["./opt/tiny/notes.txt"] == ["-rw-r--r--", "root/root"]
    with pytest.raises(ValueError, match="compression"):
        deb.build_deb(staging, tmp_path / "out", compression="zstd")


def _xwd(pixels: np.ndarray, *, msb_first: bool) -> bytes:
    height, width, _ = pixels.shape
    header = [0] * 25
    header[0] = 100 + 4  # header size: the 25 words and a window name
    header[1], header[2], header[3], header[4], header[5] = 7, 2, 24, width, height
    header[7], header[11], header[12] = int(msb_first), 32, width * 4
    header[15], header[16], header[17] = 0xFF0000, 0x00FF00, 0x0000FF
    # 32-bit pixels 0x00RRGGBB, in the byte order the header names
    words = (pixels[..., 0].astype(np.uint32) << 16) | (pixels[..., 1].astype(np.uint32) << 8)
    words |= pixels[..., 2].astype(np.uint32)
    body = words.astype(">u4" if msb_first else "<u4").tobytes()
    return struct.pack(">25I", *header) + b"x\0\0\0" + body


@pytest.mark.parametrize("msb_first", [False, True])
def test_a_screen_dump_reads_back_as_the_colours_it_holds(msb_first: bool) -> None:
    pixels = np.zeros((3, 4, 3), np.uint8)
    pixels[0, 0] = (255, 0, 0)
    pixels[1, 2] = (0, 128, 0)
    pixels[2, 3] = (1, 2, 3)
    assert np.array_equal(read_xwd(_xwd(pixels, msb_first=msb_first)), pixels)


def test_a_window_geometry_is_read_from_xwininfo() -> None:
    window = parse_xwininfo(
        'xwininfo: Window id: 0x400007 "OneStop MSK"\n\n'
        "  Absolute upper-left X:  8\n  Absolute upper-left Y:  20\n"
        "  Width: 1264\n  Height: 680\n  Map State: IsViewable\n"
    )
    assert (window.x, window.y, window.width, window.height, window.viewable) == (
        8,
        20,
        1264,
        680,
        True,
    )
