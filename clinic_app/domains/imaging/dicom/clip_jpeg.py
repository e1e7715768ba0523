"""A clip's frames as JPEG baseline (lossy), encoded on every core, ready to encapsulate.

JPEG Baseline (Process 1), transfer syntax 1.2.840.10008.1.2.4.50: each frame is one JPEG
of 8-bit colour in YCbCr, the chroma halved horizontally, so the object's Photometric
Interpretation is ``YBR_FULL_422`` as PS3.5 8.2.1 requires for lossy JPEG of colour. Frames are
encoded independently; Pillow's encoder gives up the interpreter lock while it works, so a
thread per core encodes that many frames at once. A clip whose JPEG frames reach 4 GiB gets
an Extended Offset Table (PS3.5 A.4) instead of the Basic Offset Table, whose 32-bit offsets
cannot reach that far.

H.264 (MPEG-4 AVC) is not used: the encoders on PyPI (PyAV's wheels) bring x264, under the
GPL, and openh264's BSD code is covered for the H.264 patents only in Cisco's own binaries,
which are not installable from PyPI or Debian.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# Pillow and pydicom load on the first lossy clip: the settings read this module's constants
# when the app starts, and sign-in stays quick.

#: The Lossy Image Compression Method defined term for JPEG (PS3.3 C.7.6.1.1.5.1).
JPEG_METHOD = "ISO_10918_1"
#: JPEG quality on Pillow's 1-95 scale, the range the service may choose from. An engineering
#: bound, not a clinical figure: below 50 blocking shows on speckle; above 95 Pillow stops
#: quantising in a way that saves space.
QUALITY_MIN, QUALITY_MAX = 50, 95
#: The quality used when the service chooses lossy clips and says no more. An engineering
#: setting (see the README's clip benchmark for what it stores), not from guidance.
DEFAULT_QUALITY = 90
#: JPEG Baseline (Process 1): Default Transfer Syntax for Lossy JPEG 8 Bit Image Compression.
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
#: Offsets in a Basic Offset Table are 32-bit (PS3.5 A.4).
_BASIC_OFFSET_LIMIT = 2**32 - 1
_PHOTOMETRIC = "YBR_FULL_422"
_SUBSAMPLING_422 = 1  # Pillow's code for 4:2:2


@dataclass(frozen=True)
class ClipCompression:
    """How a clip is kept: JPEG-LS lossless, or JPEG baseline at a quality.

    Attributes:
        lossy: True for JPEG baseline (lossy), False for JPEG-LS lossless.
        quality: JPEG quality, :data:`QUALITY_MIN` to :data:`QUALITY_MAX` (lossy only).
        workers: threads encoding frames at once; None for one per core.
    """

    lossy: bool = False
    quality: int = DEFAULT_QUALITY
    workers: int | None = None


@dataclass(frozen=True)
class LossyPixels:
    """A clip's frames as encapsulated JPEG, and what the object must say of them.

    Attributes:
        pixel_data: the encapsulated frames, with a Basic Offset Table unless too large.
        extended_offsets: the Extended Offset Table and its lengths (packed 64-bit), for a
            clip too large for a Basic Offset Table; None otherwise.
        ratio: the decoded size over the compressed size (PS3.3 C.7.6.1.1.5).
        photometric: the Photometric Interpretation of the encoded frames.
        transfer_syntax: JPEG Baseline (Process 1).
        method: :data:`JPEG_METHOD`.
    """

    pixel_data: bytes
    extended_offsets: tuple[bytes, bytes] | None
    ratio: float
    photometric: str = _PHOTOMETRIC
    transfer_syntax: str = JPEG_BASELINE
    method: str = JPEG_METHOD


def _jpeg(frame: np.ndarray, quality: int) -> bytes:
    from PIL import Image  # noqa: PLC0415 - see the top

    out = io.BytesIO()
    # RGB in, YCbCr (full range, as JFIF) 4:2:2 out, the standard Huffman tables: optimised
    # tables saved about 4 % of the size for twice the time, and clips must keep up with
    # real time on a laptop.
    Image.fromarray(frame, "RGB").save(out, "JPEG", quality=quality, subsampling=_SUBSAMPLING_422)
    return out.getvalue()


def jpeg_frames(frames: np.ndarray, quality: int, *, workers: int | None = None) -> list[bytes]:
    """Each frame (frames x height x width x 3, 8-bit RGB) as a JPEG baseline bitstream.

    Args:
        frames: the clip's frames.
        quality: JPEG quality, :data:`QUALITY_MIN` to :data:`QUALITY_MAX`.
        workers: threads encoding at once; None for one per core.
    """
    count = workers or os.cpu_count() or 1
    if count <= 1 or len(frames) <= 1:
        return [_jpeg(frame, quality) for frame in frames]
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="clip-jpeg") as pool:
        return list(pool.map(lambda frame: _jpeg(frame, quality), frames))


def lossy_jpeg_pixels(
    frames: np.ndarray, quality: int, *, workers: int | None = None
) -> LossyPixels:
    """The clip's frames as encapsulated JPEG baseline, with the ratio to record.

    Args:
        frames: frames x height x width x 3, 8-bit RGB.
        quality: JPEG quality, :data:`QUALITY_MIN` to :data:`QUALITY_MAX`.
        workers: threads encoding at once; None for one per core.

    Raises:
        ValueError: a quality outside the range (the settings never let one through).
    """
    from pydicom.encaps import encapsulate, encapsulate_extended  # noqa: PLC0415 - see the top

    if not QUALITY_MIN <= quality <= QUALITY_MAX:
        raise ValueError("JPEG quality out of range")
    encoded = jpeg_frames(frames, quality, workers=workers)
    compressed = sum(len(frame) for frame in encoded)
    ratio = frames.nbytes / max(compressed, 1)
    # Each fragment is padded to even length and has an 8-byte item header.
    if compressed + 10 * len(encoded) < _BASIC_OFFSET_LIMIT:
        return LossyPixels(encapsulate(encoded, has_bot=True), None, ratio)
    data, offsets, lengths = encapsulate_extended(encoded)
    return LossyPixels(data, (offsets, lengths), ratio)
