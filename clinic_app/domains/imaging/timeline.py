"""Imaging studies on the patient's timeline (their reports are the reports domain's)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that shows a patient's studies and their images.
SCREEN = "imaging"


def study_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each study with how many images it holds."""
    counts = (
        select(ImageInstance.study_id, func.count(ImageInstance.id).label("images"))
        # A final report's SR and KOS are kept in its study but are not images.
        .where(ImageInstance.deleted.is_(False), ImageInstance.source != "report")
        .group_by(ImageInstance.study_id)
        .subquery()
    )
    rows = session.execute(
        select(ImagingStudy, counts.c.images)
        .outerjoin(counts, counts.c.study_id == ImagingStudy.id)
        .where(ImagingStudy.patient_id == patient_id, ImagingStudy.deleted.is_(False))
    )
    entries = []
    for study, images in rows:
        count = images or 0
        detail = f"{count} image{'s' if count != 1 else ''}"
        if study.purpose != "clinical":
            detail += f", {study.purpose}"
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=study.episode_id,
                when=aware(study.started_at),
                kind="imaging_study",
                description=f"Imaging study: {study.description}",
                status=EntryStatus.RECORDED,
                record_id=study.id,
                screen_id=SCREEN,
                item_id=study.id,
                detail=detail,
            )
        )
    return entries


register_source("imaging_study", study_entries)
