"""Red-flag screenings and their resolutions: append-only."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.domains.red_flags.rules import Level
from clinic_app.kernel.base import Base, Syncable, enum_column
from clinic_app.kernel.signed import AppendOnly


class RedFlagScreening(AppendOnly, Syncable, Base):
    """One red-flag screen as answered, with the result shown to the clinician.

    The result is stored as it was evaluated, so a later version of the screen never
    changes what was shown, nor which actions resolve it.
    """

    __tablename__ = "red_flag_screening"
    __table_args__ = (
        Index("ix_red_flag_screening_patient_needs_action", "patient_id", "needs_action"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"))
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None
    )
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assessment.id"), default=None
    )
    screen_id: Mapped[str] = mapped_column(String(40))
    screen_version: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    patient_age: Mapped[int | None] = mapped_column(Integer, default=None)
    level: Mapped[Level] = mapped_column(enum_column(Level), default=Level.INCOMPLETE)
    fired_rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs_action: Mapped[bool] = mapped_column(default=False)
    accepted_actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_at: Mapped[datetime | None] = mapped_column(default=None)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)


class RedFlagResolution(AppendOnly, Syncable, Base):
    """The action recorded for a positive screen (or a clinician's reasoned override)."""

    __tablename__ = "red_flag_resolution"

    screening_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("red_flag_screening.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    recorded_at: Mapped[datetime | None] = mapped_column(default=None)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)


class RedFlagAction(Syncable, Base):
    """The action taken for a red-flag outcome, with the details its kind asks for.

    It names its patient as well as its screening, so a row can be checked against the
    patient it is shown for. Mutable only to be marked done (and to tie its alert); the
    details are written once.
    """

    __tablename__ = "red_flag_action"
    __table_args__ = (Index("ix_red_flag_action_patient_status", "patient_id", "status"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"))
    screening_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("red_flag_screening.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="outstanding")
    alert_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patient_alert.id"), default=None)
    recorded_at: Mapped[datetime | None] = mapped_column(default=None)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    done_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    done_note: Mapped[str | None] = mapped_column(Text, default=None)
