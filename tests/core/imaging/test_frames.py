"""Frames for the viewer: decoded one at a time, in the background, within a memory budget."""

from __future__ import annotations

import io
import threading
from datetime import UTC, date, datetime

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import convert_color_space
from pydicom.uid import SecondaryCaptureImageStorage

from clinic_app.domains.imaging.dicom.capture import CaptureContext, clip, new_uid, still
from clinic_app.domains.imaging.dicom.frames import FrameSource, frame_timing
from clinic_app.kernel.errors import ValidationError
from tests.support.us_image import ONE_VIEW, us_multiframe

WAIT_S = 30.0


def _context() -> CaptureContext:
    return CaptureContext(
        nhs_number="9990000018",
        family_name="Test",
        given_name="Frames",
        birth_date=date(1970, 1, 1),
        sex="O",
        study_uid=new_uid(),
        series_uid=new_uid(),
        body_part="KNEE",
        laterality="R",
        operator="OKAFOR^Tom",
        when=datetime(2026, 11, 25, 10, 30, tzinfo=UTC),
    )


def _frames(count: int, rows: int = 48, columns: int = 64, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 80, (count, rows, columns, 3), dtype=np.uint8)
    for index in range(count):
        frames[index, 10 + index % 20, :, :] = 230  # a bright line that moves: frames differ
    return frames


