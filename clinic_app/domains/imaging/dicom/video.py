"""MP4 and QuickTime clips decoded to RGB frames and their timing, by the video add-on.

The decoding itself runs in a separate program, the video add-on
(:mod:`clinic_app.domains.imaging.dicom.video_worker`), shipped in its own package because
its FFmpeg carries GPL-licensed encoders (docs/video-decoder.md). This module finds it,
hands it the clip's bytes through a pipe and reads the frames back through another, straight
into one array: the clip never touches the disk, and nothing about it is logged.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import numpy.typing as npt

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from clinic_app.kernel.errors import ValidationError

MIN_FPS = 1
MAX_FPS = 240
#: How long a clip may take to decode before the add-on is stopped (a 1,200-frame HD clip
#: takes seconds on a clinic laptop; minutes means it is stuck).
DEFAULT_TIMEOUT_S = 300.0

_WORKER_MODULE = "clinic_app.domains.imaging.dicom.video_worker"
_WORKER_FOLDER = "onestop-msk-video"
_WORKER_NAME = "onestop-video"
_LINUX_WORKER_HOME = Path("/opt") / _WORKER_FOLDER
_HEADER_MAX_BYTES = 64 * 1024
_PIPE_BYTES = 1024 * 1024
_PROTOCOL = 1
#: What the add-on may refuse a clip with, and the parameters each refusal may carry.
_REFUSALS: dict[str, frozenset[str]] = {
    "video.unreadable": frozenset({"reason"}),
    "video.no_video": frozenset(),
    "video.too_long": frozenset({"max_frames"}),
    "video.bad_timing": frozenset(),
}
_REASONS = frozenset({"empty", "container", "damaged", "truncated", "size_changed"})


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


def worker_command() -> list[str] | None:
    """How to start the video add-on on this machine, or None when it is not installed.

    Frozen, the add-on is its own program: under /opt/onestop-msk-video on Linux, in an
    ``onestop-msk-video`` folder beside the app's own folder (beside the .app on macOS) on
    Windows and macOS. Run from source, it is the worker module on this same interpreter,
    there when PyAV is.
    """
    if not getattr(sys, "frozen", False):
        if importlib.util.find_spec("av") is None:
            return None
        return [sys.executable, "-m", _WORKER_MODULE]
    if sys.platform == "win32":
        home = Path(sys.executable).resolve().parent.parent / _WORKER_FOLDER
        program = home / f"{_WORKER_NAME}.exe"
    elif sys.platform == "darwin":
        bundles = [p for p in Path(sys.executable).resolve().parents if p.suffix == ".app"]
        if not bundles:
            return None
        program = bundles[0].parent / _WORKER_FOLDER / _WORKER_NAME
    else:
        program = _LINUX_WORKER_HOME / _WORKER_NAME
    return [str(program)] if program.is_file() else None


def decode_mp4(
    data: bytes,
    *,
    max_frames: int = 1200,
    max_decoded_bytes: int = 1_500_000_000,
    timeout: float = DEFAULT_TIMEOUT_S,
    cancelled: Callable[[], bool] | None = None,
) -> DecodedClip:
    """Decode an MP4 or MOV clip to RGB frames, refusing anything damaged or cut short.

    A clip is refused rather than shortened: the add-on checks that every sample the file's
    index lists arrives, that the decoder reports no error and no corrupt frame and drops
    at most two frames; here the frames must all arrive, and the add-on must end cleanly.

    Args:
        data: the file's bytes.
        max_frames: the most frames accepted.
        max_decoded_bytes: the most bytes the decoded RGB frames may take in memory.
        timeout: seconds the add-on may take before it is stopped.
        cancelled: polled while decoding; once it returns True the add-on is stopped.

    Returns:
        The frames and their timing, codec and compression facts.

    Raises:
        ValidationError: on field ``file``: ``video.unreadable`` (``reason``: ``empty``,
            ``container``, ``damaged``, ``truncated`` or ``size_changed``),
            ``video.no_video``, ``video.too_long`` (``max_frames``: the limit for this
            frame size), ``video.bad_timing``, ``video.no_decoder`` (the add-on is not
            installed), ``video.timed_out`` or ``video.cancelled``.
    """
    if not data:
        raise ValidationError("video.unreadable", field="file", reason="empty")
    command = worker_command()
    if command is None:
        raise ValidationError("video.no_decoder", field="file")
    limits = ["--max-frames", str(max_frames), "--max-bytes", str(max_decoded_bytes)]
    with _Worker([*command, *limits], timeout, cancelled) as worker:
        worker.send(data)
        facts = _facts(worker.read_header(), max_frames, max_decoded_bytes)
        shape = (facts.pop("frames"), facts.pop("height"), facts.pop("width"), 3)
        frames = np.empty(shape, dtype=np.uint8)  # pages are taken only as frames arrive
        worker.read_into(frames.data.cast("B"))
        worker.finish()
    return DecodedClip(frames=frames, **facts)


def _damaged() -> ValidationError:
    return ValidationError("video.unreadable", field="file", reason="damaged")


def _facts(header: dict[str, Any], max_frames: int, max_bytes: int) -> dict[str, Any]:
    """The clip's facts from the add-on's header, checked before any frame is allocated."""
    if header.get("protocol") != _PROTOCOL:
        raise _damaged()
    if "error" in header:
        raise _refusal(header["error"], header.get("params"))
    counts = [header.get(name) for name in ("frames", "height", "width", "compressed_bytes")]
    if not all(type(value) is int and value >= 0 for value in counts):
        raise _damaged()
    frames, height, width, compressed_bytes = counts
    if not frames or not height or not width:
        raise _damaged()
    limit = min(max_frames, max_bytes // (height * width * 3))
    if frames > limit:
        raise ValidationError("video.too_long", field="file", max_frames=limit)
    frame_time = header.get("frame_time_ms")
    if isinstance(frame_time, bool) or not isinstance(frame_time, int | float):
        raise _damaged()
    if not 1000 / MAX_FPS <= frame_time <= 1000 / MIN_FPS:
        raise ValidationError("video.bad_timing", field="file")
    codec, lossy, method = header.get("codec"), header.get("lossy"), header.get("method")
    if not isinstance(codec, str) or not isinstance(lossy, bool):
        raise _damaged()
    if not (method is None or (lossy and isinstance(method, str))):
        raise _damaged()
    return {
        "frames": frames,
        "height": height,
        "width": width,
        "frame_time_ms": float(frame_time),
        "codec": codec,
        "lossy": lossy,
        "method": method,
        "compressed_bytes": compressed_bytes,
    }


def _refusal(code: object, params: object) -> ValidationError:
    """The add-on's refusal as the app's own error, if it is one the add-on may give."""
    if not isinstance(code, str) or code not in _REFUSALS or not isinstance(params, dict):
        return _damaged()
    if set(params) != _REFUSALS[code]:
        return _damaged()
    reason, max_frames = params.get("reason"), params.get("max_frames")
    if "reason" in params and reason not in _REASONS:
        return _damaged()
    if "max_frames" in params and (type(max_frames) is not int or max_frames < 0):
        return _damaged()
    return ValidationError(code, field="file", **params)


def _widen(pipe: IO[bytes] | None) -> None:
    """Lets the pipe hold 1 MiB, not 64 KiB, where Linux allows: fewer switches per frame."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if pipe is not None and set_size is not None:
        with contextlib.suppress(OSError):  # a smaller limit set by the machine's owner
            fcntl.fcntl(pipe.fileno(), set_size, _PIPE_BYTES)


