"""The frozen app's entry point: ``onestop`` as the launcher runs it, plus ``self-check``.

``onestop self-check [DICOM files]`` exists only in the frozen app. IT staff (and the package
tests) run it after an install to see that the bundle decodes what scanners send and which
keychain it found; it never opens a store and prints no patient data, only what each file is
and a digest of its decoded pixels.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def self_check(arguments: list[str]) -> int:
    """Decodes each DICOM file named and reports the keychain backend; 0 when all decoded."""
    import keyring  # noqa: PLC0415 - the app itself starts without these
    import numpy as np  # noqa: PLC0415
    import pydicom  # noqa: PLC0415

    print(f"keychain: {type(keyring.get_keyring()).__module__}")
    failed = 0
    for name in arguments:
        try:
            dataset = pydicom.dcmread(Path(name))
            pixels = np.ascontiguousarray(dataset.pixel_array)
        except Exception as error:  # noqa: BLE001 - reported, and the exit status says so
            print(f"{name}: not decoded: {type(error).__name__}: {error}")
            failed += 1
            continue
        digest = hashlib.sha256(pixels.tobytes()).hexdigest()
        syntax = dataset.file_meta.TransferSyntaxUID
        print(f"{name}: {syntax} {'x'.join(map(str, pixels.shape))} {pixels.dtype} {digest}")
    return 1 if failed else 0


def main() -> int:
    """Runs the self-check when asked for, the launcher otherwise."""
    if getattr(sys, "frozen", False) and sys.platform == "darwin" and len(sys.argv) == 1:
        sys.argv.append("run")  # opened from Finder or the Dock: the window, not the help text
    if sys.argv[1:2] == ["self-check"]:
        return self_check(sys.argv[2:])
    from ui.launcher import main as launcher_main  # noqa: PLC0415 - after the check

    return launcher_main()


if __name__ == "__main__":
    sys.exit(main())
