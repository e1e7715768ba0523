"""The frozen app on this machine, with no Python of its own: a store, a user, the window.

The bundle is the one the .deb carries (tests/support/packages.py builds it once a run). It
runs in a private HOME, sees none of the test process's modules, and is checked the way IT
would check an install: administration commands, the sign-in window on a screen, the scanner
decoders, and the real Linux keychain.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from tests.support.packages import frozen_app, timings
from tests.support.postgres import running_in_ci
from tests.support.secret_service import (
    DEFAULT_COLLECTION,
    SecretService,
    SecretServiceStartError,
    SecretServiceUnavailableError,
)
from tests.support.summary import SUMMARY_LINES
from tests.support.x_screen import VirtualScreen

# The first test to ask for the package builds it (PyInstaller, then dpkg-deb): minutes on a
# busy two-core machine, far beyond the suite's per-test limit.
pytestmark = pytest.mark.timeout(900)

PASSWORD = "Correct-Horse-99!"
# One real scanner file per decoder the bundle carries (pydicom-data and pydicom's own files).
SCANNER_FILES = (
    "US1_J2KR.dcm",  # JPEG 2000 lossless, ultrasound (openjpeg)
    "MR_small_jpeg_ls_lossless.dcm",  # JPEG-LS lossless (pyjpegls)
    "OBXXXX1A_rle_2frame.dcm",  # RLE lossless, two frames (pylibjpeg-rle)
)


def _missing(reason: str) -> None:
    if running_in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def program() -> Path:
    started = time.monotonic()
    built = frozen_app() / "onestop"
    timings.setdefault("frozen app", time.monotonic() - started)
    return built


def _environment(home: Path, **extra: str) -> dict[str, str]:
    """A private profile and nothing of the test process's Python path or keychain."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
        "ONESTOP_OPERATOR": "it.deployment",
        "QT_QPA_PLATFORM": "offscreen",
        "QT_LOGGING_RULES": "qt.multimedia.*=false",
    }
    for name in ("data", "config", "cache", "runtime"):
        (home / name).mkdir(parents=True, exist_ok=True, mode=0o700)
    environment.update(extra)
    return environment


