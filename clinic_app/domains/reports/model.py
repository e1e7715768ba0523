"""Scan reports: written by who scanned, signed alone or verified by a named supervisor.

A report row is one version. Its content changes only while it is a draft, or after a
supervisor returns it; once ``status`` is ``signed`` (signed alone, or verified) it never
changes again, and a later change is an addendum: a new row whose ``predecessor_id`` names
the version it adds to. Each review (returned with feedback, or verified) is its own
append-only row, so a trainee's logbook can count them; so is the SR and KOS a final
version is kept as.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable
from clinic_app.kernel.signed import AppendOnly, Signable


class ScanReport(Signable, Syncable, Base):
    """One version of the report of one imaging study."""

    __tablename__ = "scan_report"

    study_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("imaging_study.id"), index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    #: The episode of care it belongs to: its study's, else the one open when it was started;
    #: every later version keeps it.
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    author_id: Mapped[uuid.UUID]
    #: ``draft``, ``submitted`` (waiting for the supervisor), ``returned`` (with feedback),
    #: or ``signed`` (final: signed alone, or verified by the supervisor).
    status: Mapped[str] = mapped_column(String(10), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    predecessor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("scan_report.id"), default=None
    )
    #: history, request, findings, impression, recommendations, addendum, body_region,
    #: key_images (image instance ids) and measurements ({label, mm, instance_id, frame}).
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The supervisor a trainee's report was submitted to (named, never "any supervisor").
    supervisor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The supervisor's own words added when verifying, kept apart from the trainee's.
    supervisor_words: Mapped[str | None] = mapped_column(Text, default=None)
    #: ``present``, ``remote_live`` or ``retrospective`` (how the supervisor supervised).
    supervision_mode: Mapped[str | None] = mapped_column(String(16), default=None)
    #: ``agree``, ``minor`` or ``major`` (discordance), recorded by the supervisor.
    agreement: Mapped[str | None] = mapped_column(String(8), default=None)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    #: Set when the supervisor verified a trainee's report (then ``signed_by`` is them too).
    verified_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    #: The sentence the signer was shown and agreed to.
    attestation: Mapped[str | None] = mapped_column(Text, default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)


class ScanReportDicom(AppendOnly, Syncable, Base):
    """A final version kept as DICOM: its SR, and a Key Object Selection of its key images.

    Made in the transaction that signs or verifies the version, once it is sealed, and kept
    apart from it, so the signed row itself is never written again.
    """

    __tablename__ = "scan_report_dicom"

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scan_report.id"), unique=True)
    #: The image instances (of the report's study) holding the SR and the KOS.
    sr_instance_id: Mapped[uuid.UUID]
    kos_instance_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class ScanReportReview(AppendOnly, Syncable, Base):
    """A supervisor's review of a submitted report: returned with feedback, or verified."""

    __tablename__ = "scan_report_review"

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scan_report.id"), index=True)
    reviewer_id: Mapped[uuid.UUID]
    trainee_id: Mapped[uuid.UUID] = mapped_column(index=True)
    #: ``returned`` or ``verified``.
    outcome: Mapped[str] = mapped_column(String(10))
    feedback: Mapped[str] = mapped_column(Text, default="")
    supervision_mode: Mapped[str | None] = mapped_column(String(16), default=None)
    agreement: Mapped[str | None] = mapped_column(String(8), default=None)
    reviewed_at: Mapped[datetime]
