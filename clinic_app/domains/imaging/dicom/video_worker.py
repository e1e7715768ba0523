# SPDX-License-Identifier: GPL-3.0-or-later
# Shipped only in the video add-on, whose FFmpeg links GPL encoders (docs/video-decoder.md).
"""The video add-on: one MP4 or MOV clip on stdin, its checked RGB frames on stdout.

This program is shipped on its own (the ``onestop-msk-video`` package) because the FFmpeg it
decodes with comes from PyAV's wheels, which carry GPL-licensed encoders; the app never
imports it and starts it as a separate process (see docs/video-decoder.md). It therefore
imports nothing from the app: only the standard library, NumPy and PyAV.

It does one job and takes nothing from the clip but its bytes: the only arguments are the
two limits the app sets. What it writes to stdout:

- a header: its length as 4 bytes (big-endian), then UTF-8 JSON, either the clip's facts
  (``frames``, ``height``, ``width``, ``frame_time_ms``, ``codec``, ``lossy``, ``method``,
  ``compressed_bytes``) or a refusal (``error``: a code, ``params``: its parameters);
- after the facts only, the frames: frames x height x width x 3 bytes of 8-bit RGB.

Nothing else is written anywhere: no file, no log (FFmpeg's own log is silenced).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import struct
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, BinaryIO

import av
import av.logging
import numpy as np
import numpy.typing as npt
from av.container import InputContainer
from av.error import FFmpegError
from av.stream import Disposition
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

PROTOCOL = 1
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


class Refusal(Exception):
    """A clip that cannot be kept: a code the app words, with its parameters."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ClipFacts:
    """What the header says about a clip whose frames follow it."""

    frames: int
    height: int
    width: int
    frame_time_ms: float
    codec: str
    lossy: bool
    method: str | None
    compressed_bytes: int


def decode(data: bytes, max_frames: int, max_decoded_bytes: int) -> tuple[ClipFacts, FrameStack]:
    """Decode a clip, refusing anything damaged or cut short.

    A clip is refused rather than shortened: the demuxer must deliver every sample the
    file's index lists, the decoder must report no error and no corrupt frame, and it may
    drop at most two frames. Only FFmpeg's MP4/MOV demuxer is ever used (no probing), so a
    renamed file of another kind cannot reach the other demuxers.

    Raises:
        Refusal: ``video.unreadable`` (``reason``: ``empty``, ``container``, ``damaged``,
            ``truncated`` or ``size_changed``), ``video.no_video``, ``video.too_long``
            (``max_frames``: the limit for this frame size) or ``video.bad_timing``.
    """
    if not data:
        raise Refusal("video.unreadable", reason="empty")
    try:
        # External data references stay off: a clip must not make FFmpeg open other files.
        container = av.open(
            io.BytesIO(data), mode="r", format=_DEMUXER, options={"enable_drefs": "0"}
        )
    except FFmpegError as exc:
        raise Refusal("video.unreadable", reason="container") from exc
    with container:
        if not _ACCEPTED_FORMATS & set(container.format.name.split(",")):
            raise Refusal("video.unreadable", reason="container")
        stream = _video_stream(container.streams.video)
        try:
            return _decode(container, stream, max_frames, max_decoded_bytes)
        except FFmpegError as exc:
            raise Refusal("video.unreadable", reason="damaged") from exc


def _video_stream(streams: tuple[VideoStream, ...]) -> VideoStream:
    # Cover art is stored as a one-picture "video" stream: it is not the clip.
    moving = [s for s in streams if not s.disposition & Disposition.attached_pic]
    if not moving:
        raise Refusal("video.no_video")
    return moving[0]


def _decode(
    container: InputContainer, stream: VideoStream, max_frames: int, max_decoded_bytes: int
) -> tuple[ClipFacts, FrameStack]:
    # Samples the container's index lists: a complete file delivers every one as a packet.
    indexed = len(stream.index_entries) or stream.frames
    context = stream.codec_context
    context.thread_type = "AUTO"
    limit = frame_limit(context.width, context.height, max_frames, max_decoded_bytes)
    if indexed > limit:
        raise Refusal("video.too_long", max_frames=limit)

    stack = FrameStack(max_frames=max_frames, max_bytes=max_decoded_bytes)
    packets = shown_packets = compressed_bytes = 0
    first_pts: int | None = None
    last_pts: int | None = None
    for packet in container.demux(stream):
        if packet.is_corrupt:
            # The demuxer marks a sample it could read only part of: the file ends early.
            raise Refusal("video.unreadable", reason="truncated")
        if packet.size:  # the last packet is an empty one that flushes the decoder
            packets += 1
            compressed_bytes += packet.size
            shown_packets += not packet.is_discard
        for frame in stream.decode(packet):
            if frame.is_corrupt:
                raise Refusal("video.unreadable", reason="damaged")
            stack.add(upright(frame))
            if frame.pts is not None:
                first_pts = frame.pts if first_pts is None else min(first_pts, frame.pts)
                last_pts = frame.pts if last_pts is None else max(last_pts, frame.pts)

    if packets < indexed:
        raise Refusal("video.unreadable", reason="truncated")
    if stack.count == 0 or stack.count < shown_packets - _DROPPED_FRAMES_ALLOWED:
        raise Refusal("video.unreadable", reason="damaged")
    pts_span = None
    if first_pts is not None and last_pts is not None and stream.time_base is not None:
        pts_span = (last_pts - first_pts) * stream.time_base
    codec = stream.codec.canonical_name
    height, width = stack.shape
    facts = ClipFacts(
        frames=stack.count,
        height=height,
        width=width,
        frame_time_ms=frame_time_ms(stream.average_rate, pts_span, stack.count),
        codec=codec,
        lossy=stream.codec.lossy,
        method=LOSSY_METHODS.get(codec) if stream.codec.lossy else None,
        compressed_bytes=compressed_bytes,
    )
    return facts, stack