def _run(
    program: Path, arguments: list[str], env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program), *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _create_store(program: Path, env: dict[str, str], store: Path, *insecure: str) -> None:
    created = _run(program, ["init", "--store", str(store), *insecure], env)
    assert created.returncode == 0, created.stdout + created.stderr
    added = _run(
        program,
        [
            "user",
            "add",
            "--store",
            str(store),
            *insecure,
            "--name",
            "Admin One",
            "--role",
            "admin",
            "--password-stdin",
            "admin1",
        ],
        env,
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stdout + added.stderr
    listed = _run(program, ["user", "list", "--store", str(store), *insecure], env)
    assert "admin1" in listed.stdout, listed.stdout + listed.stderr


def test_the_frozen_app_makes_a_store_and_shows_the_sign_in_window(
    program: Path, tmp_path: Path
) -> None:
    if missing := VirtualScreen.missing_programs():
        _missing(f"a virtual screen needs {', '.join(missing)}")
    env = _environment(tmp_path / "home")
    store = tmp_path / "home" / "store" / "clinic.db"
    store.parent.mkdir(parents=True)
    started = time.monotonic()
    _create_store(program, env, store, "--insecure-dev-keyring")
    assert store.is_file()
    took = {"init and user add": time.monotonic() - started}

    with VirtualScreen() as screen:
        started = time.monotonic()
        app = subprocess.Popen(
            [str(program), "run", "--store", str(store), "--insecure-dev-keyring"],
            env={**env, **screen.environment()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            window = screen.wait_for_window("OneStop MSK", timeout=60, alive=app)
            took["sign-in window"] = time.monotonic() - started
            time.sleep(1)  # the first paint
            pixels = screen.screenshot()
        finally:
            app.terminate()
            _, errors = app.communicate(timeout=30)
    region = pixels[window.y : window.y + window.height, window.x : window.x + window.width]
    assert len(np.unique(region.reshape(-1, 3), axis=0)) > 50, "the sign-in window is blank"
    assert b"Traceback" not in errors, errors.decode(errors="replace")
    # The bundle writes nothing beside itself (it is read-only once installed under /opt).
    assert not list(program.parent.rglob("__pycache__"))
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in took.items())
    SUMMARY_LINES.append(f"frozen app: {steps}")


def _pixel_digest(path: str) -> str:
    pixels = np.ascontiguousarray(pydicom.dcmread(path).pixel_array)
    return hashlib.sha256(pixels.tobytes()).hexdigest()


def test_the_frozen_app_decodes_jpeg_2000_jpeg_ls_and_rle_as_the_source_does(
    program: Path, tmp_path: Path
) -> None:
    paths = [get_testdata_file(name) for name in SCANNER_FILES]
    assert all(isinstance(path, str) for path in paths), paths
    checked = _run(program, ["self-check", *map(str, paths)], _environment(tmp_path / "home"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in checked.stdout.splitlines()}
    for path in paths:
        assert isinstance(path, str)
        assert lines[path].endswith(_pixel_digest(path)), (path, lines[path])


@pytest.fixture
def secret_service() -> Iterator[SecretService]:
    service = SecretService()
    try:
        service.start()
    except (SecretServiceUnavailableError, SecretServiceStartError) as error:
        _missing(f"the Secret Service could not be started: {error}")
    try:
        yield service
    finally:
        service.stop()


def test_the_frozen_app_keeps_the_store_key_in_the_secret_service(
    program: Path, tmp_path: Path, secret_service: SecretService
) -> None:
    import secretstorage

    env = _environment(tmp_path / "home", DBUS_SESSION_BUS_ADDRESS=secret_service.address)
    checked = _run(program, ["self-check"], env)
    assert checked.stdout.startswith("keychain: keyring.backends.SecretService"), checked
    store = tmp_path / "store" / "clinic.db"
    store.parent.mkdir()
    _create_store(program, env, store)
    with secret_service.connection() as connection:
        collection = secretstorage.Collection(connection, DEFAULT_COLLECTION)
        items = list(collection.search_items({"service": "OneStop MSK"}))
        assert items, "the store key is not in the Secret Service"
    assert not (tmp_path / "home" / "data" / "python_keyring").exists()


def test_the_bundle_leaves_out_what_the_spec_excludes(program: Path) -> None:
    internal = program.parent / "_internal"
    names = {path.relative_to(internal).as_posix() for path in internal.rglob("*")}
    unwanted = {
        "GNU readline (GPL-3.0)": [name for name in names if "readline" in name],
        "PyAV and its FFmpeg with x264/x265": [
            name for name in names if name.startswith(("av/", "av.libs/"))
        ],
        "pylibjpeg-libjpeg (GPL-3.0)": [name for name in names if name.startswith("libjpeg/")],
        "reportlab's sample fonts": [name for name in names if name.startswith("reportlab/fonts")],
        "test tools": [name for name in names if name.startswith(("pytest", "_pytest", "tests/"))],
    }
    assert {what: found for what, found in unwanted.items() if found} == {}
    # ... while what the app needs at run time is there, as files where it reads files.
    for needed in (
        "clinic_app/kernel/migrations/versions",
        "ui/shell/registry.py",
        "resources",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    ):
        assert needed in names, needed


# The Qt plug-ins the app needs, under PySide6/Qt/plugins in the bundle: the screens it may be
# shown on (X11, Wayland, none for the tests and for the headless commands), clips played back
# by Qt Multimedia's FFmpeg, letters printed through CUPS, the picture formats the screens and
# letters load, and TLS for the sync server.
QT_PLUGINS = (
    "platforms/libqxcb.so",
    "platforms/libqwayland.so",
    "platforms/libqoffscreen.so",
    "multimedia/libffmpegmediaplugin.so",
    "printsupport/libcupsprintersupport.so",
    "imageformats/libqjpeg.so",
    "imageformats/libqsvg.so",
    "iconengines/libqsvgicon.so",
    "tls/libqopensslbackend.so",
)
# What a plug-in may take from the machine rather than the bundle: the C library, and the
# graphics and display libraries the package Depends on (installers/packaging/app.py).
SYSTEM_LIBRARIES = {
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "ld-linux-x86-64.so.2",
    "libGL.so.1",
    "libEGL.so.1",
    "libdrm.so.2",
    "libxcb.so.1",
    "libwayland-client.so.0",
    "libwayland-cursor.so.0",
    "libwayland-egl.so.1",
}


def test_the_bundle_carries_the_qt_plugins_the_app_needs_and_what_they_link(
    program: Path,
) -> None:
    internal = program.parent / "_internal"
    plugins = internal / "PySide6" / "Qt" / "plugins"
    assert not [name for name in QT_PLUGINS if not (plugins / name).is_file()]
    # A plug-in whose library is missing is skipped by Qt without a word: each one's libraries
    # must be in the bundle (Qt's own, or ones PyInstaller copied) or among the Depends.
    bundled = {path.name for path in internal.rglob("*.so*")}
    for name in QT_PLUGINS:
        needed = subprocess.run(
            ["patchelf", "--print-needed", str(plugins / name)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert any(library.startswith("libQt6") for library in needed), (name, needed)
        assert not set(needed) - bundled - SYSTEM_LIBRARIES, name
    # The OpenSSL backend opens OpenSSL 3 by name when the first TLS connection is made.
    assert {"libssl.so.3", "libcrypto.so.3"} <= {path.name for path in internal.iterdir()}
