"""The app's .deb passes lintian, Debian's package checker, with only the overrides it ships.

lintian runs inside the clean Debian root (it is a Debian tool and the root has it), on the
same package the install test uses. Each override in installers/debian/lintian-overrides says
why the tag does not apply to a frozen app under /opt.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.debian_root import Chroot, fresh_root
from tests.support.packages import app_deb
from tests.support.summary import SUMMARY_LINES

# The first test to ask for the package builds it (PyInstaller, then dpkg-deb): minutes on a
# busy two-core machine, far beyond the suite's per-test limit.
pytestmark = pytest.mark.timeout(900)


def test_lintian_finds_no_error_or_warning_in_the_app_package(tmp_path: Path) -> None:
    package = app_deb()
    root = fresh_root(tmp_path)
    with Chroot(root) as chroot:
        chroot.copy_in(package, f"/tmp/{package.name}")
        # lintian warns when run as root, and needs nothing of root's
        assert chroot.run(["useradd", "--create-home", "checker"]).returncode == 0
        started = time.monotonic()
        checked = chroot.run(
            ["lintian", "--fail-on", "error,warning", "--display-info", f"/tmp/{package.name}"],
            user="checker",
            timeout=400,
        )
        took = time.monotonic() - started
    lines = checked.stdout.splitlines()
    complaints = [line for line in lines if line[:2] in ("E:", "W:")]
    assert not complaints, "\n".join(complaints)
    # Every override is used: one that no longer matches anything is dead weight to remove.
    unused = [line for line in lines if "unused-override" in line or "mismatched-override" in line]
    assert not unused, "\n".join(unused)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr
    SUMMARY_LINES.append(f"app package: lintian {took:.1f} s")
