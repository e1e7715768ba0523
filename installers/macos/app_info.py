"""What the .app's Info.plist says about the app (PyInstaller's BUNDLE writes the file)."""

from __future__ import annotations

from typing import Any

from installers.packaging.app import app_version

APP_NAME = "OneStop MSK"
#: The bundle identifier: macOS keys permissions, the keychain and MDM profiles on it. Fixed.
BUNDLE_IDENTIFIER = "org.onestop-msk.desktop"
#: The oldest macOS the app is built for (PySide6 6.8+ wheels need macOS 12 or later).
MINIMUM_MACOS = "12.0"


def info_plist(version: str | None = None) -> dict[str, Any]:
    """The Info.plist keys beyond those PyInstaller writes itself."""
    shown = version or app_version()
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_IDENTIFIER,
        "CFBundleShortVersionString": shown,
        "CFBundleVersion": shown,
        "LSMinimumSystemVersion": MINIMUM_MACOS,
        "LSApplicationCategoryType": "public.app-category.medical",
        "NSHighResolutionCapable": True,
        # macOS asks the user once, in these words, before the app may use a video grabber
        # (ultrasound capture): without this key the hardened runtime refuses the camera.
        "NSCameraUsageDescription": (
            "OneStop MSK captures ultrasound images from a video grabber connected to this Mac."
        ),
        "NSHumanReadableCopyright": "OneStop MSK. All rights reserved.",
    }
