"""Grabbed stills and clips as DICOM: valid to dciodvfy, readable by dcmtk, pixels exact."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.uid import JPEGLSLossless

from clinic_app.domains.imaging.dicom.capture import clip, still
from clinic_app.kernel.errors import ValidationError
from tests.support.capture_context import capture_context as _context

TOOLS = ("dciodvfy", "dcmdump")


def _require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(f"DICOM tools missing in CI: {missing}")
        pytest.skip(f"DICOM tools not installed: {missing}")


def _frames(count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # An ultrasound-like frame: mostly dark grey speckle, some bright structure.
    frames = rng.integers(0, 60, (count, 96, 128, 3), dtype=np.uint8)
    frames[:, 40:50, 20:100, :] = 220
    return frames


def _validate(path: Path) -> str:
    checked = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, report
    assert "Error" not in report, report
    assert "Warning" not in report, report
    dumped = subprocess.run(["dcmdump", str(path)], capture_output=True, text=True, check=True)
    return dumped.stdout


def test_a_still_is_a_valid_secondary_capture_with_exact_pixels(tmp_path: Path) -> None:
    _require_tools()
    frame = _frames(1, 1)[0]
    path = tmp_path / "still.dcm"
    still(frame, _context()).save_as(path, enforce_file_format=True)
    dump = _validate(path)
    assert "SecondaryCaptureImageStorage" in dump
    assert "JPEGLSLossless" in dump
    assert "(0008,0064) CS [DV]" in dump  # digitised video
    assert "(0020,0060) CS [L]" in dump
    assert "(0018,0015) CS [KNEE]" in dump
    assert "(0028,0301) CS [YES]" in dump  # video frames may carry burned-in text
    read = dcmread(path)
    assert read.file_meta.TransferSyntaxUID == JPEGLSLossless
    assert read.SpecificCharacterSet == "ISO_IR 192"
    assert str(read.PatientName) == "Ó'BRIEN^Siobhán"
    assert np.array_equal(read.pixel_array, frame)


def test_a_clip_keeps_its_frame_timing_and_every_frame(tmp_path: Path) -> None:
    _require_tools()
    frames = _frames(12, 2)
    path = tmp_path / "clip.dcm"
    clip(frames, 1000 / 30, _context(laterality="R", body_part="SHOULDER")).save_as(
        path, enforce_file_format=True
    )
    dump = _validate(path)
    assert "=MultiframeTrueColorSecondaryCaptureImageStorage" in dump  # dcmtk's spelling
    read = dcmread(path)
    assert int(read.NumberOfFrames) == 12
    assert float(read.FrameTime) == pytest.approx(33.333, abs=0.001)
    assert int(read.CineRate) == 30
    assert np.array_equal(read.pixel_array, frames)


def test_burned_in_text_is_declared_as_the_caller_says(tmp_path: Path) -> None:
    path = tmp_path / "clean.dcm"
    still(_frames(1, 3)[0], _context(burned_in=False)).save_as(path, enforce_file_format=True)
    assert dcmread(path).BurnedInAnnotation == "NO"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"laterality": ""}, "dicom.bad_laterality"),
        ({"body_part": "BRAIN"}, "dicom.bad_body_part"),
        ({"sex": "X"}, "dicom.bad_sex"),
    ],
)
def test_a_capture_without_its_side_or_body_part_is_refused(
    changes: dict[str, object], code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        still(_frames(1, 4)[0], _context(**changes))
    assert refused.value.code == code


def test_frames_that_are_not_8_bit_colour_are_refused() -> None:
    grey = np.zeros((10, 10), dtype=np.uint8)
    with pytest.raises(ValidationError) as refused:
        still(grey, _context())
    assert refused.value.code == "dicom.not_rgb"
    with pytest.raises(ValidationError) as timing:
        clip(_frames(2, 5), 0, _context())
    assert timing.value.code == "dicom.bad_frame_time"
