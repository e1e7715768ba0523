"""The letter record: assembled from the signed record, edited, signed, then never changed.

A letter keeps its own words: the sections it was assembled with, as the clinician edited
them. Editing a letter changes only the letter, never the records it quotes.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable
from clinic_app.kernel.signed import Signable
from clinic_app.kernel.vocabulary import RecordStatus

#: The columns covered by the seal, as ``content`` gives them (in this order).
CONTENT_COLUMNS: tuple[str, ...] = (
    "kind",
    "episode_id",
    "onward_decision_id",
    "recipient",
    "sections",
    "cited_reports",
    "no_gp_practice",
    "large_print",
    "assembled_on",
)


class LetterRecord(Signable, Syncable, Base):
    """One letter about one patient (and one episode of theirs).

    ``sections`` is the letter as it reads: ``[{"key", "title", "text", "mandatory"}]`` in
    order. ``cited_reports`` names the scan report versions it quotes, checked again at
    signing. ``onward_decision_id`` names the triage decision an onward-referral letter or
    its GP notice is about.
    """

    __tablename__ = "letter_record"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    onward_decision_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("triage_decision.id"), default=None, index=True
    )
    #: The clinic the letter is written from, kept when it is drafted: its heading and the
    #: number its words give to ring stay that clinic's, whoever prints it and whenever.
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"), default=None)
    kind: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(24), default=RecordStatus.DRAFT.value)
    recipient: Mapped[str] = mapped_column(Text, default="")
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cited_reports: Mapped[list[str]] = mapped_column(JSON, default=list)
    no_gp_practice: Mapped[bool] = mapped_column(Boolean, default=False)
    large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    assembled_on: Mapped[date | None] = mapped_column(default=None)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    attestation: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def content(self) -> dict[str, Any]:
        """Everything the seal covers, as plain JSON values (ids and dates as text)."""
        values: dict[str, Any] = {}
        for name in CONTENT_COLUMNS:
            value = getattr(self, name)
            values[name] = str(value) if isinstance(value, uuid.UUID | date) else value
        return values
