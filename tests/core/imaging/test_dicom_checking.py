"""What arrives is checked from its header and first frame, and refused for its real reason.

Real scanner files (pydicom-data and pydicom's own test files) of every common transfer
syntax are kept exactly as they came, from bytes and from a file on disk as the listener
hands them on; broken ones are refused with a code naming what is wrong.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import uuid
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.tag import Tag
from pydicom.uid import (
    JPEG2000,
    MPEG4HP41,
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLosslessSV1,
    JPEGLSLossless,
    RLELossless,
)

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom import reading
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from tests.support.us_image import us_multiframe

PASSWORD = "correct horse battery"

# (file, the transfer syntax it must be in, what it is)
SOUND_FILES = [
    ("JPGLosslessP14SV1_1s_1f_8b.dcm", JPEGLosslessSV1, "JPEG Lossless SV1, grey"),
    ("SC_rgb_jpeg_gdcm.dcm", JPEGLosslessSV1, "JPEG Lossless SV1, colour"),
    ("JPEG-LL.dcm", JPEGLosslessSV1, "JPEG Lossless SV1, 16-bit nuclear medicine"),
    ("color3d_jpeg_baseline.dcm", JPEGBaseline8Bit, "JPEG baseline, multi-frame colour"),
    ("US1_J2KR.dcm", JPEG2000Lossless, "JPEG 2000 lossless, ultrasound"),
    ("US1_J2KI.dcm", JPEG2000, "JPEG 2000 lossy, ultrasound"),
    ("MR_small_jpeg_ls_lossless.dcm", JPEGLSLossless, "JPEG-LS lossless"),
    ("OBXXXX1A_rle_2frame.dcm", RLELossless, "RLE, two frames"),
    ("image_dfl.dcm", DeflatedExplicitVRLittleEndian, "deflated"),
    ("MR_small_bigendian.dcm", ExplicitVRBigEndian, "big endian"),
    ("gdcm-US-ALOKA-16.dcm", ImplicitVRLittleEndian, "ultrasound, implicit VR"),
]

BROKEN_FILES = [
    ("MR_truncated.dcm", "dicom.truncated"),
    ("emri_small_jpeg_2k_lossless_too_short.dcm", "dicom.truncated"),
    ("rtplan.dcm", "dicom.no_pixels"),
]


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="tom", display_name="Tom Okafor", role=Role.SONOGRAPHER, password=PASSWORD
    )
    return services.auth.login("tom", PASSWORD)


def _path(name: str) -> Path:
    found = get_testdata_file(name)
    assert isinstance(found, str), name
    return Path(found)


@pytest.mark.parametrize(("name", "syntax", "what"), SOUND_FILES, ids=[f[0] for f in SOUND_FILES])
@pytest.mark.parametrize("handed_on", ["bytes", "file"])
def test_a_real_scanner_file_of_every_common_syntax_is_kept_as_it_came(  # noqa: PLR0917 - fixtures
    services: Services,
    sonographer: CurrentUser,
    tmp_path: Path,
    name: str,
    syntax: UID | None,
    what: str,
    handed_on: str,
) -> None:
    original = _path(name).read_bytes()
    if syntax is not None:
        meta = dcmread(io.BytesIO(original), stop_before_pixels=True).file_meta
        assert meta.TransferSyntaxUID == syntax, what
    copy = tmp_path / "received.dcm"
    copy.write_bytes(original)
    view = services.imaging.receive(original if handed_on == "bytes" else copy)
    assert view.study_id is None  # it names nobody registered: it waits for a person
    assert services.imaging.image_file(sonographer, view.id) == original


def _with_values_pydicom_warns_over() -> bytes:
    """A whole clip whose header breaks VR rules in ways scanners do (pydicom warns)."""
    ds = _clip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.StationName = "POCUS-ROOM-3-CORRIDOR-B-BAY-12"  # SH: at most 16
        ds.FrameOfReferenceUID = "1.2.826.0.1.3680043.10.OLD-SYSTEM.7"  # UI: digits and dots
        # Patient's Size is DS, a number: "1.70m" is read on as text.
        ds[0x00101020] = RawDataElement(Tag(0x00101020), "DS", 6, b"1.70m ", 0, False, True)
        return _saved(ds)


@pytest.mark.parametrize("handed_on", ["bytes", "file"])
def test_a_file_pydicom_only_warns_over_is_kept(
    services: Services, sonographer: CurrentUser, tmp_path: Path, handed_on: str
) -> None:
    original = _with_values_pydicom_warns_over()
    with pytest.warns(
        UserWarning, match="Invalid value for VR UI"
    ):  # the premise: pydicom does warn over this file
        dcmread(io.BytesIO(original)).FrameOfReferenceUID  # noqa: B018
    copy = tmp_path / "received.dcm"
    copy.write_bytes(original)
    view = services.imaging.receive(original if handed_on == "bytes" else copy)
    assert view.frames == 4
    assert services.imaging.image_file(sonographer, view.id) == original


@pytest.mark.parametrize(("name", "code"), BROKEN_FILES, ids=[f[0] for f in BROKEN_FILES])
@pytest.mark.parametrize("handed_on", ["bytes", "file"])
def test_a_broken_file_is_refused_for_its_real_reason_and_nothing_is_kept(  # noqa: PLR0917 - fixtures
    services: Services,
    sonographer: CurrentUser,
    tmp_path: Path,
    name: str,
    code: str,
    handed_on: str,
) -> None:
    original = _path(name).read_bytes()
    copy = tmp_path / "received.dcm"
    copy.write_bytes(original)
    with pytest.raises(ValidationError) as refused:
        services.imaging.receive(original if handed_on == "bytes" else copy)
    assert refused.value.code == code
    assert services.imaging.orphans(sonographer) == []


# 12-bit JPEG Extended: no decoder the app ships reads it (libjpeg, which did, is GPL-3.0);
# point-of-care scanners send 8-bit. The second is NEMA's sample with a malformed stream, of
# which the first is the repair: both are refused for their compression, before any decoding.
TWELVE_BIT_JPEG = ["JPGExtended.dcm", "JPEG-lossy.dcm"]


@pytest.mark.parametrize("name", TWELVE_BIT_JPEG)
@pytest.mark.parametrize("handed_on", ["bytes", "file"])
def test_a_12_bit_jpeg_extended_file_is_refused_as_a_compression_the_app_cannot_open(
    services: Services, sonographer: CurrentUser, tmp_path: Path, name: str, handed_on: str
) -> None:
    original = _path(name).read_bytes()
    header = dcmread(io.BytesIO(original), stop_before_pixels=True)
    assert header.file_meta.TransferSyntaxUID == JPEGExtended12Bit
    assert header.BitsStored == 12
    copy = tmp_path / "received.dcm"
    copy.write_bytes(original)
    with pytest.raises(ValidationError) as refused:
        services.imaging.receive(original if handed_on == "bytes" else copy)
    assert refused.value.code == "dicom.unsupported_compression"
    assert refused.value.params["syntax"] == JPEGExtended12Bit.name
    assert services.imaging.orphans(sonographer) == []


def _saved(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _clip(frames: int = 4) -> Dataset:
    return us_multiframe(frames=frames, colour=False)


def _without_rows() -> bytes:
    ds = _clip()
    del ds.Rows
    return _saved(ds)


def _no_columns() -> bytes:
    ds = _clip()
    ds.Columns = 0
    return _saved(ds)


def _frames_made_up() -> bytes:
    ds = _clip()
    ds.NumberOfFrames = 0
    return _saved(ds)


def _cut_short() -> bytes:
    whole = _saved(_clip())
    return whole[: len(whole) - 1000]


def _as_mpeg4() -> bytes:
    """A clip whose pixel data is an H.264 stream: a syntax no decoder here reads."""
    ds = _clip(1)
    ds.PixelData = encapsulate([b"\x00\x00\x00\x01" + b"\x67" * 63])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = MPEG4HP41
    return _saved(ds)


def _fragments_cut_short() -> bytes:
    ds = us_multiframe(frames=4, colour=False, jpeg_ls=True)
    whole = _saved(ds)
    # Leave off the sequence delimiter and part of the last fragment.
    return whole[: len(whole) - 40]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: b"", "file.empty"),
        (_without_rows, "dicom.bad_dimensions"),
        (_no_columns, "dicom.bad_dimensions"),
        (_frames_made_up, "dicom.bad_dimensions"),
        (_cut_short, "dicom.truncated"),
        (_fragments_cut_short, "dicom.truncated"),
        (_as_mpeg4, "dicom.unsupported_compression"),
    ],
    ids=[
        "empty",
        "no rows",
        "no columns",
        "zero frames",
        "cut short",
        "fragments cut",
        "mpeg4",
    ],
)
def test_a_file_is_refused_with_the_reason_a_person_can_act_on(
    services: Services, sonographer: CurrentUser, make: object, code: str
) -> None:
    data = make()  # type: ignore[operator]
    with pytest.raises(ValidationError) as refused:
        services.imaging.read_file(data)
    assert refused.value.code == code
    assert refused.value.field == "file"
    if code == "dicom.unsupported_compression":
        # The words name the compression, so the scanner's export can be changed to suit.
        assert refused.value.params["syntax"] == MPEG4HP41.name
    assert services.imaging.orphans(sonographer) == []


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a size but holds one row: a decompression bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 16))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (40_000, 40_000)])
def test_a_picture_declaring_a_huge_size_is_refused_plainly(
    services: Services, width: int, height: int
) -> None:
    # 10,000 squared is past Pillow's warning limit, 40,000 squared past its refusal.
    with pytest.raises(ValidationError) as refused:
        services.imaging.read_file(_png_header_only(width, height))
    assert refused.value.code == "image.too_large"


def _long_clip(path: Path, frames: int) -> int:
    """A grey uncompressed clip of ``frames`` 240 x 320 frames on disk; its size in bytes."""
    ds = us_multiframe(frames=frames, colour=False)
    ds.save_as(path, enforce_file_format=True)
    return path.stat().st_size


def test_checking_a_clip_decodes_its_first_frame_only(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[int] = []
    real = reading.pixel_array

    def counted(source: object, *, index: int | None = None, **options: object) -> np.ndarray:
        decoded.append(-1 if index is None else index)
        return real(source, index=index, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "pixel_array", counted)
    clip = tmp_path / "clip.dcm"
    _long_clip(clip, 120)
    view = services.imaging.receive(clip)
    assert view.frames == 120
    assert decoded == [0]
    decoded.clear()
    compressed = tmp_path / "clip-jls.dcm"
    us_multiframe(frames=60, colour=True, jpeg_ls=True).save_as(
        compressed, enforce_file_format=True
    )
    assert services.imaging.receive(compressed).frames == 60
    assert decoded == [0]


def _peak_while_receiving(services: Services, path: Path) -> tuple[int, uuid.UUID]:
    tracemalloc.start()
    try:
        view = services.imaging.receive(path)
        return tracemalloc.get_traced_memory()[1], view.id
    finally:
        tracemalloc.stop()


def test_receiving_a_long_clip_from_disk_takes_memory_for_a_frame_not_for_the_clip(
    services: Services, sonographer: CurrentUser, tmp_path: Path
) -> None:
    short, long = tmp_path / "short.dcm", tmp_path / "long.dcm"
    _long_clip(short, 20)
    long_size = _long_clip(long, 800)  # about 61 MB
    peak_short, _ = _peak_while_receiving(services, short)
    peak_long, kept = _peak_while_receiving(services, long)
    # Forty times the frames; the memory is a few chunks of the store and one frame either way.
    assert peak_long < long_size / 8
    assert peak_long < peak_short + 4 * 1024 * 1024
    # Kept in pieces, it reads back whole and unchanged.
    assert services.imaging.image_file(sonographer, kept) == long.read_bytes()
