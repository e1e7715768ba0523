"""Triage decisions: what the service decided to do with a referral, by whom and when."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable, enum_column
from clinic_app.kernel.signed import AppendOnly
from clinic_app.kernel.vocabulary import ReferralPriority


class TriageDecision(AppendOnly, Syncable, Base):
    """One triage of one referral. Never changed: a second look is a new decision.

    No unique key on the referral: two devices may triage the same referral while apart,
    and both decisions must reach the server for a person to see, not fail to sync.
    """

    __tablename__ = "triage_decision"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral.id"), index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    pathway: Mapped[str | None] = mapped_column(String(30), default=None)
    tier: Mapped[str | None] = mapped_column(String(10), default=None)
    priority: Mapped[ReferralPriority] = mapped_column(enum_column(ReferralPriority))
    with_diagnostics: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    advice: Mapped[str | None] = mapped_column(Text, default=None)
    #: Indexed: the service's figures read a month of onward referrals by when decided.
    decided_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
