"""Clips kept as the service chooses: lossless by default, JPEG baseline when it says so.

A lossy clip is checked by tools the app did not write: dciodvfy (0 errors), dcmtk's
dcmdjpeg (decodes it), and the pixels each tool gives back against the frames captured.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.encaps import generate_frames
from pydicom.uid import JPEGBaseline8Bit, JPEGLSLossless

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom import clip_jpeg
from clinic_app.domains.imaging.dicom.capture import clip
from clinic_app.domains.imaging.dicom.clip_jpeg import ClipCompression, jpeg_frames
from clinic_app.domains.imaging.dicom.frames import FrameSource
from clinic_app.domains.imaging.dicom.pacs import _as_accepted
from clinic_app.domains.imaging.service.settings import changed_dicom_settings
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, PatientRecord
from clinic_app.server.cli import words_for
from tests.support import clips
from tests.support.capture_context import capture_context

PASSWORD = "correct horse battery"
#: Mean absolute difference per sample (0-255) allowed between a lossy frame and the frame
#: captured: a test tolerance for speckle at the default quality, not a clinical figure.
MEAN_ERROR = 12.0


def _require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(f"DICOM tools missing in CI: {missing}")
        pytest.skip(f"DICOM tools not installed: {missing}")


def _user(services: Services, name: str, role: Role) -> CurrentUser:
    services.users.add(
        SYSTEM, username=name, display_name=name.title(), role=role, password=PASSWORD
    )
    return services.auth.login(name, PASSWORD)


def _patient(services: Services, actor: CurrentUser) -> PatientRecord:
    return services.patients.register(
        actor,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    )


def _scan(count: int, seed: int = 7, height: int = 120, width: int = 160) -> np.ndarray:
    """Speckle over a dark field with a bright band that moves down, frame by frame."""
    rng = np.random.default_rng(seed)
    speckle = rng.rayleigh(18.0, (count, height, width)).clip(0, 255)
    frames = np.repeat(speckle[..., None], 3, axis=3).astype(np.uint8)
    for index in range(count):
        top = 20 + index * 3 % (height - 30)
        frames[index, top : top + 8, 10:-10, :] = 210
    return frames


def _dciodvfy_clean(path: Path) -> None:
    checked = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, report
    assert "Error" not in report, report


def _mean_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def _sampling(jpeg: bytes) -> list[tuple[int, int]]:
    """Each component's (horizontal, vertical) sampling, from a baseline frame header (SOF0)."""
    start = jpeg.index(b"\xff\xc0")  # SOF0: baseline DCT, Huffman (Process 1)
    count = jpeg[start + 9]
    components = jpeg[start + 10 : start + 10 + 3 * count]
    return [(byte >> 4, byte & 0x0F) for byte in components[1::3]]


def _kept(services: Services, actor: CurrentUser, image_id: object) -> bytes:
    return services.imaging.image_file(actor, image_id)  # type: ignore[arg-type]


def test_clips_are_lossless_until_the_service_lead_says_otherwise(services: Services) -> None:
    tom = _user(services, "tom", Role.SONOGRAPHER)
    patient = _patient(services, tom)
    frames = _scan(6)
    kept = services.imaging.capture_clip(
        tom, patient.id, frames, 40.0, body_part="KNEE", laterality="L"
    )
    read = dcmread(io.BytesIO(_kept(services, tom, kept.id)))
    assert read.file_meta.TransferSyntaxUID == JPEGLSLossless
    assert read.LossyImageCompression == "00"
    assert np.array_equal(read.pixel_array, frames)


