"""Questionnaire responses: append-only, each scored when recorded."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable, enum_column
from clinic_app.kernel.signed import AppendOnly
from clinic_app.kernel.vocabulary import ResponseMode, Timepoint


class QuestionnaireResponse(AppendOnly, Syncable, Base):
    """One completed (or incomplete) questionnaire, scored when recorded.

    An incomplete response has no total, subscales or group: a partial sum is a wrong total.
    """

    __tablename__ = "questionnaire_response"
    __table_args__ = (
        Index("ix_questionnaire_response_patient_questionnaire", "patient_id", "questionnaire_id"),
        # An episode's first or latest response to a questionnaire at a timepoint (the
        # service's MSK-HQ figures).
        Index(
            "ix_questionnaire_response_episode_questionnaire",
            "episode_id",
            "questionnaire_id",
            "timepoint",
        ),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"))
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None
    )
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    questionnaire_version: Mapped[str] = mapped_column(String(20))
    timepoint: Mapped[Timepoint] = mapped_column(enum_column(Timepoint))
    mode: Mapped[ResponseMode] = mapped_column(enum_column(ResponseMode))
    answers: Mapped[dict[str, int | None]] = mapped_column(JSON, default=dict)
    complete: Mapped[bool] = mapped_column(default=False)
    total: Mapped[int | None] = mapped_column(Integer, default=None)
    subscales: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    score_group: Mapped[str | None] = mapped_column(String(40), default=None)
    #: Indexed: the service's figures read a month of responses by when they were recorded.
    recorded_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