def _bytes(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _plain(pixels: np.ndarray, photometric: str, bits: int, **attributes: object) -> bytes:
    """A minimal uncompressed Secondary Capture around ``pixels``, with extra attributes."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = new_uid()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.set_pixel_data(pixels, photometric, bits)
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return _bytes(ds)


def test_a_still_gives_its_one_frame_exactly_and_has_no_timing() -> None:
    frame = _frames(1)[0]
    with FrameSource.open(_bytes(still(frame, _context()))) as source:
        assert (source.count, source.rows, source.columns) == (1, 48, 64)
        assert source.is_colour
        assert source.bits == 8
        assert source.frame_time_ms is None
        assert source.window is None
        assert source.calibration.source == "none"
        shown = source.frame(0)
        assert shown.dtype == np.uint8
        assert np.array_equal(shown, frame)
        assert not shown.flags.writeable  # the kept frame cannot be changed by a caller
        source.prefetch()
        assert not source.prefetching  # nothing to decode in the background


def test_a_jpeg_ls_clip_is_decoded_in_the_background_and_every_frame_is_exact() -> None:
    frames = _frames(24)
    source = FrameSource.open(_bytes(clip(frames, 100.0, _context())))
    try:
        assert source.count == 24
        assert source.frame_time_ms == pytest.approx(100.0)
        assert source.cached_count == 1  # only the first frame is decoded on opening
        assert source.keeps_whole_clip
        source.prefetch()
        assert source.wait_prefetched(WAIT_S)
        assert source.cached_count == 24
        for index in (0, 7, 23):
            assert np.array_equal(source.frame(index), frames[index])
        # A kept frame is handed out, not decoded again.
        assert np.shares_memory(source.frame(5), source.frame(5))
    finally:
        source.close()
    assert not source.prefetching


def test_a_frame_not_yet_decoded_is_decoded_on_demand() -> None:
    frames = _frames(10)
    with FrameSource.open(_bytes(clip(frames, 40.0, _context()))) as source:
        assert not source.is_cached(9)
        assert np.array_equal(source.frame(9), frames[9])
        assert source.is_cached(9)
        assert source.latest_cached(1, 9) == 9
        assert source.latest_cached(1, 8) is None
        with pytest.raises(IndexError):
            source.frame(10)


def test_close_stops_the_background_thread_part_way() -> None:
    frames = _frames(60, rows=240, columns=320)
    source = FrameSource.open(_bytes(clip(frames, 33.3, _context())))
    source.prefetch()
    assert source.prefetching
    source.close()
    assert not source.prefetching
    assert not [t for t in threading.enumerate() if t.name == "frame-decode" and t.is_alive()]
    with pytest.raises(RuntimeError):
        source.frame(0)


def test_a_clip_larger_than_the_budget_keeps_a_window_ahead_of_the_playhead() -> None:
    frames = _frames(30)
    frame_bytes = frames[0].nbytes
    with FrameSource.open(
        _bytes(clip(frames, 40.0, _context())), cache_bytes=8 * frame_bytes
    ) as source:
        assert not source.keeps_whole_clip
        source.set_playhead(12)
        source.prefetch()
        deadline = threading.Event()
        for _ in range(300):
            if all(source.is_cached(index) for index in range(12, 20)):
                break
            deadline.wait(0.02)
        assert all(source.is_cached(index) for index in range(12, 20))
        assert source.cached_count <= 8
        # Frames outside the window are still right: decoded again when asked for.
        for index in (0, 29, 12):
            assert np.array_equal(source.frame(index), frames[index])
        assert source.cached_count <= 8


def test_monochrome_16_bit_keeps_its_values_and_the_files_window() -> None:
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 4096, (2, 32, 40), dtype=np.uint16)
    data = _plain(
        pixels,
        "MONOCHROME2",
        12,
        WindowCenter=[1000, 2000],
        WindowWidth=[400, 800],
        RescaleSlope=2,
        RescaleIntercept=-100,
    )
    with FrameSource.open(data) as source:
        assert not source.is_colour
        assert source.bits == 12
        assert source.frame(1).dtype == np.uint16
        assert np.array_equal(source.frame(1), pixels[1])
        # The first window, turned from rescaled values back into stored values.
        assert source.window == pytest.approx(((1000 + 100) / 2, 400 / 2))


def test_monochrome1_is_turned_so_that_higher_is_brighter() -> None:
    pixels = np.array([[0, 100, 255], [10, 20, 30]], dtype=np.uint8)
    data = _plain(pixels, "MONOCHROME1", 8, WindowCenter=100, WindowWidth=50)
    with FrameSource.open(data) as source:
        assert np.array_equal(source.frame(0), 255 - pixels)
        assert source.window == pytest.approx((155.0, 50.0))


def test_ybr_frames_come_back_as_rgb() -> None:
    rgb = _frames(1, rows=16, columns=16)[0]
    ybr = convert_color_space(rgb, "RGB", "YBR_FULL")
    with FrameSource.open(_plain(ybr, "YBR_FULL", 8)) as source:
        assert source.is_colour
        assert np.abs(source.frame(0).astype(int) - rgb.astype(int)).max() <= 2


def test_an_ultrasound_clip_from_a_scanner_brings_its_calibration() -> None:
    data = _bytes(us_multiframe(regions=ONE_VIEW, frames=4, frame_time_ms=50.0, jpeg_ls=True))
    with FrameSource.open(data) as source:
        assert source.calibration.source == "us_regions"
        assert source.frame_time_ms == pytest.approx(50.0)
        assert source.frame(3).shape == (source.rows, source.columns, 3)


def _timed(**attributes: object) -> Dataset:
    ds = Dataset()
    ds.NumberOfFrames = 5
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


@pytest.mark.parametrize(
    ("attributes", "expected", "source"),
    [
        ({"FrameTime": "33.3", "CineRate": 10}, 33.3, "frame_time"),
        ({"FrameTimeVector": [0, 40, 40, 50, 50]}, 45.0, "frame_time_vector"),
        ({"CineRate": 20, "RecommendedDisplayFrameRate": 50}, 50.0, "cine_rate"),
        ({"RecommendedDisplayFrameRate": 25}, 40.0, "recommended_display_frame_rate"),
    ],
)
def test_frame_timing_follows_the_order_the_headers_are_trusted_in(
    attributes: dict[str, object], expected: float, source: str
) -> None:
    timing = frame_timing(_timed(**attributes))
    assert timing is not None
    assert timing.frame_time_ms == pytest.approx(expected)
    assert timing.source == source


def test_a_clip_without_timing_says_so_and_zero_is_no_timing() -> None:
    assert frame_timing(_timed()) is None
    assert frame_timing(_timed(FrameTime="0", CineRate=0)) is None


def test_the_timing_of_a_whole_object_comes_through() -> None:
    pixels = np.zeros((3, 8, 8), dtype=np.uint8)
    data = _plain(pixels, "MONOCHROME2", 8, FrameTimeVector=[0, 100, 100])
    with FrameSource.open(data) as source:
        assert source.frame_time_ms == pytest.approx(100.0)
        assert source.timing_source == "frame_time_vector"


@pytest.mark.parametrize("cut", ["not dicom", "header only", "pixels cut short"])
def test_an_object_that_cannot_be_decoded_is_refused(cut: str) -> None:
    whole = _bytes(still(_frames(1)[0], _context()))
    data = {
        "not dicom": b"this is not an image",
        "header only": whole[:400],
        "pixels cut short": whole[: len(whole) - 3000],
    }[cut]
    with pytest.raises(ValidationError) as refused:
        FrameSource.open(data)
    assert refused.value.code == "dicom.unreadable"
    assert refused.value.field == "file"