def test_a_lossy_clip_is_jpeg_baseline_that_says_so_and_tools_decode_it(
    services: Services, tmp_path: Path
) -> None:
    _require("dciodvfy", "dcmdjpeg")
    lead = _user(services, "lee", Role.ADMIN)
    tom = _user(services, "tom", Role.SONOGRAPHER)
    services.dicom_settings.change(lead, clip_compression="lossy", clip_quality=85)
    patient = _patient(services, tom)
    frames = _scan(10)
    made = services.imaging.capture_clip(
        tom, patient.id, frames, 40.0, body_part="SHOULDER", laterality="R"
    )
    still = services.imaging.capture_still(
        tom, patient.id, frames[0], body_part="SHOULDER", laterality="R"
    )
    data = _kept(services, tom, made.id)
    path = tmp_path / "clip.dcm"
    path.write_bytes(data)
    read = dcmread(path)

    assert read.file_meta.TransferSyntaxUID == JPEGBaseline8Bit
    assert read.PhotometricInterpretation == "YBR_FULL_422"
    assert read.LossyImageCompression == "01"
    assert read.LossyImageCompressionMethod == "ISO_10918_1"
    # The ratio recorded is the frames' decoded size over the JPEG frames' size.
    fragments = list(generate_frames(read.PixelData, number_of_frames=10))
    jpeg_bytes = sum(len(fragment) for fragment in fragments)
    assert len(fragments) == 10
    assert all(fragment[:2] == b"\xff\xd8" for fragment in fragments)  # each a JPEG
    # YBR_FULL_422: luminance at full width, both chroma components at half (PS3.5 8.2.1).
    assert {tuple(_sampling(fragment)) for fragment in fragments} == {((2, 1), (1, 1), (1, 1))}
    assert float(read.LossyImageCompressionRatio) == pytest.approx(
        frames.nbytes / jpeg_bytes, rel=0.01
    )
    # Made lossy as it was made: the app's own UID form, the same in the file meta.
    assert str(read.SOPInstanceUID).startswith("2.25.")
    assert read.file_meta.MediaStorageSOPInstanceUID == read.SOPInstanceUID
    _dciodvfy_clean(path)

    decoded = tmp_path / "decoded.dcm"
    subprocess.run(["dcmdjpeg", str(path), str(decoded)], check=True, capture_output=True)
    plain = dcmread(decoded)
    assert plain.PhotometricInterpretation == "RGB"
    assert _mean_error(plain.pixel_array, frames) < MEAN_ERROR

    # Stills stay lossless whatever the setting says.
    kept_still = dcmread(io.BytesIO(_kept(services, tom, still.id)))
    assert kept_still.file_meta.TransferSyntaxUID == JPEGLSLossless
    assert np.array_equal(kept_still.pixel_array, frames[0])


def test_the_viewer_plays_a_lossy_clip_frame_by_frame() -> None:
    frames = _scan(8)
    out = io.BytesIO()
    clip(frames, 40.0, capture_context(), compression=ClipCompression(lossy=True)).save_as(
        out, enforce_file_format=True
    )
    with FrameSource.open(out.getvalue()) as source:
        assert (source.count, source.frame_time_ms) == (8, 40.0)
        shown = [source.frame(index) for index in range(source.count)]
    assert all(frame.shape == (120, 160, 3) for frame in shown)
    assert _mean_error(np.stack(shown), frames) < MEAN_ERROR
    # The band moved, and the viewer shows it where it was in each frame.
    assert shown[0][24, 80].mean() > 150
    assert shown[5][24, 80].mean() < 150


def test_a_pacs_taking_only_uncompressed_gets_the_lossy_clip_decompressed() -> None:
    frames = _scan(4)
    ds = clip(frames, 40.0, capture_context(), compression=ClipCompression(lossy=True))
    sop_class = str(ds.SOPClassUID)
    as_is = _as_accepted(ds, {(sop_class, str(JPEGBaseline8Bit))})
    assert as_is is ds  # a PACS taking JPEG baseline gets it as kept
    plain = _as_accepted(ds, {(sop_class, "1.2.840.10008.1.2.1")})
    assert plain is not None
    assert plain.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert plain.PhotometricInterpretation == "RGB"
    assert plain.SOPInstanceUID == ds.SOPInstanceUID
    assert plain.LossyImageCompression == "01"  # decompressing does not make it lossless
    assert _mean_error(plain.pixel_array, frames) < MEAN_ERROR


