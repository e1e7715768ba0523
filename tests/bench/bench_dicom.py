"""Wrapping a grabbed clip as JPEG-LS multi-frame DICOM, against dcmtk's dcmcjpls.

A 300-frame 1024 x 768 RGB clip (synthetic, ultrasound-like: dark speckle with a bright
structure that moves) is wrapped by the app as a Multi-frame True Color Secondary Capture
compressed with JPEG-LS lossless. The baseline, in the same run on the same machine, is dcmtk's
``dcmcjpls`` compressing the same frames (written uncompressed first; writing is not timed).

Run: ``python -m tests.bench.bench_dicom [--frames N]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydicom.uid import ExplicitVRLittleEndian

from clinic_app.domains.imaging.dicom.capture import CaptureContext, clip, new_uid

WIDTH, HEIGHT = 1024, 768


def frames_like_ultrasound(count: int, seed: int = 5) -> np.ndarray:
    """Speckled dark frames with a bright band that moves, as a probe sweep looks."""
    rng = np.random.default_rng(seed)
    speckle = rng.integers(0, 48, (HEIGHT, WIDTH), dtype=np.uint8)
    frames = np.empty((count, HEIGHT, WIDTH, 3), dtype=np.uint8)
    for index in range(count):
        grey = np.roll(speckle, index * 3, axis=1).copy()
        top = 200 + (index * 2) % 300
        grey[top : top + 24, 100:900] = 210
        frames[index] = grey[:, :, None]
    return frames


def _context() -> CaptureContext:
    return CaptureContext(
        nhs_number="9990000018",
        family_name="Bench",
        given_name="Clip",
        birth_date=date(1960, 1, 1),
        sex="O",
        study_uid=new_uid(),
        series_uid=new_uid(),
        body_part="SHOULDER",
        laterality="R",
        operator="",
        when=datetime.now(UTC),
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Time the app's wrapping and dcmcjpls on the same frames; print and return the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args(argv)
    frames = frames_like_ultrasound(args.frames)
    folder = Path(tempfile.mkdtemp(prefix="onestop-bench-dicom-"))
    started = time.perf_counter()
    wrapped = clip(frames, 1000 / 30, _context())
    app_s = time.perf_counter() - started
    wrapped.save_as(folder / "app.dcm", enforce_file_format=True)

    plain = clip(frames[:1], 1000 / 30, _context())  # a valid header, then the raw frames
    plain.decompress()
    plain.set_pixel_data(frames, "RGB", 8)
    plain.NumberOfFrames = args.frames
    plain.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    plain.save_as(folder / "raw.dcm", enforce_file_format=True)
    started = time.perf_counter()
    subprocess.run(
        ["dcmcjpls", "+el", str(folder / "raw.dcm"), str(folder / "dcmtk.dcm")], check=True
    )
    dcmtk_s = time.perf_counter() - started
    raw_mb = frames.nbytes / 1e6
    figures = {
        "frames": args.frames,
        "raw_mb": round(raw_mb, 1),
        "app_s": round(app_s, 2),
        "dcmcjpls_s": round(dcmtk_s, 2),
        "ratio_app_to_dcmcjpls": round(app_s / dcmtk_s, 2),
        "app_mb": round((folder / "app.dcm").stat().st_size / 1e6, 1),
        "dcmcjpls_mb": round((folder / "dcmtk.dcm").stat().st_size / 1e6, 1),
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)
