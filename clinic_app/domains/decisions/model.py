"""The record of a shared decision made with a decision aid, and the link other records keep.

A record names the aid and the version used, the options talked through, what mattered to the
patient, their leaning and their choice (or "undecided"), who took part and who decided. It is
drafted during the conversation, signed by the clinician with the password, and never changed
after: a change of mind is a new record that supersedes the earlier one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable
from clinic_app.kernel.signed import Signable
from clinic_app.kernel.vocabulary import RecordStatus

#: The columns covered by the seal, as ``content`` gives them (in this order).
CONTENT_COLUMNS: tuple[str, ...] = (
    "aid_id",
    "aid_version",
    "options_discussed",
    "discussed_leads_to",
    "ratings",
    "leaning",
    "choice",
    "choice_leads_to",
    "choice_words",
    "questions",
    "participants",
    "interpreter_language",
    "teach_back",
    "decision_maker",
    "supersedes_id",
    "collaborate",
    "sdm_q9",
)


class DecisionRecord(Signable, Syncable, Base):
    """One shared decision-making conversation of one patient, in their episode.

    ``discussed_leads_to`` and ``choice_leads_to`` are taken from the aid when the record is
    saved (which record types the options talked through, and the one chosen, can lead to),
    so a later version of the aid never changes what this record justified.
    """

    __tablename__ = "sdm_records"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(24), default=RecordStatus.DRAFT.value)
    aid_id: Mapped[str] = mapped_column(String(60), default="")
    aid_version: Mapped[str] = mapped_column(String(20), default="")
    options_discussed: Mapped[list[str]] = mapped_column(JSON, default=list)
    discussed_leads_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Matters statement id → the patient's rating 0..10.
    ratings: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    leaning: Mapped[str | None] = mapped_column(String(60), default=None)
    #: An option id, ``"undecided"``, or None while nothing is chosen yet.
    choice: Mapped[str | None] = mapped_column(String(60), default=None)
    choice_leads_to: Mapped[str | None] = mapped_column(String(24), default=None)
    choice_words: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    #: ``[{"role": "carer" | "interpreter" | "family" | "other", "name": "..."}]``.
    participants: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    interpreter_language: Mapped[str | None] = mapped_column(String(60), default=None)
    teach_back: Mapped[bool] = mapped_column(Boolean, default=False)
    decision_maker: Mapped[str | None] = mapped_column(String(30), default=None)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sdm_records.id"), default=None, index=True
    )
    #: CollaboRATE's 3 item scores (0..9, None for an item not answered), or None if not asked.
    collaborate: Mapped[list[int | None] | None] = mapped_column(JSON, default=None)
    #: SDM-Q-9's 9 item scores (0..5, None for an item not answered), or None if not asked.
    sdm_q9: Mapped[list[int | None] | None] = mapped_column(JSON, default=None)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    attestation: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def content(self) -> dict[str, Any]:
        """Everything the seal covers, as plain JSON values (ids as text)."""
        values: dict[str, Any] = {}
        for name in CONTENT_COLUMNS:
            value = getattr(self, name)
            values[name] = str(value) if isinstance(value, uuid.UUID) else value
        return values


class DecisionLinkColumns:
    """The link point for a record a shared decision leads to (mixed in before ``Base``).

    An injection, a shockwave course, a request for imaging or an onward surgical referral
    names the signed SDM record that led to it, or keeps the reason given for going on
    without one (see ``clinic_app.domains.decisions.service.check_decision``).
    """

    #: The SDM record that led to this one, if any.
    sdm_record_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sdm_records.id"), default=None, index=True
    )

    #: Why the clinician went on without an SDM record in the episode (None when one is named).
    sdm_missing_reason: Mapped[str | None] = mapped_column(Text, default=None)
