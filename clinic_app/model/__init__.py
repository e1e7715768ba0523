"""SQLAlchemy 2.0 typed entities: one schema for SQLite on the device and PostgreSQL centrally."""

from __future__ import annotations

from clinic_app.domains.assessments.model import Assessment, AssessmentAddendum
from clinic_app.domains.imaging.model import ImageInstance, ImageMarks, ImagingStudy, PacsSend
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.red_flags.model import RedFlagResolution, RedFlagScreening
from clinic_app.domains.reports.model import ScanReport, ScanReportReview
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.model.attachments import Attachment, AttachmentChunk
from clinic_app.model.audit import AuditEntry
from clinic_app.model.base import Base, Syncable, utcnow
from clinic_app.model.ids import uuid7
from clinic_app.model.local import Draft, LoginThrottle, StoreMeta
from clinic_app.model.outbox import OutboxEntry
from clinic_app.model.settings import ServiceSetting, setting_id
from clinic_app.model.signed import AppendOnly, Signable
from clinic_app.model.sync import (
    SyncChange,
    SyncConflict,
    SyncCounter,
    SyncDevice,
    SyncFieldVersions,
    SyncIssue,
    SyncPushReceipt,
    SyncRowState,
    SyncUserLogin,
)
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.people.model import GpPractice, Patient, PatientAlert, Site, User

__all__ = [
    "AppendOnly",
    "Assessment",
    "AssessmentAddendum",
    "Attachment",
    "AttachmentChunk",
    "AuditEntry",
    "Base",
    "Draft",
    "EpisodeOfCare",
    "GpPractice",
    "ImageInstance",
    "ImageMarks",
    "ImagingStudy",
    "LoginThrottle",
    "OutboxEntry",
    "PacsSend",
    "Patient",
    "PatientAlert",
    "QuestionnaireResponse",
    "RedFlagResolution",
    "RedFlagScreening",
    "Referral",
    "ScanReport",
    "ScanReportReview",
    "ServiceSetting",
    "Signable",
    "Site",
    "StoreMeta",
    "SyncChange",
    "SyncConflict",
    "SyncCounter",
    "SyncDevice",
    "SyncFieldVersions",
    "SyncIssue",
    "SyncPushReceipt",
    "SyncRowState",
    "SyncUserLogin",
    "Syncable",
    "TriageDecision",
    "User",
    "setting_id",
    "utcnow",
    "uuid7",
]
