"""MP4 clips made in the tests, as a phone or an ultrasound machine's export would be."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

#: The wheel's H.264 encoder when it has one; MPEG-4 Part 2 is built into FFmpeg itself.
ENCODER = "libx264" if "libx264" in av.codecs_available else "mpeg4"
WIDTH, HEIGHT = 160, 120


def bars(count: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """A dull red field with a bright green bar moving right, as on a scan sweep."""
    frames = np.zeros((count, height, width, 3), dtype=np.uint8)
    frames[..., 0] = 180
    frames[..., 2] = 40
    for index in range(count):
        left = (index * 4) % (width - 24)
        frames[index, :, left : left + 24, 1] = 230
    return frames


def video_stream(
    output: av.container.OutputContainer,
    codec: str,
    fps: Fraction | int,
    options: dict[str, str] | None = None,
) -> av.VideoStream:
    stream = output.add_stream(codec, rate=fps, options=options or {})
    assert isinstance(stream, av.VideoStream)
    return stream


def encode_clip(
    path: Path,
    source: np.ndarray,
    *,
    codec: str = ENCODER,
    fps: Fraction | int = 25,
    container: str = "mp4",
    pix_fmt: str = "yuv420p",
    rotation: int | None = None,
    faststart: bool = False,
    options: dict[str, str] | None = None,
) -> bytes:
    """Encode the frames with PyAV into a file and return its bytes."""
    movflags = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format=container, options=movflags) as output:
        stream = video_stream(output, codec, fps, options)
        stream.width, stream.height = source.shape[2], source.shape[1]
        stream.pix_fmt = pix_fmt
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for pixels in source:
            output.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        output.mux(stream.encode())
    return path.read_bytes()
