"""Referrals into the service and the episodes of care they open."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_app.kernel.base import Base, Syncable, enum_column
from clinic_app.kernel.signed import AppendOnly
from clinic_app.kernel.vocabulary import EpisodeStatus, ReferralPriority, ReferralStatus
from clinic_app.people.model import Patient


class Referral(Syncable, Base):
    """A request for the service to see a patient, from a GP, the patient or a professional."""

    __tablename__ = "referral"
    __table_args__ = (
        Index("ix_referral_status_received_on", "status", "received_on"),
        # The service's figures read a month of referrals by the day received.
        Index("ix_referral_received_on", "received_on"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    source: Mapped[str] = mapped_column(String(30))
    received_on: Mapped[date]
    referrer_name: Mapped[str] = mapped_column(String(200))
    referrer_organisation: Mapped[str | None] = mapped_column(String(200), default=None)
    reason: Mapped[str] = mapped_column(Text)
    specialty: Mapped[str] = mapped_column(String(30))
    priority: Mapped[ReferralPriority] = mapped_column(
        enum_column(ReferralPriority), default=ReferralPriority.ROUTINE
    )
    status: Mapped[ReferralStatus] = mapped_column(
        enum_column(ReferralStatus), default=ReferralStatus.RECEIVED
    )

    patient: Mapped[Patient] = relationship(lazy="raise")


class EpisodeOfCare(Syncable, Base):
    """One spell of care for one problem, from first contact to discharge."""

    __tablename__ = "episode_of_care"
    # The service's figures read a month of episodes by the day they started or ended.
    __table_args__ = (
        Index("ix_episode_of_care_started_on", "started_on"),
        Index("ix_episode_of_care_ended_on", "ended_on"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    referral_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("referral.id"), default=None, index=True
    )
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"), default=None)
    lead_clinician_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    pathway: Mapped[str | None] = mapped_column(String(30), default=None)
    started_on: Mapped[date]
    ended_on: Mapped[date | None] = mapped_column(default=None)
    status: Mapped[EpisodeStatus] = mapped_column(
        enum_column(EpisodeStatus), default=EpisodeStatus.OPEN
    )
    end_reason: Mapped[str | None] = mapped_column(Text, default=None)


class EpisodeChange(AppendOnly, Syncable, Base):
    """An episode closed (discharged) or reopened, with the reason given; never changed.

    The episode row holds where it stands now; these rows keep every close and reopen, so a
    reopened episode still shows when and why it was closed before.
    """

    __tablename__ = "episode_change"

    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episode_of_care.id"), index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    #: ``closed`` or ``reopened`` (an ``EpisodeStatus`` move).
    change: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[date]
    changed_at: Mapped[datetime]
    changed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
