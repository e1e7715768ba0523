"""The packages under test, each built once and shared by every test and xdist worker.

Builds are slow (PyInstaller takes about a minute, a .deb as long again), so each is made
under a file lock in the repository's build/packaging folder (the same cache as
``python -m installers.packaging``): the first worker builds, the other waits and reuses it,
and the next run reuses it too while nothing it depends on has changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from installers.packaging import deb
from installers.packaging.app import FROZEN_APP, SPEC, app_version, stage_app
from installers.packaging.freeze import REPOSITORY, freeze

WORK = REPOSITORY / "build" / "packaging"
# Besides the bundle and its own files, every package is made from these: the code that lays
# it out, and the reviewed licences its licence list is written from.
PACKAGING_CODE = (REPOSITORY / "installers" / "packaging", REPOSITORY / "installers" / "licences")

_built: dict[str, Path] = {}
# name -> seconds this process spent building or waiting for it, for the tests' timings
timings: dict[str, float] = {}


def build_once(name: str, build: Callable[[Path], Path]) -> Path:
    """Runs ``build(folder)`` under a lock named ``name``; remembers its answer in this process.

    ``build`` gets a folder of its own (kept between runs) and must itself reuse what it made
    before when nothing changed.
    """
    if name in _built:
        return _built[name]
    WORK.mkdir(parents=True, exist_ok=True)
    folder = WORK / name
    folder.mkdir(exist_ok=True)
    started = time.monotonic()
    with (WORK / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result = build(folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    timings[name] = time.monotonic() - started
    _built[name] = result
    return result


def made_from(bundle: Path, *sources: Path) -> str:
    """A stamp of what a package is made from: the bundle, ``sources`` and the packaging code."""
    digest = hashlib.sha256()
    for folder in (*sources, *PACKAGING_CODE):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPOSITORY)).encode() + b"\0")
                digest.update(path.read_bytes())
    return f"{bundle}\n{digest.hexdigest()}\n"


def frozen_app() -> Path:
    """The app's one-folder bundle (``<bundle>/onestop`` is the program)."""
    return build_once(FROZEN_APP, lambda folder: freeze(SPEC, work=folder))


def cached_deb(name: str, bundle: Path, stage: Callable[..., Path], *sources: Path) -> Path:
    """The .deb (gzip) that ``stage(bundle, staging, version=...)`` lays out, under ``name``.

    Rebuilt only when the bundle, ``sources`` (the package's own files) or the packaging code
    change.
    """
    key = made_from(bundle, *sources)

    def build(folder: Path) -> Path:
        stamp = folder / "made-from"
        built = sorted(folder.glob("*.deb"))
        if len(built) == 1 and stamp.is_file() and stamp.read_text() == key:
            return built[0]
        for old in built:
            old.unlink()
        staging = stage(bundle, folder / "staging", version=app_version())
        try:
            package = deb.build_deb(staging, folder, compression="gzip")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        stamp.write_text(key)
        return package

    return build_once(name, build)


def app_deb() -> Path:
    """The app's .deb (gzip), rebuilt only when the bundle or the package's own files change."""
    return cached_deb("app-deb", frozen_app(), stage_app, REPOSITORY / "installers" / "debian")
