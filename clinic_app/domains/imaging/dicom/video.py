"""MP4 and QuickTime clips decoded to RGB frames and their timing, ready to store as DICOM."""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from av.container import InputContainer
from av.error import FFmpegError
from av.stream import Disposition
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from clinic_app.kernel.errors import ValidationError

#: FFmpeg's one demuxer for ISO base media files (MP4) and QuickTime (MOV).
_DEMUXER = "mov"
_ACCEPTED_FORMATS = frozenset({"mov", "mp4"})
MIN_FPS = 1
MAX_FPS = 240
#: Frames a decoder may drop without the clip being called damaged (a few at the start of
#: an open GOP); anything more is a gap the clinician would not see coming.
_DROPPED_FRAMES_ALLOWED = 2

#: DICOM Lossy Image Compression Method (0028,2114) defined terms, PS3.3 C.7.6.1.1.5.1, for
#: the video codecs an MP4 or MOV can carry. MPEG-4 Part 2, VP9, AV1, ProRes and others have
#: no defined term, so they are left out rather than given an invented one.
LOSSY_METHODS: dict[str, str] = {
    "h264": "ISO_14496_10",
    "hevc": "ISO_23008_2",
    "mpeg2video": "ISO_13818_2",
    "mjpeg": "ISO_10918_1",
    "jpeg2000": "ISO_15444_1",
}


@dataclass(frozen=True)
class DecodedClip:
    """A clip's frames as it plays, with what is needed to describe its compression in DICOM.

    Attributes:
        frames: frames x height x width x 3, 8-bit RGB, C-contiguous, already turned the way
            the file asks to be shown (its display matrix rotation).
        frame_time_ms: the time between frames as the file plays, from its average frame rate.
        codec: FFmpeg's name for the video codec, e.g. ``"h264"``, ``"hevc"``, ``"mpeg4"``.
        lossy: True when the codec compresses lossily, so the pixels may differ from what was
            filmed (H.264 and HEVC count as lossy: their rarely used lossless mode is not
            assumed).
        method: the Lossy Image Compression Method defined term for the codec, or None where
            PS3.3 defines none.
        compressed_bytes: the size of the video stream's packets.
    """

    frames: npt.NDArray[np.uint8]
    frame_time_ms: float
    codec: str
    lossy: bool
    method: str | None
    compressed_bytes: int

    @property
    def compression_ratio(self) -> float:
        """Decoded bytes over compressed bytes: the Lossy Image Compression Ratio."""
        return self.frames.nbytes / max(self.compressed_bytes, 1)


def decode_mp4(
    data: bytes, *, max_frames: int = 1200, max_decoded_bytes: int = 1_500_000_000
) -> DecodedClip:
    """Decode an MP4 or MOV clip to RGB frames, refusing anything damaged or cut short.

    A clip is refused rather than shortened: the demuxer must deliver every sample the
    file's index lists, the decoder must report no error and no corrupt frame, and it may
    drop at most two frames. Only FFmpeg's MP4/MOV demuxer is ever used (no probing), so a
    renamed file of another kind cannot reach the other demuxers.

    Args:
        data: the file's bytes.
        max_frames: the most frames accepted.
        max_decoded_bytes: the most bytes the decoded RGB frames may take in memory.

    Returns:
        The frames and their timing, codec and compression facts.

    Raises:
        ValidationError: on field ``file``: ``video.unreadable`` (``reason``: ``empty``,
            ``container``, ``damaged``, ``truncated`` or ``size_changed``),
            ``video.no_video``, ``video.too_long`` (``max_frames``: the limit for this
            frame size) or ``video.bad_timing``.
    """
    if not data:
        raise ValidationError("video.unreadable", field="file", reason="empty")
    try:
        # External data references stay off: a clip must not make FFmpeg open other files.
        container = av.open(
            io.BytesIO(data), mode="r", format=_DEMUXER, options={"enable_drefs": "0"}
        )
    except FFmpegError as exc:
        raise ValidationError("video.unreadable", field="file", reason="container") from exc
    with container:
        if not _ACCEPTED_FORMATS & set(container.format.name.split(",")):
            raise ValidationError("video.unreadable", field="file", reason="container")
        stream = _video_stream(container.streams.video)
        try:
            return _decode(container, stream, max_frames, max_decoded_bytes)
        except FFmpegError as exc:
            raise ValidationError("video.unreadable", field="file", reason="damaged") from exc


def _video_stream(streams: tuple[VideoStream, ...]) -> VideoStream:
    # Cover art is stored as a one-picture "video" stream: it is not the clip.
    moving = [s for s in streams if not s.disposition & Disposition.attached_pic]
    if not moving:
        raise ValidationError("video.no_video", field="file")
    return moving[0]


