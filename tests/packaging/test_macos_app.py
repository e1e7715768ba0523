"""The macOS app's description, entitlements, spec and build script, checked where they can be.

Freezing for macOS, codesign, hdiutil, notarytool and stapler run only on a Mac (the macOS
workflow); here the files they read are checked, and the spec is run with PyInstaller's
building blocks replaced by recorders, to see what it would ask PyInstaller for.
"""

from __future__ import annotations

import plistlib
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from installers.macos import app_info
from installers.packaging.app import app_version
from tests.support.tools import required_program

ROOT = Path(__file__).resolve().parents[2]
MACOS = ROOT / "installers" / "macos"


def test_the_info_plist_names_the_app_its_version_and_why_it_wants_the_camera() -> None:
    info = app_info.info_plist()
    # What plistlib can write, Info.plist can hold (no None, no stray types).
    assert plistlib.loads(plistlib.dumps(info)) == info
    assert info["CFBundleShortVersionString"] == info["CFBundleVersion"] == app_version()
    assert info["CFBundleIdentifier"] == "org.onestop-msk.desktop"
    assert info["CFBundleDisplayName"] == "OneStop MSK"
    assert "video grabber" in info["NSCameraUsageDescription"]
    assert info["NSHighResolutionCapable"] is True


def test_the_entitlements_relax_only_what_the_app_needs() -> None:
    entitlements = plistlib.loads((MACOS / "entitlements.plist").read_bytes())
    assert entitlements == {
        "com.apple.security.cs.allow-unsigned-executable-memory": True,
        "com.apple.security.device.camera": True,
    }
    # Notarisation refuses get-task-allow (a debugger may attach); the app is not sandboxed.
    assert "com.apple.security.get-task-allow" not in entitlements


class _Recorder:
    """Stands in for one of PyInstaller's spec classes: remembers how it was called."""

    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, *args: Any, **kwargs: Any) -> types.SimpleNamespace:
        _Recorder.calls.append((self.kind, args, kwargs))
        return types.SimpleNamespace(kind=self.kind, pure=[], scripts=[], binaries=[], datas=[])


def test_the_macos_spec_wraps_the_shared_one_folder_build_in_an_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda *args, **kwargs: []  # type: ignore[attr-defined]
    hooks.collect_submodules = lambda *args, **kwargs: []  # type: ignore[attr-defined]
    hooks.copy_metadata = lambda *args, **kwargs: []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setenv("ONESTOP_ICNS", "/build/onestop.icns")
    monkeypatch.setattr(sys, "path", list(sys.path))
    _Recorder.calls = []
    spec = MACOS / "onestop-macos.spec"
    names: dict[str, Any] = {"SPECPATH": str(MACOS), "__file__": str(spec)}
    names |= {kind: _Recorder(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}

    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), names)

    kinds = [kind for kind, _args, _kwargs in _Recorder.calls]
    assert kinds == ["Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"]
    _kind, analysis_args, _kwargs = _Recorder.calls[0]
    # The shared spec found the repository (not installers/) from where it lives.
    assert analysis_args[0] == [str(ROOT / "installers" / "onestop_entry.py")]
    _kind, bundle_args, bundle = _Recorder.calls[-1]
    assert bundle_args[0].kind == "COLLECT"
    assert bundle["name"] == "OneStop MSK.app"
    assert bundle["icon"] == "/build/onestop.icns"
    assert bundle["bundle_identifier"] == app_info.BUNDLE_IDENTIFIER
    assert bundle["info_plist"] == app_info.info_plist()


def test_the_build_script_passes_shellcheck() -> None:
    checked = subprocess.run(
        [required_program("shellcheck"), str(MACOS / "build.sh")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


def _release_build(environment: dict[str, str], folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(MACOS / "build.sh"), "--release"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=folder,
        check=False,
        timeout=30,
    )


def test_a_release_build_stops_at_once_without_the_identity_and_notary_key(tmp_path: Path) -> None:
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    refused = _release_build(environment, tmp_path)
    assert refused.returncode == 1
    assert "MACOS_SIGNING_IDENTITY is not set" in refused.stderr
    assert not (ROOT / "build" / "macos" / "venv").exists()

    environment |= {
        "MACOS_SIGNING_IDENTITY": "Apple Development: someone (TEAM)",
        "APPLE_NOTARY_KEY_FILE": str(tmp_path / "key.p8"),
        "APPLE_NOTARY_KEY_ID": "KEY",
        "APPLE_NOTARY_ISSUER": "ISSUER",
    }
    refused = _release_build(environment, tmp_path)
    assert refused.returncode == 1
    assert "must be a Developer ID Application identity" in refused.stderr
