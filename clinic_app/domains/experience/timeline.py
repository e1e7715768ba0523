"""Friends and Family Test responses on the patient's timeline: that one was given, not what."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.experience.model import FftResponse
from clinic_app.domains.experience.record import FFT_RESPONSE
from clinic_app.domains.experience.rules import Status
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source


def fft_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each response: when it was given, and whether it was withdrawn.

    The answer and the patient's words are not shown: the feedback is about the service, and
    the clinicians treating the patient do not read it against their name.
    """
    rows = session.scalars(
        select(FftResponse).where(
            FftResponse.patient_id == patient_id, FftResponse.deleted.is_(False)
        )
    ).all()
    return [
        TimelineEntry(
            patient_id=patient_id,
            episode_id=row.episode_id,
            when=aware(row.recorded_at or row.created_at),
            kind=FFT_RESPONSE.code,
            description=FFT_RESPONSE.describe(row),
            status=EntryStatus.RECORDED if row.status == Status.RECORDED else EntryStatus.CLOSED,
            record_id=row.id,
            detail="Withdrawn at the patient's wish" if row.status == Status.WITHDRAWN else "",
        )
        for row in rows
    ]


register_source(FFT_RESPONSE.code, fft_entries)
