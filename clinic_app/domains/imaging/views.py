"""Read models of imaging: studies, images, PACS sends, listeners and settings; frozen, ORM-free."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class PlannedScan:
    """A scan planned today: what a scanner's worklist query is answered with."""

    study_uid: str
    accession: str
    description: str
    planned_at: datetime
    nhs_number: str
    family_name: str
    given_name: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class InstanceView:
    """An image in the record (or waiting as an orphan, with no study)."""

    id: uuid.UUID
    study_id: uuid.UUID | None
    sop_class_uid: str
    sop_instance_uid: str
    body_part: str | None
    laterality: str | None
    frames: int
    source: str
    attachment_id: uuid.UUID
    created_at: datetime | None = None
    carried_patient_id: str | None = None
    carried_accession: str | None = None
    carried_name: str | None = None
    carried_birth_date: str | None = None


@dataclass(frozen=True)
class StudyView:
    """A patient's study: its images, and where it stands with the PACS.

    ``pacs_state`` is ``educational`` (never sent), ``not_sent``, ``waiting`` (asked for,
    not yet confirmed by the PACS), ``archived``, or ``stopped``.
    """

    id: uuid.UUID
    study_uid: str
    started_at: datetime
    description: str
    accession: str | None
    purpose: str
    archived_at: datetime | None
    pacs_state: str
    pacs_error: str | None
    pacs_attempts: int
    instances: tuple[InstanceView, ...]
    #: The episode of care it was made in (None when the patient had none open).
    episode_id: uuid.UUID | None = None
    #: The registration it was made under: the patient's own, or one since merged into it.
    patient_id: uuid.UUID | None = None
    #: The registration the PACS holds it under (None until the PACS confirmed any of it).
    pacs_patient_id: uuid.UUID | None = None


@dataclass(frozen=True)
class SendView:
    """Where a study's trip to the PACS stands."""

    id: uuid.UUID
    study_id: uuid.UUID
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    requested_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class SendOutcome:
    """What one attempt did."""

    send_id: uuid.UUID
    study_id: uuid.UUID
    archived: bool
    confirmed: int
    images: int
    error: str | None = None


@dataclass(frozen=True)
class ListenerState:
    """Whether the listeners run, where, and why not when they should."""

    listening: bool
    ae_title: str
    storage_port: int
    worklist_port: int
    error: str | None = None


@dataclass(frozen=True)
class KnownScanner:
    """A scanner the service lets reach the app's listeners.

    Attributes:
        ae_title: the AE title it calls with (exact, as PS3.5 compares AE titles).
        address: its IP address, or a network it is given addresses from
            (``192.168.10.0/24``).
        name: what people call it ("Knee clinic Butterfly").
    """

    ae_title: str
    address: str
    name: str = ""


@dataclass(frozen=True)
class DicomSettings:
    """The app's DICOM listeners and the PACS it sends to.

    Attributes:
        ae_title: the app's own AE title (scanners send to it; the PACS sees it calling).
        listen: start the Storage and Worklist listeners when the app starts.
        listen_host: the address they listen on (``127.0.0.1``, the default: this laptop
            only; ``0.0.0.0``: every network the laptop has).
        scanners: the scanners allowed to push images and read the worklist; an association
            from any other AE title or address is refused (none listed: every one refused).
        worklist_station: the AE title the worklist names as the scheduled station of every
            scan planned here (empty: steps are not scheduled for a particular scanner).
        storage_port, worklist_port: where scanners push images and ask for the worklist.
        pacs_ae_title, pacs_host, pacs_port: the PACS's DICOM address (C-STORE and the query
            back that confirms it holds each image).
        pacs_method: ``c-store`` or ``stow-rs``.
        pacs_dicomweb_url: the PACS's DICOMweb root, for STOW-RS.
        clip_compression: how clips are kept: ``lossless`` (JPEG-LS, every pixel as
            captured; the default) or ``lossy`` (JPEG baseline, several times smaller).
            Stills are always lossless. See :mod:`clinic_app.domains.imaging.service.settings`
            for why lossless is the default.
        clip_quality: the JPEG quality of lossy clips (50 to 95; an engineering setting).
    """

    ae_title: str = "ONESTOP"
    listen: bool = False
    listen_host: str = "127.0.0.1"
    storage_port: int = 11112
    worklist_port: int = 11113
    pacs_ae_title: str = ""
    pacs_host: str = ""
    pacs_port: int = 104
    pacs_method: str = "c-store"
    pacs_dicomweb_url: str = ""
    scanners: tuple[KnownScanner, ...] = ()
    worklist_station: str = ""
    clip_compression: str = "lossless"
    clip_quality: int = 90

    @property
    def pacs_configured(self) -> bool:
        """True when there is a PACS to send to."""
        if not (self.pacs_ae_title and self.pacs_host):
            return False
        return self.pacs_method == "c-store" or bool(self.pacs_dicomweb_url)


@dataclass(frozen=True)
class TeachingCopy:
    """De-identified DICOM files of one study, ready to save.

    Attributes:
        pseudonym: the Patient ID every copy carries instead of the NHS number.
        files: (file name, DICOM bytes) for each object: the images, then any report.
        pixels_may_identify: True when any image may show the patient's details burned into
            the picture (text from the scanner's screen), which de-identification cannot
            remove: a person must check and mask them before the copy is shared.
        reports: how many of the files are reports or key-image notes (SR, KOS): they keep
            their codes, measurements and image references; their free text, names and dates
            are taken out.
    """

    pseudonym: str
    files: tuple[tuple[str, bytes], ...]
    pixels_may_identify: bool
    reports: int = 0
