"""Imported MP4/MOV clips: decoded frames and timing, honest compression facts, refusals."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from pydicom import dcmread

from clinic_app.domains.imaging.dicom.capture import CaptureContext, clip, new_uid
from clinic_app.domains.imaging.dicom.video import decode_mp4
from clinic_app.domains.imaging.dicom.video_worker import FrameStack, Refusal, frame_time_ms
from clinic_app.kernel.errors import ValidationError
from tests.support import clips

ENCODER = clips.ENCODER
WIDTH, HEIGHT = clips.WIDTH, clips.HEIGHT
_bars = clips.bars
_encode = clips.encode_clip


def _mean_error(decoded: np.ndarray, source: np.ndarray) -> float:
    return float(np.abs(decoded.astype(np.int16) - source.astype(np.int16)).mean())


def _refusal(data: bytes, **limits: int) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        decode_mp4(data, **limits)
    assert raised.value.field == "file"
    return raised.value


def _context() -> CaptureContext:
    return CaptureContext(
        nhs_number="9990000018",
        family_name="Ó'Brien",
        given_name="Siobhán",
        birth_date=date(1960, 3, 14),
        sex="F",
        study_uid=new_uid(),
        series_uid=new_uid(),
        body_part="SHOULDER",
        laterality="R",
        operator="OKAFOR^Tom",
        when=datetime(2026, 11, 25, 10, 30, 5, tzinfo=UTC),
    )


@pytest.fixture(scope="module")
def h264_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, np.ndarray]:
    source = _bars(30)
    return _encode(tmp_path_factory.mktemp("clip") / "bars.mp4", source), source


def test_a_clip_decodes_to_its_frames_timing_and_compression_facts(
    h264_clip: tuple[bytes, np.ndarray],
) -> None:
    data, source = h264_clip
    decoded = decode_mp4(data)
    assert decoded.frames.shape == (30, HEIGHT, WIDTH, 3)
    assert decoded.frames.dtype == np.uint8
    assert decoded.frames.flags.c_contiguous
    assert decoded.frame_time_ms == pytest.approx(40.0)
    assert decoded.lossy
    if ENCODER == "libx264":
        assert (decoded.codec, decoded.method) == ("h264", "ISO_14496_10")
    assert 0 < decoded.compressed_bytes < len(data)
    assert decoded.compression_ratio == pytest.approx(
        decoded.frames.nbytes / decoded.compressed_bytes
    )
    # Lossy, so close rather than equal: the colours and the moving bar survive.
    assert _mean_error(decoded.frames, source) < 8
    means = decoded.frames.reshape(-1, 3).mean(axis=0)
    assert means == pytest.approx(source.reshape(-1, 3).mean(axis=0), abs=4)
    for index, frame in enumerate(decoded.frames):
        bar = np.flatnonzero(frame[HEIGHT // 2, :, 1] > 115)
        assert bar.mean() == pytest.approx((index * 4) % (WIDTH - 24) + 11.5, abs=1.5)


@pytest.mark.parametrize(
    ("encoder", "codec", "method", "options"),
    [
        ("libx264", "h264", "ISO_14496_10", {}),
        ("libx265", "hevc", "ISO_23008_2", {"x265-params": "log-level=none"}),
        # MPEG-4 Part 2 has no Lossy Image Compression Method defined term in PS3.3.
        ("mpeg4", "mpeg4", None, {}),
    ],
)
def test_each_lossy_codec_is_named_with_its_dicom_method(
    tmp_path: Path, encoder: str, codec: str, method: str | None, options: dict[str, str]
) -> None:
    if encoder not in av.codecs_available:
        pytest.skip(f"this FFmpeg build has no {encoder} encoder")
    source = _bars(8)
    decoded = decode_mp4(_encode(tmp_path / "clip.mp4", source, codec=encoder, options=options))
    assert (decoded.codec, decoded.lossy, decoded.method) == (codec, True, method)
    assert _mean_error(decoded.frames, source) < 10


def test_a_lossless_quicktime_clip_of_odd_size_keeps_every_pixel(tmp_path: Path) -> None:
    source = _bars(5, width=161, height=121)
    data = _encode(tmp_path / "clip.mov", source, codec="png", container="mov", pix_fmt="rgb24")
    decoded = decode_mp4(data)
    assert (decoded.codec, decoded.lossy, decoded.method) == ("png", False, None)
    np.testing.assert_array_equal(decoded.frames, source)


def test_the_frame_time_follows_the_frame_rate(tmp_path: Path) -> None:
    decoded = decode_mp4(_encode(tmp_path / "slow.mp4", _bars(10), fps=10))
    assert decoded.frame_time_ms == pytest.approx(100.0)
    assert len(decoded.frames) == 10


def test_a_phone_clip_filmed_upright_is_turned_as_it_plays(tmp_path: Path) -> None:
    source = _bars(6)
    decoded = decode_mp4(_encode(tmp_path / "turned.mp4", source, rotation=90))
    assert decoded.frames.shape == (6, WIDTH, HEIGHT, 3)
    assert decoded.frames.flags.c_contiguous
    # A display matrix of 90 degrees means a quarter turn counter-clockwise when shown.
    assert _mean_error(decoded.frames, np.rot90(source, 1, axes=(1, 2))) < 8


def test_a_clip_stored_as_dicom_keeps_the_decoded_frames_bit_for_bit(
    h264_clip: tuple[bytes, np.ndarray],
) -> None:
    decoded = decode_mp4(h264_clip[0])
    dataset = clip(decoded.frames, decoded.frame_time_ms, _context())
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    read = dcmread(io.BytesIO(buffer.getvalue()))
    assert read.NumberOfFrames == 30
    assert float(read.FrameTime) == pytest.approx(40.0)
    np.testing.assert_array_equal(read.pixel_array, decoded.frames)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(_bars(1)[0]).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (np.random.default_rng(7).bytes(4096), "container"),
        (_png(), "container"),
    ],
    ids=["empty", "random", "png"],
)
def test_files_that_are_not_mp4_are_refused(data: bytes, reason: str) -> None:
    refusal = _refusal(data)
    assert (refusal.code, refusal.params["reason"]) == ("video.unreadable", reason)


def test_an_avi_renamed_mp4_is_refused(tmp_path: Path) -> None:
    data = _encode(tmp_path / "clip.avi", _bars(3), codec="mpeg4", container="avi")
    assert _refusal(data).code == "video.unreadable"


def test_an_mp4_with_only_sound_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "voice.mp4"
    with av.open(str(path), "w", format="mp4") as output:
        stream = output.add_stream("aac", rate=16000)
        samples = np.zeros((1, 1024), dtype=np.float32)
        for index in range(4):
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 16000, index * 1024
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    assert _refusal(path.read_bytes()).code == "video.no_video"


def _packet_spans(data: bytes) -> list[tuple[int, int]]:
    """Where each video sample lies in the file, as (start, end) byte offsets."""
    with av.open(io.BytesIO(data), "r") as reading:
        return [
            (p.pos, p.pos + p.size) for p in reading.demux(video=0) if p.size and p.pos is not None
        ]


@pytest.mark.parametrize(
    ("faststart", "reason"),
    [(False, "container"), (True, "truncated")],
    ids=["index-last", "index-first"],
)
def test_a_clip_cut_in_half_is_refused(tmp_path: Path, faststart: bool, reason: str) -> None:
    # With the index at the end (as most cameras write) nothing can be read; with it first,
    # every sample is listed but half of them are missing.
    data = _encode(tmp_path / "clip.mp4", _bars(30), faststart=faststart)
    refusal = _refusal(data[: len(data) // 2])
    assert (refusal.code, refusal.params["reason"]) == ("video.unreadable", reason)


@pytest.mark.parametrize("encoder", [ENCODER, "mpeg4"])
def test_a_clip_cut_inside_or_between_frames_is_refused_not_shortened(
    tmp_path: Path, encoder: str
) -> None:
    data = _encode(tmp_path / "clip.mp4", _bars(30), codec=encoder, faststart=True)
    start, end = _packet_spans(data)[14]
    for cut in (end, (start + end) // 2):
        # Cut after a whole frame, a decoder alone would see nothing wrong; cut inside one,
        # a lenient decoder (MPEG-4 Part 2) would patch over the missing part.
        refusal = _refusal(data[:cut])
        assert (refusal.code, refusal.params["reason"]) == ("video.unreadable", "truncated")


def test_a_clip_with_garbled_frame_data_is_refused(h264_clip: tuple[bytes, np.ndarray]) -> None:
    data = bytearray(h264_clip[0])
    start, end = _packet_spans(h264_clip[0])[10]
    data[(start + end) // 2 : end] = bytes(0xA5 ^ b for b in data[(start + end) // 2 : end])
    refusal = _refusal(bytes(data))
    assert (refusal.code, refusal.params["reason"]) == ("video.unreadable", "damaged")


def test_a_clip_trimmed_at_the_start_by_an_edit_list_is_accepted(tmp_path: Path) -> None:
    # Frames timed before zero are kept in the file but hidden by an edit list, as when a
    # phone trims a recording without re-encoding: that is not a damaged file.
    path = tmp_path / "trimmed.mp4"
    with av.open(str(path), "w", format="mp4") as output:
        stream = clips.video_stream(output, ENCODER, 25)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 25)
        for index, pixels in enumerate(_bars(30)):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = index - 3, Fraction(1, 25)
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    decoded = decode_mp4(path.read_bytes())
    assert len(decoded.frames) == 27
    assert decoded.frame_time_ms == pytest.approx(40.0)


def test_the_add_on_keeps_frames_in_order_and_refuses_one_too_many_or_a_new_size() -> None:
    # The add-on holds what it decoded, whatever the index said, up to the limit for the size.
    stack = FrameStack(max_frames=10, max_bytes=7 * WIDTH * HEIGHT * 3)
    source = _bars(8)
    for pixels in source[:7]:
        stack.add(pixels)
    assert all(frame.flags.c_contiguous for frame in stack.frames())
    np.testing.assert_array_equal(np.stack(stack.frames()), source[:7])
    with pytest.raises(Refusal) as raised:
        stack.add(source[7])
    assert (raised.value.code, raised.value.params) == ("video.too_long", {"max_frames": 7})
    other = FrameStack(max_frames=10, max_bytes=10**9)
    other.add(source[0])
    with pytest.raises(Refusal) as raised:
        other.add(_bars(1, width=80)[0])
    assert raised.value.params == {"reason": "size_changed"}


def test_a_clip_longer_than_the_limit_is_refused(h264_clip: tuple[bytes, np.ndarray]) -> None:
    refusal = _refusal(h264_clip[0], max_frames=10)
    assert (refusal.code, refusal.params) == ("video.too_long", {"max_frames": 10})
    refusal = _refusal(h264_clip[0], max_decoded_bytes=5 * WIDTH * HEIGHT * 3)
    assert (refusal.code, refusal.params) == ("video.too_long", {"max_frames": 5})


def test_a_clip_slower_than_one_frame_a_second_is_refused(tmp_path: Path) -> None:
    data = _encode(tmp_path / "slides.mp4", _bars(3), fps=Fraction(1, 2))
    assert _refusal(data).code == "video.bad_timing"


def test_the_frame_time_falls_back_to_the_timestamps() -> None:
    assert frame_time_ms(Fraction(25), None, 30) == pytest.approx(40.0)
    # No usable average: 30 frames spread over 1.16 s are 40 ms apart.
    assert frame_time_ms(None, Fraction(29, 25), 30) == pytest.approx(40.0)
    assert frame_time_ms(Fraction(1000), Fraction(29, 25), 30) == pytest.approx(40.0)
    with pytest.raises(Refusal, match=r"video\.bad_timing"):
        frame_time_ms(None, None, 1)
    with pytest.raises(Refusal, match=r"video\.bad_timing"):
        frame_time_ms(Fraction(1000), Fraction(29, 1000), 30)
