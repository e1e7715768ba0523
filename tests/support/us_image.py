"""Ultrasound objects as a portable scanner sends them: US Image and US Multi-frame Image.

The objects follow PS3.3 A.6 (US Image) and A.7 (US Multi-frame Image): patient, study,
series and equipment as a scanner fills them (the study and accession from the worklist item
it picked), the US Image module, and a Sequence of Ultrasound Regions (C.8.5.5) giving each
view on screen its own scale. The pixels are synthetic speckle with a bright tendon-like band,
so a test can see them survive a round trip; nothing here is a real patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    UID,
    ExplicitVRLittleEndian,
    JPEGLSLossless,
    UltrasoundImageStorage,
    UltrasoundMultiFrameImageStorage,
)

from clinic_app.domains.imaging.dicom.capture import new_uid

ROWS = 240
COLUMNS = 320

#: Region Spatial Format (C.8.5.5.1.1) and Region Data Type (C.8.5.5.1.2) codes.
SPATIAL_2D = 1
SPATIAL_SPECTRAL = 3
DATA_TISSUE = 1
DATA_PW_SPECTRAL_DOPPLER = 3
#: Physical Units (C.8.5.5.1.15): centimetres, seconds, cm/s.
UNITS_CM = 3
UNITS_SECONDS = 4
UNITS_CM_PER_S = 7
#: Image Type for US (C.8.5.6.1.1): value 3 the kind of examination, value 4 the modes in
#: the image as a hex bit map (0001: 2D imaging only).
IMAGE_TYPE = ("ORIGINAL", "PRIMARY", "MUSCULOSKELETAL", "0001")


@dataclass(frozen=True)
class ScanRegion:
    """One view on the scanner's screen, as it goes into the Sequence of Ultrasound Regions.

    Bounds are inclusive pixel columns (x) and rows (y); deltas are physical units per pixel
    (cm for a tissue image).
    """

    min_x: int
    min_y: int
    max_x: int
    max_y: int
    delta_x: float
    delta_y: float
    spatial_format: int = SPATIAL_2D
    data_type: int = DATA_TISSUE
    units_x: int = UNITS_CM
    units_y: int = UNITS_CM

    def item(self) -> Dataset:
        """The region as an item of the Sequence of Ultrasound Regions."""
        item = Dataset()
        item.RegionSpatialFormat = self.spatial_format
        item.RegionDataType = self.data_type
        # Bit 0 clear: regions do not overlap; the other flags describe Doppler regions.
        item.RegionFlags = 0
        item.RegionLocationMinX0 = self.min_x
        item.RegionLocationMinY0 = self.min_y
        item.RegionLocationMaxX1 = self.max_x
        item.RegionLocationMaxY1 = self.max_y
        item.PhysicalUnitsXDirection = self.units_x
        item.PhysicalUnitsYDirection = self.units_y
        item.PhysicalDeltaX = self.delta_x
        item.PhysicalDeltaY = self.delta_y
        # The skin line at the top centre of the view is the origin of depth.
        item.ReferencePixelX0 = (self.max_x - self.min_x) // 2
        item.ReferencePixelY0 = 0
        item.ReferencePixelPhysicalValueX = 0.0
        item.ReferencePixelPhysicalValueY = 0.0
        item.TransducerFrequency = 12000  # kHz: a high-frequency linear MSK probe
        return item


#: One B-mode view inset from the screen edges (text and scale bars sit in the margins),
#: 0.01 cm (0.1 mm) per pixel both ways.
ONE_VIEW = (ScanRegion(40, 20, 279, 219, 0.01, 0.01),)
#: Dual view: the same tendon side by side, the right view zoomed (smaller cm per pixel).
TWO_VIEWS_DIFFERENT_SCALE = (
    ScanRegion(0, 20, 159, 219, 0.01, 0.01),
    ScanRegion(160, 20, 319, 219, 0.005, 0.005),
)
#: Dual view at one scale: a distance from one view into the other still means nothing.
TWO_VIEWS_SAME_SCALE = (
    ScanRegion(0, 20, 159, 219, 0.01, 0.01),
    ScanRegion(160, 20, 319, 219, 0.01, 0.01),
)


@dataclass(frozen=True)
class ScanSubject:
    """The patient as the scanner holds them (typed in, or picked from the worklist)."""

    nhs_number: str = "9990000018"
    family_name: str = "LOVELACE"
    given_name: str = "Ada"
    birth_date: date = date(1960, 3, 14)
    sex: str = "F"


def speckle(
    rows: int = ROWS, columns: int = COLUMNS, *, frames: int = 1, seed: int = 7
) -> np.ndarray:
    """Grey speckle with a bright band that drifts a little from frame to frame."""
    rng = np.random.default_rng(seed)
    stack = rng.integers(0, 70, (frames, rows, columns), dtype=np.uint8)
    for index in range(frames):
        top = rows // 3 + index % 5
        stack[index, top : top + 8, columns // 8 : columns - columns // 8] = 210
    return stack


def us_image(
    *,
    subject: ScanSubject | None = None,
    regions: Sequence[ScanRegion] = ONE_VIEW,
    colour: bool = True,
    study_uid: str | None = None,
    accession: str = "",
    series_uid: str | None = None,
    body_part: str = "KNEE",
    laterality: str = "L",
    when: datetime | None = None,
    seed: int = 7,
) -> Dataset:
    """A single-frame US Image (Ultrasound Image Storage), uncompressed, ready to send."""
    ds = _common(
        UltrasoundImageStorage,
        subject or ScanSubject(),
        regions,
        study_uid=study_uid,
        accession=accession,
        series_uid=series_uid,
        body_part=body_part,
        laterality=laterality,
        when=when or datetime(2026, 11, 25, 9, 15, 30, tzinfo=UTC),
    )
    _set_pixels(ds, speckle(seed=seed)[0], colour=colour)
    ds.ImageType = list(IMAGE_TYPE)
    return ds


def us_multiframe(
    *,
    subject: ScanSubject | None = None,
    regions: Sequence[ScanRegion] = ONE_VIEW,
    frames: int = 6,
    frame_time_ms: float = 40.0,
    colour: bool = True,
    jpeg_ls: bool = False,
    study_uid: str | None = None,
    accession: str = "",
    series_uid: str | None = None,
    body_part: str = "KNEE",
    laterality: str = "L",
    when: datetime | None = None,
    seed: int = 11,
) -> Dataset:
    """A cine loop as a US Multi-frame Image, optionally JPEG-LS lossless as many scanners send."""
    ds = _common(
        UltrasoundMultiFrameImageStorage,
        subject or ScanSubject(),
        regions,
        study_uid=study_uid,
        accession=accession,
        series_uid=series_uid,
        body_part=body_part,
        laterality=laterality,
        when=when or datetime(2026, 11, 25, 9, 16, 5, tzinfo=UTC),
    )
    _set_pixels(ds, speckle(frames=frames, seed=seed), colour=colour)
    ds.ImageType = list(IMAGE_TYPE)
    # Multi-frame and Cine modules (C.7.6.6, C.7.6.5): frames at a fixed interval.
    ds.FrameIncrementPointer = 0x00181063  # Frame Time
    ds.FrameTime = f"{frame_time_ms:g}"
    ds.CineRate = round(1000.0 / frame_time_ms)
    ds.RecommendedDisplayFrameRate = round(1000.0 / frame_time_ms)
    ds.ActualFrameDuration = round(frame_time_ms)
    ds.PreferredPlaybackSequencing = 0  # looping
    if jpeg_ls:
        # Keep the instance's UID: compressing losslessly does not make a new image.
        ds.compress(JPEGLSLossless, encoding_plugin="pyjpegls", generate_instance_uid=False)
    return ds


def _common(
    sop_class: UID,
    subject: ScanSubject,
    regions: Sequence[ScanRegion],
    *,
    study_uid: str | None,
    accession: str,
    series_uid: str | None,
    body_part: str,
    laterality: str,
    when: datetime,
) -> Dataset:
    """Everything but the pixels: the modules a US object shares with its multi-frame kin."""
    sop_uid = new_uid()
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian

    # SOP Common (C.12.1).
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_uid
    ds.InstanceCreationDate = when.strftime("%Y%m%d")
    ds.InstanceCreationTime = when.strftime("%H%M%S")

    # Patient (C.7.1.1): the NHS number as Patient ID, with its issuer.
    ds.PatientName = f"{subject.family_name}^{subject.given_name}"
    ds.PatientID = subject.nhs_number
    ds.IssuerOfPatientID = "NHS"
    ds.PatientBirthDate = subject.birth_date.strftime("%Y%m%d")
    ds.PatientSex = subject.sex

    _set_study_and_series(
        ds,
        study_uid=study_uid,
        accession=accession,
        series_uid=series_uid,
        body_part=body_part,
        laterality=laterality,
        when=when,
    )
    _set_equipment_and_image(ds, when)
    # US Region Calibration (C.8.5.5).
    ds.SequenceOfUltrasoundRegions = [region.item() for region in regions]
    return ds


def _set_study_and_series(
    ds: Dataset,
    *,
    study_uid: str | None,
    accession: str,
    series_uid: str | None,
    body_part: str,
    laterality: str,
    when: datetime,
) -> None:
    """General Study (C.7.2.1) and General Series (C.7.3.1), as from a worklist item."""
    day = when.strftime("%Y%m%d")
    time = when.strftime("%H%M%S")
    ds.StudyInstanceUID = study_uid or new_uid()
    ds.StudyDate = day
    ds.StudyTime = time
    ds.ReferringPhysicianName = ""
    ds.StudyID = "1"
    ds.AccessionNumber = accession
    ds.StudyDescription = "MSK ultrasound"

    ds.Modality = "US"
    ds.SeriesInstanceUID = series_uid or new_uid()
    ds.SeriesNumber = 1
    ds.SeriesDate = day
    ds.SeriesTime = time
    ds.Laterality = laterality
    ds.BodyPartExamined = body_part
    ds.OperatorsName = "OKAFOR^Tom"
    if accession:
        # The worklist item the images answer (Request Attributes Sequence, C.7.3.1).
        request = Dataset()
        request.AccessionNumber = accession
        request.RequestedProcedureID = accession
        request.ScheduledProcedureStepID = accession
        ds.RequestAttributesSequence = [request]


def _set_equipment_and_image(ds: Dataset, when: datetime) -> None:
    """General Equipment (C.7.5.1), General Image (C.7.6.1) and the US Image extras."""
    ds.Manufacturer = "Synthetic Sonics"
    ds.ManufacturerModelName = "Pocket MSK 2"
    ds.DeviceSerialNumber = "SS-000123"
    ds.SoftwareVersions = "4.2.1"
    ds.StationName = "POCUS01"
    ds.InstitutionName = "Community MSK Clinic"

    ds.InstanceNumber = 1
    ds.PatientOrientation = ""
    ds.ContentDate = when.strftime("%Y%m%d")
    ds.ContentTime = when.strftime("%H%M%S")
    ds.AcquisitionDateTime = when.strftime("%Y%m%d%H%M%S")
    # The synthetic pixels carry no text; a real scanner's often do, and says YES.
    ds.BurnedInAnnotation = "NO"
    ds.LossyImageCompression = "00"

    # US Image (C.8.5.6): a linear MSK probe.
    ds.TransducerType = "LINEAR"
    ds.ProcessingFunction = "MSK"


def _set_pixels(ds: Dataset, grey: np.ndarray, *, colour: bool) -> None:
    """8-bit pixels: RGB (as most scanners send) or MONOCHROME2."""
    if colour:
        # A faint warm tint, so the three samples differ as on a real scanner's screen.
        rgb = np.stack([grey, grey, (grey * 0.9).astype(np.uint8)], axis=-1)
        ds.set_pixel_data(rgb, "RGB", 8, generate_instance_uid=False)
    else:
        ds.set_pixel_data(grey, "MONOCHROME2", 8, generate_instance_uid=False)
