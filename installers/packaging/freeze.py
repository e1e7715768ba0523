"""PyInstaller, run once per change: a one-folder build reused while nothing it uses changed."""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
# What a frozen bundle is made of, besides the spec and the installed distributions.
SOURCE_FOLDERS = (
    "clinic_app",
    "ui",
    "resources",
    "installers/onestop_entry.py",
    "installers/onestop_server_entry.py",
)
_DONE = "complete"


class FreezeError(RuntimeError):
    """PyInstaller failed; the message carries the end of its log."""


def tracked_sources(root: Path = REPOSITORY) -> list[Path]:
    """The files git tracks under the source folders, plus untracked ones not ignored."""
    listed = subprocess.run(
        [
            "git",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            *SOURCE_FOLDERS,
        ],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    files = (root / name for name in listed.decode().split("\0") if name)
    return sorted(path for path in files if path.is_file())


def build_key(spec: Path, root: Path = REPOSITORY) -> str:
    """A digest of the spec, the sources and the versions of every installed distribution."""
    digest = hashlib.sha256()
    digest.update(f"python {sys.version}\n".encode())
    for distribution in sorted(
        f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions()
    ):
        digest.update(distribution.encode() + b"\n")
    for path in [spec.resolve(), *tracked_sources(root)]:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:20]


def freeze(spec: Path, *, work: Path) -> Path:
    """Runs PyInstaller on ``spec`` (one folder) and returns the bundle's folder.

    Builds go under ``work``, one folder per build key; an earlier complete build with the same
    key is returned at once. Older builds of the same spec are deleted once a new one is done.
    """
    spec = spec.resolve()
    key = build_key(spec)
    name = spec.stem
    target = work / f"{name}-{key}"
    dist = target / "dist"
    if (target / _DONE).is_file():
        return _bundle_in(dist)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    log = target / "pyinstaller.log"
    with log.open("wb") as output:
        finished = subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--log-level=WARN",
                f"--distpath={dist}",
                # PyInstaller's own analysis cache, shared by the builds of this spec.
                f"--workpath={work / f'{name}-pyinstaller-work'}",
                str(spec),
            ],
            cwd=REPOSITORY,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if finished.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        raise FreezeError(f"PyInstaller failed on {spec.name}:\n" + "\n".join(tail))
    (target / _DONE).write_text(key + "\n", encoding="utf-8")
    for older in work.glob(f"{name}-*"):
        if older != target and (older / _DONE).is_file():
            shutil.rmtree(older, ignore_errors=True)
    return _bundle_in(dist)


def _bundle_in(dist: Path) -> Path:
    folders = [path for path in dist.iterdir() if path.is_dir()]
    if len(folders) != 1:
        raise FreezeError(f"expected one bundle folder in {dist}, found {len(folders)}")
    return folders[0]
