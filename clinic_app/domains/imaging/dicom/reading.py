"""Reading what people import: DICOM files checked before they are kept, and PNG/JPEG stills."""

from __future__ import annotations

import io
import warnings

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from clinic_app.kernel.errors import ValidationError


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
    """An 8-bit RGB array from PNG or JPEG bytes (other formats are refused)."""
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - only for pictures

    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.format not in {"PNG", "JPEG"}:
                raise ValidationError("image.unreadable", field="file")
            picture.load()
            return np.asarray(picture.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError("image.unreadable", field="file") from None


def kept_dataset(data: bytes) -> Dataset:
    """The dataset of a file the app already keeps (checked when it was taken in)."""
    return dcmread(io.BytesIO(data))


def parse_dicom(data: bytes) -> Dataset:
    """A DICOM file's dataset, refusing what cannot be kept, in plain codes."""
    try:
        with warnings.catch_warnings():
            # pydicom warns, then reads on, over a file cut short: that is a refusal here.
            warnings.simplefilter("error")
            ds = dcmread(io.BytesIO(data))
    except (InvalidDicomError, EOFError, ValueError, OSError, KeyError, UserWarning):
        raise ValidationError("dicom.unreadable", field="file") from None
    for required in ("SOPClassUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"):
        if not getattr(ds, required, None):
            raise ValidationError("dicom.unreadable", field="file")
    if "PixelData" not in ds:
        raise ValidationError("dicom.no_pixels", field="file")
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax is None or not syntax.is_transfer_syntax:
        raise ValidationError("dicom.unknown_transfer_syntax", field="file")
    try:
        # Decoding the pixels proves they are whole and in a syntax we can read.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _ = ds.pixel_array
    except (ValueError, RuntimeError, NotImplementedError, EOFError, UserWarning):
        raise ValidationError("dicom.unreadable", field="file") from None
    return ds
