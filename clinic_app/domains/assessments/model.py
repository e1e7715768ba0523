"""Clinical assessments (draft, then signed and immutable) and the addenda that follow them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable, enum_column
from clinic_app.kernel.signed import AppendOnly, Signable
from clinic_app.kernel.vocabulary import AssessmentStatus


class Assessment(Signable, Syncable, Base):
    """A structured history and examination of one patient.

    A draft changes freely (it merges field by field in sync); signing stores the SHA-256
    of the canonical content with the signer and the sentence they agreed to, and from then
    on the row never changes.
    """

    __tablename__ = "assessment"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referral.id"), default=None)
    status: Mapped[AssessmentStatus] = mapped_column(
        enum_column(AssessmentStatus), default=AssessmentStatus.DRAFT
    )
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    #: The sentence the signer was shown and agreed to (None for those signed before it was
    #: kept). The seal covers the content only, as it always has: see ``clinic_app.records``.
    attestation: Mapped[str | None] = mapped_column(Text, default=None)


class AssessmentAddendum(AppendOnly, Syncable, Base):
    """A later note on a signed assessment, signed when written and never changed.

    Its digest covers the assessment's digest, so it points at exactly the version it adds to.
    """

    __tablename__ = "assessment_addendum"

    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessment.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime]
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    sha256: Mapped[str] = mapped_column(String(64))
