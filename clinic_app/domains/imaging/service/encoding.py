"""The steps of keeping an image that never touch the store: reading a file, making DICOM.

Keeping an image is three steps, so the store is never held (nor its thread kept busy) while
pixels are decoded or compressed, which takes seconds for a clip: the store says where the
image goes (:class:`CapturePlan`), the pixels become a DICOM object here
(:func:`encode`), then the store keeps it in one unit of work. A file is read here first
(:func:`read_file`): DICOM is kept as received, a picture or an MP4 clip becomes pixels.
Each step's result is handed to the next; no field with patient data (pixels, names, files)
shows in its ``repr``.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from clinic_app.kernel.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    from pydicom.dataset import Dataset

    from clinic_app.domains.imaging.dicom.capture import CaptureContext, LossyHistory
    from clinic_app.domains.imaging.dicom.clip_jpeg import ClipCompression
    from clinic_app.records.attachments import FileSource

# numpy and pydicom load on the first image, not when the app starts (sign-in stays quick).


@dataclass(frozen=True)
class Picture:
    """Pixels to keep as a Secondary Capture object: a still, or a clip with its timing.

    Attributes:
        pixels: height x width x 3 (a still) or frames x height x width x 3, 8-bit RGB.
        frame_time_ms: the time between frames of a clip; None for a still.
        lossy: how the pixels were compressed before they reached the app (an MP4 clip).
        source: ``grabbed`` from the video grabber, or ``imported`` from a file.
    """

    pixels: np.ndarray = field(repr=False)
    frame_time_ms: float | None = None
    lossy: LossyHistory | None = None
    source: str = "grabbed"


@dataclass(frozen=True)
class DicomFile:
    """A DICOM file read and checked, to keep exactly as it came.

    Attributes:
        source: the file's bytes, or where it lies on disk (a long clip a scanner pushed is
            streamed to disk and kept from there, never held whole in memory; sealed, if it
            waits to be taken into the store).
        dataset: the file's dataset; read from a file on disk it has no pixel data.
    """

    source: bytes | Path | FileSource = field(repr=False)
    dataset: Dataset = field(repr=False)

    @property
    def data(self) -> bytes:
        """The whole file in memory (read from disk when it lies there: a clip may be large)."""
        if isinstance(self.source, bytes):
            return self.source
        if isinstance(self.source, Path):
            return self.source.read_bytes()
        with self.source.open() as stream:
            return stream.read()


@dataclass(frozen=True)
class CapturePlan:
    """Where a new image goes, and what the record says of the patient, read from the store.

    ``clip_compression`` is how the service keeps clips (its DICOM settings); None keeps
    them lossless. Stills are lossless whatever it says.
    """

    patient_id: uuid.UUID
    study_id: uuid.UUID
    # Patient details: kept out of any message or log that shows the plan.
    context: CaptureContext = field(repr=False)
    clip_compression: ClipCompression | None = None


@dataclass(frozen=True)
class EncodedImage:
    """A DICOM object made from a picture under a plan, ready for the store to keep."""

    plan: CapturePlan
    data: bytes = field(repr=False)
    sop_class_uid: str
    sop_instance_uid: str
    frames: int
    source: str


def dicom_bytes(ds: Dataset) -> bytes:
    """A dataset as a DICOM file (with its preamble and file meta)."""
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def read_file(data: bytes, *, cancelled: Callable[[], bool] | None = None) -> Picture | DicomFile:
    """What a file holds, whatever kind it is (told by its bytes).

    ``cancelled`` is polled while a clip is decoding; once it returns True the decoding stops
    (``video.cancelled``).

    Raises:
        ValidationError: ``file.empty``; ``image.unknown_kind`` for anything but DICOM,
            PNG, JPEG or MP4; for DICOM the codes of :func:`read_dicom`;
            ``image.unreadable``, ``image.too_large``, ``video.unreadable``, ``video.no_video``,
            ``video.too_long``, ``video.bad_timing`` for a file of that kind that cannot be used;
            ``video.no_decoder``, ``video.timed_out``, ``video.cancelled`` for a clip.
    """
    from clinic_app.domains.imaging.dicom.reading import file_kind  # noqa: PLC0415 - see the top

    if not data:
        raise ValidationError("file.empty", field="file")
    kind = file_kind(data)
    if kind == "dicom":
        return read_dicom(data)
    if kind == "picture":
        return read_picture(data)
    if kind == "video":
        return read_clip(data, cancelled=cancelled)
    raise ValidationError("image.unknown_kind", field="file")


def read_dicom(source: bytes | Path | FileSource) -> DicomFile:
    """A DICOM file, from its bytes or from disk, checked from its header and first frame.

    Raises:
        ValidationError: ``file.empty``, ``dicom.unreadable`` (not DICOM, or damaged),
            ``dicom.truncated``, ``dicom.no_pixels``, ``dicom.bad_dimensions``,
            ``dicom.unknown_transfer_syntax``, ``dicom.unsupported_compression``.
    """
    from clinic_app.domains.imaging.dicom.reading import check_dicom  # noqa: PLC0415 - see the top

    return DicomFile(source, check_dicom(source))


def read_picture(data: bytes) -> Picture:
    """A PNG or JPEG still's pixels (see :func:`read_file` for what it raises)."""
    from clinic_app.domains.imaging.dicom.reading import picture_pixels  # noqa: PLC0415 - see the top

    return Picture(picture_pixels(data), source="imported")


def read_clip(data: bytes, *, cancelled: Callable[[], bool] | None = None) -> Picture:
    """An MP4 clip's frames at its own timing, with how lossy its compression was.

    The frames of an MP4 have been through lossy compression, and the object made of them
    says so (Lossy Image Compression ``01``, with the ratio and, where DICOM names one, the
    method).
    """
    from clinic_app.domains.imaging.dicom.capture import LossyHistory  # noqa: PLC0415 - see the top
    from clinic_app.domains.imaging.dicom.video import decode_mp4  # noqa: PLC0415

    decoded = decode_mp4(data, cancelled=cancelled)
    history = None
    if decoded.lossy:
        ratio = decoded.frames.nbytes / max(decoded.compressed_bytes, 1)
        history = LossyHistory(decoded.method, ratio)
    return Picture(decoded.frames, decoded.frame_time_ms, history, source="imported")


def encode(plan: CapturePlan, picture: Picture) -> EncodedImage:
    """The picture as a Secondary Capture object of the planned study and series.

    A still is a Secondary Capture Image, always JPEG-LS lossless; a clip is Multi-frame True
    Color SC with its timing, kept as the plan's ``clip_compression`` says.
    """
    from clinic_app.domains.imaging.dicom.capture import clip, still  # noqa: PLC0415 - see the top

    context = plan.context
    if picture.source == "imported":
        # A file made on a computer, not frames digitised from the scanner's video.
        context = replace(context, conversion_type="WSD")
    if picture.frame_time_ms is None:
        ds = still(picture.pixels, context)
    else:
        ds = clip(
            picture.pixels,
            picture.frame_time_ms,
            context,
            lossy=picture.lossy,
            compression=plan.clip_compression,
        )
    return EncodedImage(
        plan=plan,
        data=dicom_bytes(ds),
        sop_class_uid=str(ds.SOPClassUID),
        sop_instance_uid=str(ds.SOPInstanceUID),
        frames=int(getattr(ds, "NumberOfFrames", 1)),
        source=picture.source,
    )
