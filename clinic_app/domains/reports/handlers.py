"""What happens when a scan report is signed, and what the server checks of a pushed one.

A signed report is kept as DICOM and queued for the PACS. A report links only its own
patient's study, episode of care and earlier version: a device's own service takes them from
the study, a tampered device could name another patient's (``sync.wrong_patient``). Its key
images and measurements name images of its own study only (``report.image_not_in_study`` on
the device): the report screen shows them under the banner, and the SR and key-object note
made at signing point at them, so one of another patient's is ``sync.wrong_patient`` and one
of another study of the same patient ``sync.bad_value``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.domains.reports.archive import keep_report_as_dicom
from clinic_app.domains.reports.model import ScanReport, ScanReportDicom, ScanReportReview
from clinic_app.domains.reports.record import SCAN_REPORT
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.duplicates import same_patient
from clinic_app.records.events import RecordSigned, handles
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked


@handles(RecordSigned, SCAN_REPORT.code)
def keep_as_dicom(session: Session, event: RecordSigned) -> None:
    """Keep a version signed alone or verified as SR and KOS, and queue its study again.

    Runs before the signing commits: if making the DICOM fails, the signature rolls back
    with it, so a final report is never left without its SR.
    """
    row = session.get(ScanReport, event.record_id)
    if row is None or row.signed_at is None:
        return
    keep_report_as_dicom(session, row, row.signed_at)


on_checked(
    ScanReport.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn,
        row,
        {"study_id": ImagingStudy, "episode_id": EpisodeOfCare, "predecessor_id": ScanReport},
    ),
)


def _images_named(content: Any) -> set[str] | None:
    """The image ids a report's content names (key images, measurements); None if malformed."""
    if not isinstance(content, Mapping):
        return set()
    named: set[str] = set()
    for value in content.get("key_images") or []:
        named.add(str(value))
    for item in content.get("measurements") or []:
        if not isinstance(item, Mapping):
            return None
        named.add(str(item.get("instance_id")))
    return named


def images_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """Why a pushed report's content names an image not of its own study; None when it does not.

    Judged only when the content changes (a report written before this check still syncs).
    An image the server does not hold yet (its file still on its way) is not judged here.
    """
    content = row.get("content")
    if stored is not None and stored.get("content") == content:
        return None
    try:
        named = _images_named(content)
        ids = sorted({uuid.UUID(value) for value in named or ()})
    except ValueError:
        named = None
    if named is None:
        return "sync.bad_value"
    found = (
        conn.execute(
            select(ImageInstance.study_id, ImagingStudy.patient_id)
            .outerjoin(ImagingStudy, ImagingStudy.id == ImageInstance.study_id)
            .where(ImageInstance.id.in_(ids), ImageInstance.deleted.is_(False))
        ).all()
        if ids
        else []
    )
    patient = row.get("patient_id")
    refusal: str | None = None
    for study, owner in found:
        if study == row.get("study_id"):
            continue
        if owner is not None and patient is not None and not same_patient(conn, owner, patient):
            return "sync.wrong_patient"
        refusal = "sync.bad_value"
    return refusal


on_checked(ScanReport.__tablename__, "images_of_its_study", images_refusal)


def _report(conn: Connection, report_id: Any) -> Mapping[str, Any] | None:
    table = ScanReport.__table__
    found = conn.execute(select(table).where(table.c.id == report_id)).mappings().first()
    return dict(found) if found is not None else None


def review_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """Why a supervisor's review is not one the app makes, as a code; None when it is.

    A review is written as the report is returned or verified, in the same change: the
    report it names is then returned, or signed with this reviewer as its verifier; its
    trainee is the report's author, never the reviewer (``sync.not_allowed``). A review of
    a report never sent to anyone would put a supervised scan in the trainee's logbook that
    never happened.
    """
    if stored is not None:
        return None  # a review is never changed (its own rule refuses that)
    report = _report(conn, row.get("report_id"))
    if report is None:
        return "sync.not_allowed"
    reviewer, trainee = row.get("reviewer_id"), row.get("trainee_id")
    if trainee != report["author_id"] or reviewer == trainee:
        return "sync.not_allowed"
    outcome, status = row.get("outcome"), report["status"]
    # Still submitted to this reviewer: the report's own change comes later in the same push
    # (an older laptop queued the review first); its step is checked when it comes.
    sent_to_them = status == "submitted" and report.get("supervisor_id") == reviewer
    if outcome == "returned" and (status == "returned" or sent_to_them):
        return None
    if outcome == "verified" and (
        (status == "signed" and report["verified_by"] == reviewer) or sent_to_them
    ):
        return None
    return "sync.not_allowed"


on_checked(ScanReportReview.__tablename__, "as_the_report_stands", review_refusal)


def kept_dicom_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """Why a report's kept DICOM is refused, as a code; None when it is not.

    It is made as a version is signed (alone or verified), from that version, and holds the
    report's SR and key-object note as images of the report's own study: one for a report
    not signed is ``sync.not_allowed``, one naming an image of another study
    ``sync.wrong_patient`` (another patient's) or ``sync.bad_value``.
    """
    if stored is not None:
        return None
    report = _report(conn, row.get("report_id"))
    if report is None or report["status"] != "signed":
        return "sync.not_allowed"
    named = [row.get("sr_instance_id"), row.get("kos_instance_id")]
    images = ImageInstance.__table__
    for image_id in (i for i in named if i is not None):
        held = conn.execute(select(images.c.study_id).where(images.c.id == image_id)).first()
        if held is None:
            continue  # not here yet: it comes later in the same push, made with the version
        study_id = held.study_id
        if study_id == report["study_id"]:
            continue
        studies = ImagingStudy.__table__
        owner = conn.execute(select(studies.c.patient_id).where(studies.c.id == study_id)).scalar()
        if owner is not None and not same_patient(conn, owner, report["patient_id"]):
            return "sync.wrong_patient"
        return "sync.bad_value"
    return None


on_checked(ScanReportDicom.__tablename__, "of_a_signed_version", kept_dicom_refusal)
