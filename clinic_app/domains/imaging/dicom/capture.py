"""Frames grabbed from an ultrasound machine's video output, as correct DICOM objects.

A still becomes a Secondary Capture Image (PS3.3 A.8.1); a clip becomes a Multi-frame True
Color Secondary Capture Image (A.8.5) with its frame timing (Cine module). Both say how they
were made (Conversion Type ``DV``, digitised video, for frames from the video grabber; ``WSD``,
workstation, for a picture or clip imported from a file: PS3.3 C.8.6.1), say honestly whether
the pixels may carry burned-in text, always name the body part and its side. Stills are
compressed losslessly with JPEG-LS; clips too, unless the service chose lossy JPEG baseline for
clips (:class:`ClipCompression`, see :mod:`clinic_app.domains.imaging.dicom.clip_jpeg`). Text is
UTF-8 (ISO_IR 192).

Dates and times are the clinic's local time, as the worklist's are, with the Timezone Offset
From UTC (0008,0201) saying which; the study's date, time and ID are those of the study (when
it began), the same on every object of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    UID,
    JPEGLSLossless,
    MultiFrameTrueColorSecondaryCaptureImageStorage,
    SecondaryCaptureImageStorage,
)

from clinic_app.domains.imaging.dicom.clip_jpeg import ClipCompression, lossy_jpeg_pixels
from clinic_app.domains.imaging.dicom.names import local_time, study_id
from clinic_app.kernel.errors import ValidationError

#: The app's root for the UIDs it makes: 2.25 followed by a UUID as an integer (PS3.5 B.2).
UUID_ROOT = "2.25."
LATERALITIES = frozenset({"R", "L", "B", "U"})
#: Conversion Types the app writes (PS3.3 C.8.6.1): digitised video, workstation.
CONVERSION_TYPES = frozenset({"DV", "WSD"})
#: Body Part Examined codes (PS3.16 CID 4031 code meanings upper-cased, as PS3.3 asks).
BODY_PARTS = frozenset(
    {
        "SHOULDER",
        "ELBOW",
        "WRIST",
        "HAND",
        "HIP",
        "KNEE",
        "ANKLE",
        "FOOT",
        "CSPINE",
        "TSPINE",
        "LSPINE",
        "ARM",
        "LEG",
        "THIGH",
        "EXTREMITY",
        "NECK",
    }
)


def new_uid() -> UID:
    """A globally unique UID made on the device, with no registered root needed."""
    return UID(f"{UUID_ROOT}{uuid.uuid4().int}")


@dataclass(frozen=True)
class CaptureContext:
    """Who and what a capture is of: the patient from the record, the study of the encounter.

    Attributes:
        nhs_number: the patient's NHS number (the Patient ID, issuer NHS).
        family_name, given_name: as in the record.
        birth_date, sex: ``sex`` is M, F, O (other: the record says indeterminate) or empty
            (not known), as DICOM spells it.
        study_uid, series_uid: one study per encounter, one series per body part and side.
        accession: the accession number of the request, if any.
        operator: who scanned, as a DICOM person name (``FAMILY^Given``).
        body_part, laterality: always set (MSK anatomy is paired).
        burned_in: True when the video frame may show text that identifies the patient.
        when: the date and time of the capture.
        study_started: when the study began (its Study Date and Time); ``when`` if not given.
        conversion_type: ``DV`` for grabbed video frames, ``WSD`` for an imported file.
    """

    nhs_number: str
    family_name: str
    given_name: str
    birth_date: date
    sex: str
    study_uid: str
    series_uid: str
    body_part: str
    laterality: str
    operator: str
    when: datetime
    burned_in: bool = True
    accession: str = ""
    study_description: str = "Point-of-care ultrasound"
    series_number: int = 1
    institution: str = ""
    study_started: datetime | None = None
    conversion_type: str = "DV"


def _check(context: CaptureContext) -> None:
    if context.laterality not in LATERALITIES:
        raise ValidationError("dicom.bad_laterality", field="laterality")
    if context.body_part not in BODY_PARTS:
        raise ValidationError("dicom.bad_body_part", field="body_part")
    if context.sex not in {"M", "F", "O", ""}:
        raise ValidationError("dicom.bad_sex", field="sex")
    if context.conversion_type not in CONVERSION_TYPES:
        raise ValidationError("dicom.bad_conversion_type", field="conversion_type")


def _rgb(frames: np.ndarray) -> np.ndarray:
    if frames.dtype != np.uint8 or frames.shape[-1] != 3:
        raise ValidationError("dicom.not_rgb", field="frames")
    return np.ascontiguousarray(frames)


def _base(context: CaptureContext, sop_class: str, instance_number: int) -> Dataset:
    _check(context)
    when = local_time(context.when)
    began = local_time(context.study_started or context.when)
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.InstanceCreationDate = when.strftime("%Y%m%d")
    ds.InstanceCreationTime = when.strftime("%H%M%S")
    ds.TimezoneOffsetFromUTC = when.strftime("%z") or "+0000"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = new_uid()
    # Patient
    ds.PatientName = f"{context.family_name.upper()}^{context.given_name}"
    ds.PatientID = context.nhs_number
    ds.IssuerOfPatientID = "NHS"
    ds.PatientBirthDate = context.birth_date.strftime("%Y%m%d")
    ds.PatientSex = context.sex
    # General Study
    ds.StudyInstanceUID = context.study_uid
    ds.StudyDate = began.strftime("%Y%m%d")
    ds.StudyTime = began.strftime("%H%M%S")
    ds.ReferringPhysicianName = ""
    ds.StudyID = study_id(began)
    ds.AccessionNumber = context.accession
    ds.StudyDescription = context.study_description
    # General Series
    ds.Modality = "US"
    ds.SeriesInstanceUID = context.series_uid
    ds.SeriesNumber = context.series_number
    ds.Laterality = context.laterality
    ds.BodyPartExamined = context.body_part
    ds.OperatorsName = context.operator
    # General Equipment and SC Equipment
    ds.Manufacturer = "OneStop MSK"
    if context.institution:
        ds.InstitutionName = context.institution
    ds.ConversionType = context.conversion_type
    # General Image
    ds.InstanceNumber = instance_number
    ds.PatientOrientation = ""
    ds.ContentDate = when.strftime("%Y%m%d")
    ds.ContentTime = when.strftime("%H%M%S.%f")
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.BurnedInAnnotation = "YES" if context.burned_in else "NO"
    ds.LossyImageCompression = "00"
    return ds


@dataclass(frozen=True)
class LossyHistory:
    """Pixels that went through lossy compression before they reached the app (an MP4 clip).

    Attributes:
        method: the Lossy Image Compression Method defined term (PS3.3 C.7.6.1.1.5.1), e.g.
            ``ISO_14496_10`` for H.264, or None when the standard has no term for the codec.
        ratio: the decoded size over the compressed size.
    """

    method: str | None
    ratio: float


def _lossy(ds: Dataset, history: LossyHistory) -> None:
    # Once lossy, always lossy (PS3.3 C.7.6.1.1.5): the JPEG-LS copy is lossless but the
    # pixels are not the scanner's originals.
    ds.LossyImageCompression = "01"
    ds.LossyImageCompressionRatio = f"{history.ratio:.4g}"
    if history.method:
        ds.LossyImageCompressionMethod = history.method


def _pixel_module(ds: Dataset, pixels: np.ndarray) -> None:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    # The object keeps the UID it was made with (the app's 2.25 form), which setting the
    # pixels and compressing them would otherwise replace with one under pydicom's root.
    ds.set_pixel_data(pixels, "RGB", 8, generate_instance_uid=False)


def _finish(ds: Dataset, pixels: np.ndarray) -> Dataset:
    _pixel_module(ds, pixels)
    ds.compress(JPEGLSLossless, encoding_plugin="pyjpegls", generate_instance_uid=False)
    return ds


def _values(ds: Dataset, keyword: str) -> list[str]:
    value = ds.get(keyword)
    if value is None or value == "":
        return []
    if isinstance(value, str | float | int):
        return [str(value)]
    return [str(item) for item in value]


def _finish_lossy(ds: Dataset, pixels: np.ndarray, compression: ClipCompression) -> Dataset:
    # Made lossy as it is made: no lossless object of these pixels ever existed, so the
    # object keeps its own (new) SOP Instance UID (PS3.3 C.7.6.1.1.5 asks for a new one only
    # when an existing object is lossy-compressed).
    jpeg = lossy_jpeg_pixels(pixels, compression.quality, workers=compression.workers)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    # The Image Pixel module written here, not by pydicom from the frames: that would copy
    # the whole decoded clip once more only to throw it away.
    ds.Rows, ds.Columns = int(pixels.shape[1]), int(pixels.shape[2])
    ds.SamplesPerPixel = 3
    ds.PlanarConfiguration = 0
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PhotometricInterpretation = jpeg.photometric
    ds.PixelData = jpeg.pixel_data
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    if jpeg.extended_offsets is not None:
        ds.ExtendedOffsetTable, ds.ExtendedOffsetTableLengths = jpeg.extended_offsets
    ds.file_meta.TransferSyntaxUID = UID(jpeg.transfer_syntax)
    # Every lossy step the pixels went through, in order (PS3.3 C.7.6.1.1.5): an MP4's codec
    # first, when the clip came from one, then this JPEG.
    ratios = _values(ds, "LossyImageCompressionRatio")
    methods = _values(ds, "LossyImageCompressionMethod")
    ds.LossyImageCompression = "01"
    ds.LossyImageCompressionRatio = [*ratios, f"{jpeg.ratio:.4g}"]
    if len(methods) == len(ratios):
        ds.LossyImageCompressionMethod = [*methods, jpeg.method]
    else:
        # An earlier step whose method DICOM has no term for: the methods could not be paired
        # with the ratios value for value, so only the ratios are kept.
        ds.pop("LossyImageCompressionMethod", None)
    return ds


def still(frame: np.ndarray, context: CaptureContext, instance_number: int = 1) -> Dataset:
    """A grabbed (or imported) still as a Secondary Capture Image, JPEG-LS lossless.

    Args:
        frame: height x width x 3, 8-bit RGB.
        context: the patient, study, series, body part and side, operator and time.
        instance_number: its number in the series.

    Raises:
        ValidationError: ``dicom.not_rgb``, ``dicom.not_a_still``, ``dicom.bad_laterality``,
            ``dicom.bad_body_part`` or ``dicom.bad_sex``.
    """
    pixels = _rgb(frame)
    if pixels.ndim != 3:
        raise ValidationError("dicom.not_a_still", field="frames")
    ds = _base(context, SecondaryCaptureImageStorage, instance_number)
    ds.DateOfSecondaryCapture = ds.ContentDate
    ds.TimeOfSecondaryCapture = ds.InstanceCreationTime
    return _finish(ds, pixels)


def clip(
    frames: np.ndarray | Sequence[np.ndarray],
    frame_time_ms: float,
    context: CaptureContext,
    instance_number: int = 1,
    *,
    lossy: LossyHistory | None = None,
    compression: ClipCompression | None = None,
) -> Dataset:
    """A grabbed clip as a Multi-frame True Color Secondary Capture Image with its timing.

    Args:
        frames: frames x height x width x 3, 8-bit RGB.
        frame_time_ms: the time between frames as captured (1000 / frames per second).
        context: the patient, study, series, body part and side, operator and time.
        instance_number: its number in the series.
        lossy: how the frames were compressed before (an imported MP4), if they were.
        compression: how to keep the clip (the service's choice); JPEG-LS lossless if None.

    Raises:
        ValidationError: as :func:`still`, ``dicom.not_a_clip`` or ``dicom.bad_frame_time``.
    """
    pixels = _rgb(np.asarray(frames))
    if pixels.ndim != 4 or pixels.shape[0] < 1:
        raise ValidationError("dicom.not_a_clip", field="frames")
    if not 0 < frame_time_ms <= 10_000:
        raise ValidationError("dicom.bad_frame_time", field="frame_time_ms")
    ds = _base(context, MultiFrameTrueColorSecondaryCaptureImageStorage, instance_number)
    ds.DateOfSecondaryCapture = ds.ContentDate
    ds.TimeOfSecondaryCapture = ds.InstanceCreationTime
    # Multi-frame and Cine: the frames play at the timing they were captured with.
    ds.NumberOfFrames = int(pixels.shape[0])
    ds.FrameIncrementPointer = 0x00181063  # Frame Time
    ds.FrameTime = f"{frame_time_ms:.3f}".rstrip("0").rstrip(".")
    rate = round(1000 / frame_time_ms)
    ds.CineRate = rate
    ds.RecommendedDisplayFrameRate = rate
    if lossy is not None:
        _lossy(ds, lossy)
    if compression is not None and compression.lossy:
        return _finish_lossy(ds, pixels, compression)
    return _finish(ds, pixels)
