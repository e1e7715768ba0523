"""The clinical-record kernel: record types, their sections, lifecycle, seal and addenda.

Importing the package registers the record types declared so far (assessment, scan report).
"""

from __future__ import annotations

from clinic_app.clinical.sections import (
    Concept,
    Section,
    SectionKind,
    missing_sections,
    require_sections,
    text_sections,
)
from clinic_app.clinical.vocabulary import RecordStatus
from clinic_app.records.assessment import ASSESSMENT
from clinic_app.records.attestation import attestation
from clinic_app.records.lifecycle import Check, Lifecycle, Step
from clinic_app.records.registry import (
    AddendumPolicy,
    RecordType,
    SigningPolicy,
    record_type,
    record_type_for_table,
    record_types,
    register,
)
from clinic_app.records.scan_report import SCAN_REPORT
from clinic_app.records.seal import (
    DIGEST_SCHEMES,
    NOTE_SCHEME,
    digest,
    intact,
    note_digest,
    seal,
    signing_time,
)

__all__ = [
    "ASSESSMENT",
    "DIGEST_SCHEMES",
    "NOTE_SCHEME",
    "SCAN_REPORT",
    "AddendumPolicy",
    "Check",
    "Concept",
    "Lifecycle",
    "RecordStatus",
    "RecordType",
    "Section",
    "SectionKind",
    "SigningPolicy",
    "Step",
    "attestation",
    "digest",
    "intact",
    "missing_sections",
    "note_digest",
    "record_type",
    "record_type_for_table",
    "record_types",
    "register",
    "require_sections",
    "seal",
    "signing_time",
    "text_sections",
]