def test_an_mp4_made_lossy_again_keeps_both_steps_in_order(
    services: Services, tmp_path: Path
) -> None:
    _require("dciodvfy")
    lead = _user(services, "lee", Role.ADMIN)
    tom = _user(services, "tom", Role.SONOGRAPHER)
    services.dicom_settings.change(lead, clip_compression="lossy")
    patient = _patient(services, tom)
    mp4 = clips.encode_clip(tmp_path / "scan.mp4", clips.bars(12), fps=25)
    kept = services.imaging.import_file(tom, patient.id, mp4, body_part="KNEE", laterality="L")
    path = tmp_path / "kept.dcm"
    path.write_bytes(_kept(services, tom, kept.id))
    read = dcmread(path)
    assert read.file_meta.TransferSyntaxUID == JPEGBaseline8Bit
    ratios = [float(value) for value in read.LossyImageCompressionRatio]
    assert len(ratios) == 2
    assert ratios[0] > ratios[1] > 1  # the MP4's ratio first, then the JPEG's
    expected = "ISO_14496_10" if clips.ENCODER == "libx264" else None
    if expected:
        assert list(read.LossyImageCompressionMethod) == [expected, "ISO_10918_1"]
    _dciodvfy_clean(path)


def test_both_cores_make_the_same_frames_as_one() -> None:
    frames = _scan(6)
    assert jpeg_frames(frames, 90, workers=2) == jpeg_frames(frames, 90, workers=1)


def test_a_clip_too_large_for_a_basic_offset_table_gets_an_extended_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _require("dciodvfy")
    frames = _scan(5)
    # A real one is over 4 GiB of JPEG; the limit is lowered to make one here.
    monkeypatch.setattr(clip_jpeg, "_BASIC_OFFSET_LIMIT", 1000)
    path = tmp_path / "large.dcm"
    clip(frames, 40.0, capture_context(), compression=ClipCompression(lossy=True)).save_as(
        path, enforce_file_format=True
    )
    read = dcmread(path)
    offsets = struct.unpack(f"<{5}Q", read.ExtendedOffsetTable)
    lengths = struct.unpack(f"<{5}Q", read.ExtendedOffsetTableLengths)
    assert offsets[0] == 0
    assert all(
        b - a == length + 8 for a, b, length in zip(offsets, offsets[1:], lengths, strict=False)
    )
    _dciodvfy_clean(path)
    assert _mean_error(read.pixel_array, frames) < MEAN_ERROR


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"clip_compression": "mpeg"}, "clip_compression", "dicom.bad_clip_compression"),
        ({"clip_quality": 49}, "clip_quality", "dicom.bad_clip_quality"),
        ({"clip_quality": 96}, "clip_quality", "dicom.bad_clip_quality"),
        ({"clip_quality": "90"}, "clip_quality", "dicom.bad_clip_quality"),
        ({"clip_quality": True}, "clip_quality", "dicom.bad_clip_quality"),
    ],
)
def test_a_clip_setting_out_of_bounds_is_refused_in_words(
    changes: dict[str, object], field: str, code: str
) -> None:
    with pytest.raises(FormErrors) as refused:
        changed_dicom_settings({}, changes)
    (error,) = refused.value.errors
    assert (error.field, error.code) == (field, code)
    assert not words_for(error).startswith("Refused")


def test_the_clip_setting_is_stored_only_when_it_differs_from_the_default() -> None:
    settings, stored = changed_dicom_settings({}, {"clip_compression": "lossy"})
    assert (settings.clip_compression, settings.clip_quality) == ("lossy", 90)
    assert stored == {"clip_compression": "lossy"}
    back, stored_again = changed_dicom_settings(stored, {"clip_compression": "lossless"})
    assert back.clip_compression == "lossless"
    assert stored_again == {}
