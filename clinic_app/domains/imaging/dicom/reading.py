"""Reading what people import: DICOM files checked before they are kept, and PNG/JPEG stills."""

from __future__ import annotations

import contextlib
import io
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels.decoders.base import get_decoder
from pydicom.pixels.utils import pixel_array
from pydicom.uid import (
    JPEG2000,
    UID,
    DeflatedExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
)

from clinic_app.kernel.errors import ValidationError

if TYPE_CHECKING:
    from clinic_app.records.attachments import FileSource


def file_kind(data: bytes) -> str:
    """What a file is, from its first bytes: ``dicom``, ``picture``, ``video`` or ``unknown``.

    File names are not trusted: a clinic's shared drive is full of misnamed exports.
    """
    if len(data) >= 132 and data[128:132] == b"DICM":
        return "dicom"
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return "picture"
    # MP4 and QuickTime files open with a box whose type is "ftyp" (ISO/IEC 14496-12).
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "video"
    return "unknown"


def picture_pixels(data: bytes) -> np.ndarray:
    """An 8-bit RGB array from PNG or JPEG bytes (other formats are refused).

    Raises:
        ValidationError: ``image.unreadable``; ``image.too_large`` for a picture that
            declares more pixels than Pillow's decompression-bomb limit.
    """
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - only for pictures

    try:
        with warnings.catch_warnings():
            # Past Image.MAX_IMAGE_PIXELS Pillow only warns (twice that, it refuses): a
            # picture that size is no scan, and decoding it could take the laptop's memory.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                if picture.format not in {"PNG", "JPEG"}:
                    raise ValidationError("image.unreadable", field="file")
                picture.load()
                return np.asarray(picture.convert("RGB"), dtype=np.uint8)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("image.too_large", field="file") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError("image.unreadable", field="file") from None


def kept_dataset(data: bytes) -> Dataset:
    """The dataset of a file the app already keeps (checked when it was taken in)."""
    return dcmread(io.BytesIO(data))


def parse_dicom(data: bytes) -> Dataset:
    """A DICOM file's dataset, refusing what cannot be kept, in plain codes.

    See :func:`check_dicom` for what it checks and raises.
    """
    return check_dicom(data)


