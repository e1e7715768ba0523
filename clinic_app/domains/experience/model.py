"""One Friends and Family Test response, answered by the patient on the clinic's device."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.domains.experience.rules import AnsweredBy, Status
from clinic_app.kernel.base import Base, Syncable


class FftResponse(Syncable, Base):
    """The answer to "Overall, how was your experience of our service?" and any words added.

    Written once, when the patient hands the device back. Only its status changes after:
    withdrawn when the patient asks, kept but no longer counted. ``recorded_by`` is the
    clinician who handed the device over (and is named for the service's own figures).
    """

    __tablename__ = "fft_response"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(24), default=Status.RECORDED.value)
    #: The question's version (the year of the guidance it follows), e.g. "2020".
    question_version: Mapped[str] = mapped_column(String(20), default="")
    #: One of the question's answer codes (``very_good`` ... ``dont_know``).
    answer: Mapped[str] = mapped_column(String(24), default="")
    #: The patient's own words, "" when none: free text, never exported.
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(24), default=AnsweredBy.PATIENT.value)
    recorded_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
