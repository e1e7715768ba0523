"""What the server checks of a pushed imaging study or image, beyond who may capture and archive.

A study belongs to the patient it is made for (captured in their record, matched by what a
scanner's object carries, or an orphan a person assigned to them) and names that patient's
episode of care open at the time; a tampered device could name another patient's episode, or
say the PACS holds the study under another patient (``sync.wrong_patient``). An image is
filed in a study once (when it is made, or when a person assigns an orphan) and never moved:
a change that takes a filed image out of its study or into another is refused
(``sync.wrong_patient`` when the other study is another patient's, ``sync.not_allowed``
otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.kernel.attachments import Attachment
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.duplicates import same_patient
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

on_checked(
    ImagingStudy.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(conn, row, {"episode_id": EpisodeOfCare}),
)


def pacs_identity_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """Why a study's PACS identity (``pacs_patient_id``) is refused, as a code; None if not.

    It is set once, when the PACS first confirms the study, to the study's own patient or a
    registration merged with them: naming another patient is ``sync.wrong_patient``, and
    changing it once set is ``sync.not_allowed``. A change that leaves it as stored is not
    checked again (merges that arrive later must not make the study's other changes fail).
    """
    named = row.get("pacs_patient_id")
    before = stored.get("pacs_patient_id") if stored is not None else None
    if named == before:
        return None
    if before is not None:
        return "sync.not_allowed"
    patient = row.get("patient_id")
    if named is None or patient is None or same_patient(conn, named, patient):
        return None
    return "sync.wrong_patient"


on_checked(ImagingStudy.__tablename__, "pacs_identity", pacs_identity_refusal)


def filing_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """Why a change to an image's study is refused, as a code; None when it is not.

    A new image, or an orphan being assigned, names any study it likes here (the study's own
    check holds the study to its patient); an image already filed stays where it is.
    """
    if stored is None or stored.get("study_id") is None:
        return None
    before, after = stored["study_id"], row.get("study_id")
    if after == before:
        return None
    if after is None:
        return "sync.not_allowed"
    study = ImagingStudy.__table__
    owners = {
        study_id: patient_id
        for study_id, patient_id in conn.execute(
            select(study.c.id, study.c.patient_id).where(study.c.id.in_([before, after]))
        )
    }
    first, second = owners.get(before), owners.get(after)
    if first is not None and second is not None and not same_patient(conn, first, second):
        return "sync.wrong_patient"
    return "sync.not_allowed"


on_checked(ImageInstance.__tablename__, "filed_once", filing_refusal)


def file_of_patient_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """``sync.wrong_patient`` for an image showing a file of another patient than its study's.

    An image's file is the one taken for it: a file that already has a patient belongs with
    an image of that patient's study only (a file waiting for a patient is given one when
    the image is filed).
    """
    attachment_id = row.get("attachment_id")
    if attachment_id is None or (
        stored is not None and stored.get("attachment_id") == attachment_id
    ):
        return None
    files = Attachment.__table__
    owner = conn.execute(select(files.c.patient_id).where(files.c.id == attachment_id)).scalar()
    if owner is None:
        return None
    study_id = row.get("study_id")
    study = ImagingStudy.__table__
    patient = (
        conn.execute(select(study.c.patient_id).where(study.c.id == study_id)).scalar()
        if study_id is not None
        else None
    )
    if patient is None or not same_patient(conn, owner, patient):
        return "sync.wrong_patient"
    return None


on_checked(ImageInstance.__tablename__, "file_of_patient", file_of_patient_refusal)