def check_dicom(source: bytes | Path | FileSource) -> Dataset:
    """Check a DICOM file (bytes, or a file on disk) before it is kept, and read its header.

    Only the header is parsed and only the first frame decoded, so a clip of any length costs
    about one frame of memory and time: the rest of the pixel data is walked (its length, or
    its fragments' headers) to prove it is all there, never decoded. A warning from pydicom
    is not a refusal; a file cut short is.

    Returns the dataset: read whole from bytes; from a file, without its pixel data (the
    file itself is what is kept).

    Raises:
        ValidationError: ``file.empty``; ``dicom.unreadable`` (not DICOM, or damaged);
            ``dicom.truncated`` (cut short); ``dicom.no_pixels``;
            ``dicom.bad_dimensions`` (no Rows or Columns, or sizes no image can have);
            ``dicom.unknown_transfer_syntax``; ``dicom.unsupported_compression`` (with
            ``syntax``, the compression's name) when no decoder here reads it;
            ``dicom.bad_value`` when a header value cannot be read as its kind says.
    """
    header = check_layout(source, decode_first=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check_identity(header)
        ds = _read_whole(io.BytesIO(source)) if isinstance(source, bytes) else header
        try:
            # pydicom checks a value when it is first read, and warns then: read every value
            # here, where its warnings are not refusals, so the code keeping it meets none.
            # A value it cannot convert at all (a number written "1.70m") is a refusal.
            ds.walk(lambda _dataset, _element: None)
        except (ValueError, TypeError, OverflowError):
            raise ValidationError("dicom.bad_value", field="file") from None
    return ds


def check_layout(source: bytes | Path | FileSource, *, decode_first: bool = False) -> Dataset:
    """The checks of :func:`check_dicom` (and the same refusals), returning the header only.

    Without ``decode_first`` nothing is decoded: for a viewer that decodes frames itself.
    """
    size = len(source) if isinstance(source, bytes) else _file_size(source)
    if size == 0:
        raise ValidationError("file.empty", field="file")
    with warnings.catch_warnings():
        # pydicom warns over what it reads on from (a wrong VR, a non-standard value): such
        # files are sound. A file cut short shows in the checks here, not in a warning.
        warnings.simplefilter("ignore")
        return _checked(source, size, decode_first=decode_first)


def _checked(source: bytes | Path | FileSource, size: int, *, decode_first: bool) -> Dataset:
    with _opened(source) as stream:
        header = _header(stream)
        syntax = _transfer_syntax(header)
        if syntax == DeflatedExplicitVRLittleEndian:
            # The whole dataset is zlib-compressed, so nothing can be found in place: read it
            # (deflated files are small stills; scanners do not send clips this way).
            stream.seek(0)
            whole = _read_whole(stream)
            if "PixelData" not in whole:
                raise ValidationError("dicom.no_pixels", field="file")
            _check_dimensions(whole)
            if decode_first:
                _decode_first_frame(whole, syntax, whole)
            return _without_pixels(whole)
        start, length = _pixel_element(stream, syntax)
        frames = _check_dimensions(header)
        if length == _UNDEFINED:
            _walk_fragments(stream, start, size, syntax)
        else:
            expected = _expected_length(header, frames)
            if start + length > size or length < expected:
                raise ValidationError("dicom.truncated", field="file")
        if decode_first:
            stream.seek(0)
            _decode_first_frame(stream, syntax, header)
    return header


#: The value length that says "until the sequence delimiter" (encapsulated pixel data).
_UNDEFINED = 0xFFFFFFFF
_PIXEL_DATA = 0x7FE00010
_ITEM = 0xFFFEE000
_SEQUENCE_END = 0xFFFEE0DD


def _file_size(path: Path | FileSource) -> int:
    try:
        return path.stat().st_size if isinstance(path, Path) else path.size
    except OSError:
        raise ValidationError("dicom.unreadable", field="file") from None


@contextlib.contextmanager
def _opened(source: bytes | Path | FileSource) -> Iterator[BinaryIO]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
        return
    try:
        stream = source.open("rb") if isinstance(source, Path) else source.open()
    except OSError:
        raise ValidationError("dicom.unreadable", field="file") from None
    with stream:
        yield stream


def _header(stream: BinaryIO) -> Dataset:
    """Everything before the pixel data; the stream is left at the pixel data's tag."""
    try:
        return dcmread(stream, stop_before_pixels=True)
    except (InvalidDicomError, EOFError, ValueError, OSError, KeyError, TypeError):
        raise ValidationError("dicom.unreadable", field="file") from None


def _read_whole(stream: BinaryIO) -> Dataset:
    try:
        return dcmread(stream)
    except (InvalidDicomError, EOFError, ValueError, OSError, KeyError, TypeError):
        raise ValidationError("dicom.truncated", field="file") from None


def _without_pixels(ds: Dataset) -> Dataset:
    del ds.PixelData
    return ds


def _transfer_syntax(header: Dataset) -> UID:
    syntax = getattr(getattr(header, "file_meta", None), "TransferSyntaxUID", None)
    if syntax is None or not UID(syntax).is_transfer_syntax:
        raise ValidationError("dicom.unknown_transfer_syntax", field="file")
    return UID(syntax)


def _check_identity(header: Dataset) -> None:
    for required in ("SOPClassUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"):
        if not header.get(required):
            raise ValidationError("dicom.unreadable", field="file")


def _pixel_element(stream: BinaryIO, syntax: UID) -> tuple[int, int]:
    """Where the Pixel Data value starts, and its length (undefined for fragments)."""
    at = stream.tell()
    endian = "<" if syntax.is_little_endian else ">"
    head = stream.read(8)
    if len(head) == 0:
        raise ValidationError("dicom.no_pixels", field="file")
    if len(head) < 8:
        raise ValidationError("dicom.truncated", field="file")
    group, element = struct.unpack(f"{endian}HH", head[:4])
    if (group << 16) | element != _PIXEL_DATA:
        # Float or double pixel data (parametric maps), which no scanner here sends.
        raise ValidationError("dicom.no_pixels", field="file")
    if syntax.is_implicit_VR:
        (length,) = struct.unpack(f"{endian}L", head[4:8])
        return at + 8, int(length)
    more = stream.read(4)
    if len(more) < 4:
        raise ValidationError("dicom.truncated", field="file")
    (length,) = struct.unpack(f"{endian}L", more)
    return at + 12, int(length)


def _walk_fragments(stream: BinaryIO, start: int, size: int, syntax: UID) -> None:
    """Prove the fragments of encapsulated pixel data all arrived, reading only their headers.

    Item headers are always little endian (PS3.5 A.4).
    """
    del syntax
    position = start
    items = 0
    while True:
        stream.seek(position)
        head = stream.read(8)
        if len(head) < 8:
            raise ValidationError("dicom.truncated", field="file")
        group, element, length = struct.unpack("<HHL", head)
        tag = (group << 16) | element
        if tag == _SEQUENCE_END:
            break
        if tag != _ITEM or length == _UNDEFINED:
            raise ValidationError("dicom.unreadable", field="file")
        position += 8 + length
        if position > size:
            raise ValidationError("dicom.truncated", field="file")
        items += 1
    # The first item is the offset table; at least one fragment of picture must follow it.
    if items < 2:
        raise ValidationError("dicom.truncated", field="file")


#: Bits a sample may be allocated (PS3.5 8.1.1 and PS3.3 C.7.6.3.1).
_BITS_ALLOCATED = frozenset({1, 8, 16, 32, 64})


def _check_dimensions(header: Dataset) -> int:
    """The number of frames, once the header's sizes describe a possible picture."""
    try:
        rows = int(header.get("Rows") or 0)
        columns = int(header.get("Columns") or 0)
        samples = int(header.get("SamplesPerPixel") or 1)
        allocated = int(header.get("BitsAllocated") or 0)
        stored = int(header.get("BitsStored") or allocated)
        given = header.get("NumberOfFrames")
        frames = 1 if given is None or str(given).strip() == "" else int(str(given))
    except (TypeError, ValueError):
        raise ValidationError("dicom.bad_dimensions", field="file") from None
    if (
        rows <= 0
        or columns <= 0
        or samples not in {1, 3, 4}
        or allocated not in _BITS_ALLOCATED
        or not 0 < stored <= allocated
        or frames <= 0
    ):
        raise ValidationError("dicom.bad_dimensions", field="file")
    return frames


def _expected_length(header: Dataset, frames: int) -> int:
    """The bytes native pixel data must hold (bits packed for 1-bit images)."""
    rows, columns = int(header.Rows), int(header.Columns)
    samples = int(header.get("SamplesPerPixel") or 1)
    allocated = int(header.BitsAllocated)
    pixels = rows * columns * frames * samples
    if str(header.get("PhotometricInterpretation", "")).upper() == "YBR_FULL_422":
        pixels = pixels // 3 * 2
    return (pixels * allocated + 7) // 8


#: The pydicom plug-ins the app decodes each compressed syntax with, best first. pydicom's
#: "pylibjpeg" plug-in decodes JPEG and JPEG-LS with libjpeg, which is GPL-3.0 and not shipped
#: (installers/licences/README.md), so for those syntaxes it is never used, even where it
#: happens to be installed; its JPEG 2000 (OpenJPEG) and RLE decoders are not libjpeg. CharLS
#: (pyjpegls) reads JPEG-LS about five times faster than the others. GDCM reads JPEG Lossless
#: and baseline, Pillow 8-bit JPEG; neither reads 12-bit JPEG Extended. A syntax not named
#: here is left to pydicom's own order.
_PLUGINS: dict[UID, tuple[str, ...]] = {
    JPEGBaseline8Bit: ("gdcm", "pillow"),
    JPEGExtended12Bit: ("gdcm", "pillow"),
    JPEGLossless: ("gdcm",),
    JPEGLosslessSV1: ("gdcm",),
    JPEGLSLossless: ("pyjpegls", "gdcm"),
    JPEGLSNearLossless: ("pyjpegls", "gdcm"),
    JPEG2000Lossless: ("pylibjpeg", "gdcm", "pillow"),
    JPEG2000: ("pylibjpeg", "gdcm", "pillow"),
}

#: The sample precision above which no plug-in the app uses decodes JPEG Extended.
_JPEG_EXTENDED_MOST_BITS = 8


def decoding_plugin(syntax: UID) -> str:
    """The pydicom decoding plug-in to use for ``syntax`` ("" lets pydicom choose).

    Raises:
        ValidationError: ``dicom.unsupported_compression`` when the only decoders installed
            for ``syntax`` are ones the app may not use.
    """
    wanted = _PLUGINS.get(syntax)
    if wanted is None:
        return ""
    available = get_decoder(syntax).available_plugins
    for name in wanted:
        if name in available:
            return name
    raise ValidationError("dicom.unsupported_compression", field="file", syntax=syntax.name)


def check_decodable(syntax: UID, header: Dataset) -> None:
    """Refuse what no decoder the app ships reads, before a decoder fails on it.

    Said plainly rather than found by a decoder failing, which would read as damage.

    Raises:
        ValidationError: ``dicom.unsupported_compression`` for 12-bit JPEG Extended.
    """
    if syntax == JPEGExtended12Bit and _bits_stored(header) > _JPEG_EXTENDED_MOST_BITS:
        raise ValidationError("dicom.unsupported_compression", field="file", syntax=syntax.name)


def _decode_first_frame(source: BinaryIO | Dataset, syntax: UID, header: Dataset) -> None:
    """Decode frame 0 only: proves its syntax is readable here and its data decodes."""
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        raise ValidationError(
            "dicom.unsupported_compression", field="file", syntax=syntax.name
        ) from None
    if not decoder.is_available:
        raise ValidationError("dicom.unsupported_compression", field="file", syntax=syntax.name)
    check_decodable(syntax, header)
    plugin = decoding_plugin(syntax)
    try:
        pixel_array(source, index=0, decoding_plugin=plugin)
    except (ValueError, RuntimeError, NotImplementedError, EOFError, KeyError) as error:
        # A decoder that meets bad data says so in its own words; each means damage here.
        raise ValidationError("dicom.unreadable", field="file") from error


def _bits_stored(header: Dataset) -> int:
    try:
        return int(header.get("BitsStored") or header.get("BitsAllocated") or 0)
    except (TypeError, ValueError):
        return 0