class _Worker:
    """One run of the add-on: the clip in through a pipe, the header and frames out of another.

    A watchdog stops the add-on when the time is up or the import is cancelled; reading then
    ends early, and the clip is refused, never shortened.
    """

    def __init__(
        self, argv: list[str], timeout: float, cancelled: Callable[[], bool] | None
    ) -> None:
        self._argv = argv
        self._timeout = timeout
        self._cancelled = cancelled or (lambda: False)
        self._stopped_because: str | None = None
        self._done = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> _Worker:
        try:
            self._process = subprocess.Popen(
                self._argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # it writes nothing there on purpose; a crash may
                bufsize=0,
                close_fds=True,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError as exc:
            raise ValidationError("video.no_decoder", field="file") from exc
        _widen(self._process.stdout)
        threading.Thread(target=self._watch, name="video-add-on-watchdog", daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        process = self._require()
        if process.poll() is None:
            process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()

    def _require(self) -> subprocess.Popen[bytes]:
        assert self._process is not None
        return self._process

    def _watch(self) -> None:
        deadline = time.monotonic() + self._timeout
        while not self._done.wait(0.05):
            if self._cancelled():
                self._stop("cancelled")
            elif time.monotonic() >= deadline:
                self._stop("timed_out")

    def _stop(self, why: str) -> None:
        self._stopped_because = why
        self._done.set()
        self._require().kill()

    def send(self, data: bytes) -> None:
        """Write the clip to the add-on's stdin from a thread (a stuck add-on cannot hold us)."""
        stdin = self._require().stdin
        assert stdin is not None

        def write() -> None:
            try:
                stdin.write(data)
            except OSError:
                pass  # it ended early: what it wrote, or did not, says why
            finally:
                stdin.close()

        threading.Thread(target=write, name="video-add-on-input", daemon=True).start()

    def read_header(self) -> dict[str, Any]:
        """The header's JSON object (refused as damaged if it is not one)."""
        (length,) = struct.unpack(">I", self._read_exactly(4))
        if length > _HEADER_MAX_BYTES:
            raise self._ended_early()
        try:
            header = json.loads(self._read_exactly(length))
        except ValueError:
            raise self._ended_early() from None
        if not isinstance(header, dict):
            raise self._ended_early()
        return header

    def read_into(self, buffer: memoryview) -> None:
        """Fill the buffer from the add-on's output, refusing a stream that ends short."""
        stdout = self._stdout()
        filled = 0
        while filled < len(buffer):
            count = stdout.readinto(buffer[filled:])
            if not count:
                raise self._ended_early()
            filled += count

    def finish(self) -> None:
        """The stream must end here and the add-on must exit cleanly."""
        if self._stdout().read(1):
            raise self._ended_early()
        try:
            status = self._require().wait(timeout=max(self._timeout, 1.0))
        except subprocess.TimeoutExpired:
            raise self._ended_early() from None
        if status != 0 or self._stopped_because:
            raise self._ended_early()

    def _read_exactly(self, size: int) -> bytes:
        buffer = bytearray(size)
        self.read_into(memoryview(buffer))
        return bytes(buffer)

    def _stdout(self) -> io.RawIOBase:
        stdout = self._require().stdout
        assert stdout is not None
        return cast(io.RawIOBase, stdout)  # unbuffered (bufsize=0): reads go straight in

    def _ended_early(self) -> ValidationError:
        if self._stopped_because == "cancelled":
            return ValidationError("video.cancelled", field="file")
        if self._stopped_because == "timed_out":
            return ValidationError("video.timed_out", field="file")
        return _damaged()