def _decode(
    container: InputContainer,
    stream: VideoStream,
    max_frames: int,
    max_decoded_bytes: int,
) -> DecodedClip:
    # Samples the container's index lists: a complete file delivers every one as a packet.
    indexed = len(stream.index_entries) or stream.frames
    context = stream.codec_context
    context.thread_type = "AUTO"
    limit = _frame_limit(context.width, context.height, max_frames, max_decoded_bytes)
    if indexed > limit:
        raise ValidationError("video.too_long", field="file", max_frames=limit)

    stack = _FrameStack(expected=indexed, max_frames=max_frames, max_bytes=max_decoded_bytes)
    packets = shown_packets = compressed_bytes = 0
    first_pts: int | None = None
    last_pts: int | None = None
    for packet in container.demux(stream):
        if packet.is_corrupt:
            # The demuxer marks a sample it could read only part of: the file ends early.
            raise ValidationError("video.unreadable", field="file", reason="truncated")
        if packet.size:  # the last packet is an empty one that flushes the decoder
            packets += 1
            compressed_bytes += packet.size
            shown_packets += not packet.is_discard
        for frame in stream.decode(packet):
            if frame.is_corrupt:
                raise ValidationError("video.unreadable", field="file", reason="damaged")
            stack.add(frame)
            if frame.pts is not None:
                first_pts = frame.pts if first_pts is None else min(first_pts, frame.pts)
                last_pts = frame.pts if last_pts is None else max(last_pts, frame.pts)

    if packets < indexed:
        raise ValidationError("video.unreadable", field="file", reason="truncated")
    if stack.count == 0 or stack.count < shown_packets - _DROPPED_FRAMES_ALLOWED:
        raise ValidationError("video.unreadable", field="file", reason="damaged")
    pts_span = None
    if first_pts is not None and last_pts is not None and stream.time_base is not None:
        pts_span = (last_pts - first_pts) * stream.time_base
    codec = stream.codec.canonical_name
    return DecodedClip(
        frames=stack.frames(),
        frame_time_ms=frame_time_ms(stream.average_rate, pts_span, stack.count),
        codec=codec,
        lossy=stream.codec.lossy,
        method=LOSSY_METHODS.get(codec) if stream.codec.lossy else None,
        compressed_bytes=compressed_bytes,
    )


def frame_time_ms(average_rate: Fraction | None, pts_span: Fraction | None, count: int) -> float:
    """The time between frames, from the average rate or else the span of the timestamps.

    Args:
        average_rate: the stream's average frames per second, if the container gives one.
        pts_span: seconds from the first frame's timestamp to the last's, if known.
        count: how many frames were decoded.

    Raises:
        ValidationError: ``video.bad_timing`` when neither gives 1 to 240 frames a second.
    """
    if average_rate and MIN_FPS <= average_rate <= MAX_FPS:
        return float(1000 / average_rate)
    # Variable-rate files may leave the average unset; the timestamps still say how it plays.
    if pts_span and count > 1:
        seconds_per_frame = pts_span / (count - 1)
        if MIN_FPS <= 1 / seconds_per_frame <= MAX_FPS:
            return float(seconds_per_frame * 1000)
    raise ValidationError("video.bad_timing", field="file")


def _frame_limit(width: int, height: int, max_frames: int, max_bytes: int) -> int:
    if width <= 0 or height <= 0:
        return max_frames  # not known until the first frame is decoded
    return min(max_frames, max_bytes // (width * height * 3))


def _upright(frame: VideoFrame) -> npt.NDArray[np.uint8]:
    # rgb24 is always 8-bit, so this only narrows the type: it never copies.
    pixels = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
    # The display matrix turns the picture counter-clockwise by this many degrees (as a phone
    # held upright records); only quarter turns occur in practice. Mirroring is not applied.
    quarter_turns = round(frame.rotation / 90) % 4
    return np.rot90(pixels, quarter_turns) if quarter_turns else pixels


class _FrameStack:
    """Frames written straight into one preallocated array, grown only if the index was short.

    Sized from the container's sample count, so a well-formed clip needs no copy and peak
    memory stays at the decoded size plus one frame.
    """

    def __init__(self, expected: int, max_frames: int, max_bytes: int) -> None:
        self._expected = max(expected, 1)
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self._limit = max_frames
        self._buffer: npt.NDArray[np.uint8] | None = None
        self.count = 0

    def add(self, frame: VideoFrame) -> None:
        pixels = _upright(frame)
        if self._buffer is None:
            height, width = pixels.shape[:2]
            self._limit = _frame_limit(width, height, self._max_frames, self._max_bytes)
            if self._limit < 1:
                raise ValidationError("video.too_long", field="file", max_frames=0)
            capacity = min(self._expected, self._limit)
            self._buffer = np.empty((capacity, *pixels.shape), dtype=np.uint8)
        elif pixels.shape != self._buffer.shape[1:]:
            raise ValidationError("video.unreadable", field="file", reason="size_changed")
        if self.count == len(self._buffer):
            self._buffer = self._grown(self._buffer)
        self._buffer[self.count] = pixels
        self.count += 1

    def _grown(self, buffer: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        if len(buffer) >= self._limit:
            raise ValidationError("video.too_long", field="file", max_frames=self._limit)
        grown = np.empty((min(2 * len(buffer), self._limit), *buffer.shape[1:]), np.uint8)
        grown[: len(buffer)] = buffer
        return grown

    def frames(self) -> npt.NDArray[np.uint8]:
        """The frames decoded, as one C-contiguous array (a view when the index was right)."""
        if self._buffer is None:
            return np.empty((0, 0, 0, 3), dtype=np.uint8)
        return self._buffer[: self.count]
