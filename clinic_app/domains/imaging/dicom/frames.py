"""The frames of a DICOM image, decoded one at a time and kept within a memory budget.

Opening an object reads its header and decodes only the first frame, so a viewer can show
something at once however long the clip. The remaining frames are decoded by a background
thread into one preallocated block, nearest the playhead first, so playing a clip decodes
each frame once. When a clip would not fit the budget, only the frames just ahead of the
playhead are kept and the ones furthest behind make room.

Colour frames come back as 8-bit RGB (YBR and palette colour converted); monochrome frames
keep their stored values (MONOCHROME1 turned so that higher means brighter) so that a window
can be applied to the real values.
"""

from __future__ import annotations

import io
import logging
import threading
import time
import weakref
from dataclasses import dataclass

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_color_lut
from pydicom.pixels.utils import pixel_array

from clinic_app.domains.imaging.dicom.measure import UNCALIBRATED, Calibration, calibration_of
from clinic_app.domains.imaging.dicom.reading import (
    check_decodable,
    check_layout,
    decoding_plugin,
)
from clinic_app.kernel.errors import ValidationError

__all__ = ["DEFAULT_CACHE_BYTES", "FrameSource", "FrameTiming"]

log = logging.getLogger(__name__)

#: Decoded frames kept at most per open object: a 10 s, 30 fps, 1024 x 768 RGB clip
#: (about 700 MB) fits whole; longer clips are kept as a window ahead of the playhead.
DEFAULT_CACHE_BYTES = 1 << 30
#: How long the decoding thread sleeps when it has caught up, before looking again.
_IDLE_WAIT_S = 0.25


def _unreadable(error: BaseException | None = None) -> ValidationError:
    refused = ValidationError("dicom.unreadable", field="file")
    if error is not None:
        refused.__cause__ = error
    return refused


def _number(value: object) -> float | None:
    """A positive finite number from a header value (the first of several), or None."""
    number = _first_float(value)
    return number if number is not None and number > 0 else None


@dataclass(frozen=True)
class FrameTiming:
    """How long each frame of a clip is shown, and which header said so.

    Attributes:
        frame_time_ms: milliseconds from one frame to the next.
        source: ``"frame_time"``, ``"frame_time_vector"``, ``"cine_rate"`` or
            ``"recommended_display_frame_rate"``.
    """

    frame_time_ms: float
    source: str


def frame_timing(ds: Dataset) -> FrameTiming | None:
    """The stored frame timing of a multi-frame header, or None when it gives none.

    Frame Time comes first; then the mean of the Frame Time Vector (whose first entry is the
    time before the first frame, zero by definition, so it is left out); then Cine Rate and
    Recommended Display Frame Rate, which are frames per second.
    """
    frame_time = _number(ds.get("FrameTime"))
    if frame_time is not None:
        return FrameTiming(frame_time, "frame_time")
    vector = ds.get("FrameTimeVector")
    if vector is not None:
        try:
            values = [float(value) for value in (vector if _is_sequence(vector) else [vector])]
        except (TypeError, ValueError):
            values = []
        steps = [value for value in values[1:] if np.isfinite(value) and value > 0]
        if steps:
            return FrameTiming(float(np.mean(steps)), "frame_time_vector")
    for keyword, source in (
        ("CineRate", "cine_rate"),
        ("RecommendedDisplayFrameRate", "recommended_display_frame_rate"),
    ):
        rate = _number(ds.get(keyword))
        if rate is not None:
            return FrameTiming(1000.0 / rate, source)
    return None


def _is_sequence(value: object) -> bool:
    return isinstance(value, list | tuple) or type(value).__name__ == "MultiValue"