def frame_time_ms(average_rate: Fraction | None, pts_span: Fraction | None, count: int) -> float:
    """The time between frames, from the average rate or else the span of the timestamps.

    Raises:
        Refusal: ``video.bad_timing`` when neither gives 1 to 240 frames a second.
    """
    if average_rate and MIN_FPS <= average_rate <= MAX_FPS:
        return float(1000 / average_rate)
    # Variable-rate files may leave the average unset; the timestamps still say how it plays.
    if pts_span and count > 1:
        seconds_per_frame = pts_span / (count - 1)
        if MIN_FPS <= 1 / seconds_per_frame <= MAX_FPS:
            return float(seconds_per_frame * 1000)
    raise Refusal("video.bad_timing")


def frame_limit(width: int, height: int, max_frames: int, max_bytes: int) -> int:
    """The most frames of this size that fit both limits (``max_frames`` if the size is unknown)."""
    if width <= 0 or height <= 0:
        return max_frames  # not known until the first frame is decoded
    return min(max_frames, max_bytes // (width * height * 3))


def upright(frame: VideoFrame) -> npt.NDArray[np.uint8]:
    """A frame's RGB pixels turned the way the file asks to be shown, C-contiguous."""
    # rgb24 is always 8-bit, so the dtype only narrows the type; rows of an odd width may be
    # padded, and a turned frame is a view, so either is made contiguous (a copy only then).
    pixels = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
    # The display matrix turns the picture counter-clockwise by this many degrees (as a phone
    # held upright records); only quarter turns occur in practice. Mirroring is not applied.
    quarter_turns = round(frame.rotation / 90) % 4
    if quarter_turns:
        pixels = np.rot90(pixels, quarter_turns)
    return np.ascontiguousarray(pixels)


class FrameStack:
    """The frames decoded so far, one array each, held until they are written out.

    One array per frame, not one for the clip: each is freed as soon as it is written, so
    the add-on and the app together hold about one clip's worth of frames, not two.
    """

    def __init__(self, max_frames: int, max_bytes: int) -> None:
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self._limit = max_frames
        self._frames: list[npt.NDArray[np.uint8] | None] = []
        self.shape: tuple[int, int] = (0, 0)

    @property
    def count(self) -> int:
        """How many frames were decoded."""
        return len(self._frames)

    def add(self, pixels: npt.NDArray[np.uint8]) -> None:
        """Keep one more frame, refusing a change of size or one frame too many."""
        if not self._frames:
            height, width = pixels.shape[:2]
            self._limit = frame_limit(width, height, self._max_frames, self._max_bytes)
            if self._limit < 1:
                raise Refusal("video.too_long", max_frames=0)
            self.shape = (height, width)
        elif pixels.shape[:2] != self.shape:
            raise Refusal("video.unreadable", reason="size_changed")
        if len(self._frames) >= self._limit:
            raise Refusal("video.too_long", max_frames=self._limit)
        self._frames.append(pixels)

    def drain(self, out: BinaryIO) -> None:
        """Write every frame in order, letting each go once written."""
        for index, pixels in enumerate(self._frames):
            assert pixels is not None
            out.write(pixels.data)
            self._frames[index] = None

    def frames(self) -> list[npt.NDArray[np.uint8]]:
        """The frames still held, in order (for tests)."""
        return [pixels for pixels in self._frames if pixels is not None]


def write_header(out: BinaryIO, header: dict[str, Any]) -> None:
    """The header as the app reads it: a 4-byte big-endian length, then UTF-8 JSON."""
    body = json.dumps({"protocol": PROTOCOL, **header}).encode()
    out.write(struct.pack(">I", len(body)) + body)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    """Read the clip from stdin, write the header and frames to stdout; 0 unless it failed."""
    parser = argparse.ArgumentParser(
        prog="onestop-video",
        description="Decode one MP4 or MOV clip from stdin to RGB frames on stdout.",
    )
    parser.add_argument("--max-frames", type=_positive, required=True)
    parser.add_argument("--max-bytes", type=_positive, required=True)
    limits = parser.parse_args(argv)
    av.logging.set_level(None)  # FFmpeg's messages may quote the file: none are written
    data = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    try:
        facts, stack = decode(data, limits.max_frames, limits.max_bytes)
    except Refusal as refusal:
        write_header(out, {"error": refusal.code, "params": refusal.params})
        out.flush()
        return 0
    del data
    try:
        write_header(out, facts.__dict__)
        stack.drain(out)
        out.flush()
    except BrokenPipeError:
        # The app stopped listening (cancelled, or gone): nothing more to say, not even at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