class FrameSource:
    """One DICOM image's frames, for showing it: header facts and frames decoded on demand.

    Build one with :meth:`open`. Call :meth:`prefetch` once the first frame is on screen to
    decode the rest in the background, and :meth:`close` when done with it (it stops that
    thread). Safe to use from one UI thread while its own thread decodes.

    Attributes:
        count: the number of frames (1 for a still).
        rows, columns: the frame size in pixels.
        header: the object's attributes without its pixel data.
        frame_time_ms: the stored time between frames, or None for a still or a clip that
            does not say.
        timing_source: which attribute gave ``frame_time_ms`` (see :class:`FrameTiming`).
        calibration: how pixels map to mm (uncalibrated when the header does not say).
        is_colour: True when frames come back as RGB, False for monochrome values.
        window: the file's first window (centre, width) in the values :meth:`frame` returns,
            or None when it has none.
        bits: bits stored per sample.
        photometric: the Photometric Interpretation as stored.
        frame_bytes: the size of one decoded frame.
        background_error: the last error the decoding thread met (its frame is then decoded
            again, and refused, when asked for).
    """

    def __init__(self, data: bytes, header: Dataset, first: np.ndarray, cache_bytes: int) -> None:
        # Use open(); this only wires up a header already read and a first frame decoded.
        self._data = data
        self.header = header
        self.count = max(int(header.get("NumberOfFrames", 1) or 1), 1)
        self.rows = int(header.Rows)
        self.columns = int(header.Columns)
        self.bits = int(header.get("BitsStored", header.get("BitsAllocated", 8)))
        self.photometric = str(header.get("PhotometricInterpretation", "")).upper()
        self.is_colour = first.ndim == 3
        timing = frame_timing(header) if self.count > 1 else None
        self.frame_time_ms = None if timing is None else timing.frame_time_ms
        self.timing_source = None if timing is None else timing.source
        self.calibration: Calibration = _calibration(header)
        self.window = None if self.is_colour else _file_window(header, self.photometric)
        self.background_error: BaseException | None = None
        self._decode_ms: float | None = None

        self.frame_bytes = int(first.nbytes)
        slots = max(1, min(self.count, cache_bytes // max(self.frame_bytes, 1)))
        self._whole = slots >= self.count
        # np.empty only reserves address space; pages are taken as frames are written.
        self._store = np.empty((slots, *first.shape), dtype=first.dtype)
        self._slot_of = np.full(self.count, -1, dtype=np.int64)
        self._frame_in = np.full(slots, -1, dtype=np.int64)
        self._failed = np.zeros(self.count, dtype=bool)
        self._free = list(range(slots - 1, -1, -1))
        self._hint = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._complete = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._keep(0, first)

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, data: bytes, *, cache_bytes: int = DEFAULT_CACHE_BYTES) -> FrameSource:
        """Read the header and decode the first frame of a DICOM object.

        Args:
            data: the object as stored (Part 10 file bytes).
            cache_bytes: at most this many bytes of decoded frames are kept.

        Raises:
            ValidationError: ``dicom.unreadable`` (field ``file``) when the bytes are not a
                DICOM image this app can decode; ``dicom.unsupported_compression`` for one
                compressed in a way no decoder the app ships reads.
        """
        try:
            # The pixel data is left in the caller's bytes: each frame is read from there.
            # Its layout is checked first (all of it there, sizes possible), since some
            # decoders make a picture out of a frame cut short rather than refuse it.
            check_layout(data)
            header = dcmread(io.BytesIO(data), stop_before_pixels=True)
            int(header.Rows)
            int(header.Columns)
        except Exception as error:
            # pydicom raises many kinds of error on a damaged file; to a person they all
            # mean the same, so all become one refusal (the cause is kept).
            raise _unreadable(error) from error
        # Kept before the app stopped reading it (12-bit JPEG): said as such, not as damage.
        check_decodable(header.file_meta.TransferSyntaxUID, header)
        first = _decode(data, header, 0)
        return cls(data, header, first, cache_bytes)

    # ------------------------------------------------------------------ frames

    @property
    def decoded_bytes(self) -> int:
        """The size of the whole clip decoded."""
        return self.frame_bytes * self.count

    @property
    def cached_count(self) -> int:
        """How many frames are decoded and kept right now."""
        with self._lock:
            return int(np.count_nonzero(self._slot_of >= 0))

    @property
    def keeps_whole_clip(self) -> bool:
        """True when every frame fits the memory budget (so none is decoded twice)."""
        return self._whole

    def is_cached(self, index: int) -> bool:
        """True when frame ``index`` is decoded and kept."""
        with self._lock:
            return bool(self._slot_of[index] >= 0)

    def frame(self, index: int, *, move_playhead: bool = True) -> np.ndarray:
        """Frame ``index`` (0-based): kept if decoded already, else decoded now.

        Returns a read-only array: ``rows x columns x 3`` uint8 RGB for colour, or
        ``rows x columns`` stored values for monochrome. Unless ``move_playhead`` is False it
        also tells the decoding thread that the playhead is here, so the frames after it
        come next.

        Raises:
            IndexError: when there is no such frame.
            ValidationError: ``dicom.unreadable`` when this frame cannot be decoded.
            RuntimeError: after :meth:`close`.
        """
        if self._closed:
            raise RuntimeError("the frame source is closed")
        if not 0 <= index < self.count:
            raise IndexError(f"frame {index} of {self.count}")
        with self._lock:
            if move_playhead:
                self._hint = index
            slot = int(self._slot_of[index])
            kept = None if slot < 0 else self._view(slot)
        self._wake.set()
        if kept is not None:
            return kept
        pixels = self._timed_decode(index)
        self._keep(index, pixels)
        pixels.flags.writeable = False
        return pixels

    @property
    def decode_ms(self) -> float | None:
        """How long one frame takes to decode here, lately (None before any was timed)."""
        return self._decode_ms

    def _timed_decode(self, index: int) -> np.ndarray:
        started = time.perf_counter()
        pixels = _decode(self._data, self.header, index)
        took = (time.perf_counter() - started) * 1000.0
        # A running average that follows the machine's load without jumping on one frame.
        previous = self._decode_ms
        self._decode_ms = took if previous is None else 0.8 * previous + 0.2 * took
        return pixels

    def set_playhead(self, index: int) -> None:
        """Tell the decoding thread which frame is due on screen, without decoding it here."""
        with self._lock:
            self._hint = index % self.count
        self._wake.set()

    def latest_cached(self, start: int, end: int) -> int | None:
        """The last kept frame from ``start`` forward to ``end`` (wrapping round), or None.

        A player that is running late shows this frame rather than wait for a decode.
        """
        span = (end - start) % self.count
        with self._lock:
            for step in range(span, -1, -1):
                index = (start + step) % self.count
                if self._slot_of[index] >= 0:
                    return index
        return None

    def _view(self, slot: int) -> np.ndarray:
        # A slot is never rewritten while the whole clip fits; otherwise it may be reused
        # for another frame, so the caller gets its own copy.
        view: np.ndarray = self._store[slot] if self._whole else self._store[slot].copy()
        view.flags.writeable = False
        return view

    def _keep(self, index: int, pixels: np.ndarray) -> None:
        if pixels.shape != self._store.shape[1:] or pixels.dtype != self._store.dtype:
            raise _unreadable()
        with self._lock:
            if self._slot_of[index] >= 0 or self._closed:
                return
            if self._free:
                slot = self._free.pop()
            else:
                slot = self._slot_to_reuse(index)
                if slot < 0:
                    return
                self._slot_of[self._frame_in[slot]] = -1
            self._store[slot] = pixels
            self._slot_of[index] = slot
            self._frame_in[slot] = index
            if self._whole and not self._free:
                self._complete.set()

    def _slot_to_reuse(self, index: int) -> int:
        """The slot of the kept frame furthest behind the playhead, if further than ``index``."""
        ahead = (self._frame_in - self._hint) % self.count
        slot = int(np.argmax(ahead))
        return slot if ahead[slot] > (index - self._hint) % self.count else -1

    # ------------------------------------------------------------------ background

    def prefetch(self) -> None:
        """Start decoding the other frames in the background (once; nothing for a still)."""
        if self._closed or self._thread is not None or self.count == 1:
            return
        self._thread = threading.Thread(
            target=_decode_ahead,
            args=(weakref.ref(self), self._wake, self._stop),
            name="frame-decode",
            daemon=True,
        )
        self._thread.start()

    @property
    def prefetching(self) -> bool:
        """True while the background thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def wait_prefetched(self, timeout: float | None = None) -> bool:
        """Wait until every frame is decoded (or found undecodable).

        Returns False on timeout, or at once when the clip is too big to keep whole.
        """
        if not self._whole:
            return False
        return self._complete.wait(timeout)

    def close(self) -> None:
        """Stop the background thread, wait for it, and let go of the decoded frames."""
        self._closed = True
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        with self._lock:
            self._store = np.empty((0, *self._store.shape[1:]), dtype=self._store.dtype)
            self._slot_of[:] = -1
            self._free = []

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _next_wanted(self) -> int | None:
        """The first frame from the playhead on that is neither kept nor known bad."""
        with self._lock:
            slots = len(self._frame_in)
            order = (np.arange(min(slots, self.count)) + self._hint) % self.count
            wanted = order[(self._slot_of[order] < 0) & ~self._failed[order]]
            return int(wanted[0]) if wanted.size else None

    def _decode_in_background(self, index: int) -> None:
        try:
            pixels = self._timed_decode(index)
            self._keep(index, pixels)
        except ValidationError as error:
            # Recorded, not dropped: the frame is decoded again when asked for, and refused.
            log.warning("frame %d could not be decoded in the background", index)
            with self._lock:
                self._failed[index] = True
            self.background_error = error

    def _finished(self) -> bool:
        with self._lock:
            return bool(np.all((self._slot_of >= 0) | self._failed))


def _decode_ahead(
    ref: weakref.ref[FrameSource], wake: threading.Event, stop: threading.Event
) -> None:
    """The decoding thread: keeps the frames ahead of the playhead decoded.

    It holds the source only weakly between frames, so a source dropped without close()
    still stops its thread.
    """
    while not stop.is_set():
        wake.clear()
        source = ref()
        if source is None:
            return
        index = source._next_wanted()
        if index is None:
            if source._whole and source._finished():
                source._complete.set()
                return
            del source
            wake.wait(_IDLE_WAIT_S)
            continue
        source._decode_in_background(index)
        del source
        # The JPEG-LS decoder keeps the interpreter lock while it works: hand it back to the
        # UI thread between frames so painting and input are not held up for long.
        time.sleep(0)


# ---------------------------------------------------------------------- decoding


def _decode(data: bytes, header: Dataset, index: int) -> np.ndarray:
    """Decode one frame from the stored bytes and bring it to the form the viewer wants."""
    try:
        # Each call reads from its own view of the bytes, so two threads never share a
        # file position; BytesIO shares the bytes rather than copying them.
        syntax = header.file_meta.TransferSyntaxUID
        raw = pixel_array(io.BytesIO(data), index=index, decoding_plugin=decoding_plugin(syntax))
    except Exception as error:
        # Decoders raise their own kinds of error; every one means the image cannot be shown.
        raise _unreadable(error) from error
    photometric = str(header.get("PhotometricInterpretation", "")).upper()
    try:
        if photometric == "PALETTE COLOR":
            return _to_uint8(apply_color_lut(raw, header))
        if raw.ndim == 3:
            return _to_uint8(raw, int(header.get("BitsStored", 8)))
        if photometric == "MONOCHROME1":
            return _inverted(raw, header)
    except (ValueError, KeyError, AttributeError, TypeError) as error:
        raise _unreadable(error) from error
    return np.ascontiguousarray(raw)


def _to_uint8(pixels: np.ndarray, bits: int | None = None) -> np.ndarray:
    """Colour samples as 8-bit, keeping the top bits of wider samples."""
    if pixels.ndim != 3 or pixels.shape[-1] != 3:
        raise ValueError("not a three-sample colour frame")
    if pixels.dtype == np.uint8:
        return np.ascontiguousarray(pixels)
    depth = bits if bits is not None else 8 * pixels.dtype.itemsize
    shift = max(depth - 8, 0)
    return np.ascontiguousarray((pixels >> shift).astype(np.uint8))


def _value_range(header: Dataset) -> tuple[int, int]:
    """The lowest and highest stored value the header allows."""
    bits = int(header.get("BitsStored", header.get("BitsAllocated", 8)))
    if int(header.get("PixelRepresentation", 0)) == 1:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def _inverted(pixels: np.ndarray, header: Dataset) -> np.ndarray:
    """MONOCHROME1 turned round so that, as in MONOCHROME2, a higher value is brighter."""
    low, high = _value_range(header)
    # low + high - v maps the range onto itself; done in the array's own type it cannot
    # overflow for values inside the range.
    flipped = np.asarray(low + high, dtype=pixels.dtype) - pixels
    return np.ascontiguousarray(flipped.astype(pixels.dtype))


def _file_window(header: Dataset, photometric: str) -> tuple[float, float] | None:
    """The file's first window in stored values (as frames come back), or None."""
    centre = header.get("WindowCenter")
    width = header.get("WindowWidth")
    if centre is None or width is None:
        return None
    first_centre = _first_float(centre)
    first_width = _first_float(width)
    if first_centre is None or first_width is None or first_width <= 0:
        return None
    # The window is given after the rescale (PS3.3 C.11.2.1.2); frames hold stored values.
    slope = _first_float(header.get("RescaleSlope", 1)) or 1.0
    intercept = _first_float(header.get("RescaleIntercept", 0)) or 0.0
    centre_stored = (first_centre - intercept) / slope
    width_stored = first_width / abs(slope)
    if photometric == "MONOCHROME1":
        low, high = _value_range(header)
        centre_stored = low + high - centre_stored
    return centre_stored, width_stored


def _first_float(value: object) -> float | None:
    """A finite number from a header value (the first of several), or None."""
    if value is None:
        return None
    if _is_sequence(value):
        values = list(value)  # type: ignore[call-overload]
        if not values:
            return None
        value = values[0]
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def _calibration(header: Dataset) -> Calibration:
    try:
        return calibration_of(header)
    except (ValueError, TypeError, AttributeError):
        # A malformed calibration must never turn into a scale: no mm rather than wrong mm.
        log.warning("the image's calibration could not be read; treated as uncalibrated")
        return UNCALIBRATED
