"""The clinical-record kernel: record types, lifecycles, one seal, and sections as the source."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic_app.container import Services
from clinic_app.domains.assessments.model import Assessment
from clinic_app.domains.assessments.record import ASSESSMENT
from clinic_app.domains.reports.model import ScanReport
from clinic_app.domains.reports.record import SCAN_REPORT
from clinic_app.domains.reports.sr import scan_report_sr
from clinic_app.kernel.errors import Conflict, FormErrors, PermissionDenied
from clinic_app.kernel.vocabulary import RecordStatus, Role
from clinic_app.records.events import RecordAmended, RecordSigned, pending_events
from clinic_app.records.registry import (
    AddendumPolicy,
    SigningPolicy,
    record_type,
    record_type_for_table,
    record_types,
    register,
)
from clinic_app.records.seal import DIGEST_SCHEMES, digest, intact, note_digest, seal
from clinic_app.records.sections import SectionKind
from tests.support.records import TECHNIQUE, scan_report_with

AUTHOR = uuid.UUID("01900000-0000-7000-8000-000000000001")
SIGNER = uuid.UUID("01900000-0000-7000-8000-000000000002")
PREDECESSOR = uuid.UUID("01900000-0000-7000-8000-000000000003")
RECORD = uuid.UUID("01900000-0000-7000-8000-000000000004")
WHEN = datetime(2026, 3, 4, 10, 15, 30, 123456, tzinfo=UTC)
ATTESTATION = "I attest — ünïcode"
REPORT_CONTENT: dict[str, Any] = {
    "history": "Pain after a fall",
    "request": "",
    "findings": "Full-thickness tear, 12 mm",
    "impression": "Supraspinatus tear",
    "recommendations": "Orthopaedic opinion",
    "addendum": "",
    "body_region": "Shoulder",
    "key_images": [],
    "measurements": [{"label": "Gap", "mm": 12.0, "instance_id": str(RECORD), "frame": 0}],
}
ASSESSMENT_CONTENT: dict[str, Any] = {
    "presenting_complaint": "Left knee pain for 3 weeks",
    "pain_now": 4,
    "body_regions": ["knee_l"],
    "medicines": [{"name": "Codeine", "dose": "30 mg", "flags": ["opioid"]}],
    "diagnosis_code": "knee_oa",
    "diagnosis": {"label": "Knee osteoarthritis", "list_version": "1"},
}
# Regression vectors: computed by the services' own sealing code before the kernel existed.
# A stored digest must keep checking for ever, so these never change.
REPORT_ALONE_SHA = "7a20047e59a1cdd149619d45b8189377998e49596ef3aa0d8f0853ee68adb39f"
REPORT_VERIFIED_SHA = "76c875e51a5e97e6da6bf516fb70ae780289c2de9ee4fe57a04bac0e29ad6e6b"
ASSESSMENT_SHA = "c00dec6e834986b10461633484d268286bc74ae0a2c4b2185fb59c4f8b15b5e6"
NOTE_SHA = "f2ca4b89dde16b6bf335f7bf0b050344c4be56165a2939d749b7fc7756804085"
NOTE_BY_SYSTEM_SHA = "0205a919bf9ff0a60ebe15f1d83d1a9a08c925be28314dbb9320318e8f8fbb61"


def _report_row(*, verified: bool) -> SimpleNamespace:
    row = SimpleNamespace(
        content=REPORT_CONTENT,
        author_id=AUTHOR,
        supervisor_words=None,
        supervision_mode=None,
        agreement=None,
        predecessor_id=None,
        signed_at=None,
        signed_by=None,
        attestation=None,
        content_sha256=None,
        status="submitted",
    )
    if verified:
        row.supervisor_words = "I agree; the gap is 12 mm."
        row.supervision_mode = "present"
        row.agreement = "minor"
        row.predecessor_id = PREDECESSOR
    return row


# ---------------------------------------------------------------- the registry


def test_record_types_are_found_by_code_and_by_table() -> None:
    assert record_type("assessment") is ASSESSMENT
    assert record_type("scan_report") is SCAN_REPORT
    assert set(record_types()) >= {"assessment", "scan_report"}
    assert record_type_for_table("scan_report") is SCAN_REPORT
    assert record_type_for_table(Assessment.__tablename__) is ASSESSMENT
    assert record_type_for_table("patient") is None
    assert (SCAN_REPORT.table, ASSESSMENT.table) == (ScanReport, Assessment)
    with pytest.raises(KeyError):
        record_type("no_such_record")


def test_a_code_or_a_table_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(SCAN_REPORT.__class__(**{**vars(SCAN_REPORT), "title": "Other"}))
    with pytest.raises(ValueError, match="already has a record type"):
        register(SCAN_REPORT.__class__(**{**vars(SCAN_REPORT), "code": "other_report"}))
    assert register(SCAN_REPORT) is SCAN_REPORT  # the same declaration twice is harmless


def test_each_record_type_declares_its_policies() -> None:
    assert (ASSESSMENT.signing, ASSESSMENT.addendum) == (SigningPolicy.ALONE, AddendumPolicy.NOTE)
    assert (SCAN_REPORT.signing, SCAN_REPORT.addendum) == (
        SigningPolicy.ALONE_OR_SUPERVISED,
        AddendumPolicy.NEW_VERSION,
    )
    assert (ASSESSMENT.digest_scheme, SCAN_REPORT.digest_scheme) == ("content-v1", "signed-v1")
    assert {ASSESSMENT.digest_scheme, SCAN_REPORT.digest_scheme} <= set(DIGEST_SCHEMES)
    assert set(SCAN_REPORT.attestations) == {"sign", "verify"}
    assert set(ASSESSMENT.attestations) == {"sign"}


def test_sections_are_declared_once_with_what_signing_needs() -> None:
    report = [s.key for s in SCAN_REPORT.text_sections]
    assert report == ["history", "request", "findings", "impression", "recommendations", "addendum"]
    assert [s.key for s in SCAN_REPORT.sections if s.required] == ["findings", "impression"]
    assert SCAN_REPORT.section("history").label == "Clinical history"
    assert SCAN_REPORT.section("key_images").kind is SectionKind.STRUCTURED
    assert [s.key for s in ASSESSMENT.sections if s.required] == ["presenting_complaint"]
    with pytest.raises(KeyError):
        SCAN_REPORT.section("technique")


def test_describe_names_the_kind_status_and_date_only() -> None:
    report = SimpleNamespace(
        status="signed",
        verified_by=SIGNER,
        version=2,
        signed_at=WHEN,
        submitted_at=None,
        created_at=WHEN,
    )
    assert SCAN_REPORT.describe(report) == "Scan report, version 2, verified, 4 March 2026"
    draft = SimpleNamespace(status=RecordStatus.DRAFT, signed_at=None, created_at=WHEN)
    assert ASSESSMENT.describe(draft) == "Assessment, draft, 4 March 2026"


# ---------------------------------------------------------------- the lifecycle


def test_the_lifecycles_as_tables() -> None:
    assert dict(ASSESSMENT.lifecycle.transitions) == {("draft", "sign"): "signed"}
    assert dict(SCAN_REPORT.lifecycle.transitions) == {
        ("draft", "sign"): "signed",
        ("returned", "sign"): "signed",
        ("draft", "submit"): "submitted",
        ("returned", "submit"): "submitted",
        ("submitted", "return"): "returned",
        ("submitted", "verify"): "signed",
    }
    assert SCAN_REPORT.lifecycle.statuses == frozenset(RecordStatus)
    assert ASSESSMENT.lifecycle.allowed(RecordStatus.SIGNED) == ("amend",)


DENIED, CONFLICT = PermissionDenied, Conflict
#: step, status, role, (actor, reviewer), refused with.
REFUSED: list[tuple[str, str, Role, tuple[uuid.UUID, uuid.UUID | None], tuple[type, str]]] = [
    # A trainee never signs a report alone: the role has no report.sign.
    ("sign", "draft", Role.TRAINEE, (AUTHOR, None), (DENIED, "permission.denied")),
    ("sign", "draft", Role.SONOGRAPHER, (SIGNER, None), (DENIED, "report.not_author")),
    ("sign", "submitted", Role.SONOGRAPHER, (AUTHOR, None), (CONFLICT, "report.not_editable")),
    # Authorship is checked before the status for the author's own steps.
    ("edit", "signed", Role.CLINICIAN, (SIGNER, None), (DENIED, "report.not_author")),
    ("submit", "signed", Role.TRAINEE, (AUTHOR, None), (CONFLICT, "report.not_editable")),
    # The verifier is never the author, even when named, and must be the named one.
    ("verify", "submitted", Role.SUPERVISOR, (AUTHOR, AUTHOR), (DENIED, "report.own_report")),
    (
        "verify",
        "submitted",
        Role.SUPERVISOR,
        (SIGNER, RECORD),
        (DENIED, "report.not_named_supervisor"),
    ),
    ("verify", "submitted", Role.CLINICIAN, (SIGNER, SIGNER), (DENIED, "permission.denied")),
    ("verify", "draft", Role.SUPERVISOR, (SIGNER, SIGNER), (CONFLICT, "report.not_submitted")),
    ("return", "returned", Role.SUPERVISOR, (SIGNER, SIGNER), (CONFLICT, "report.not_submitted")),
    ("amend", "draft", Role.CLINICIAN, (AUTHOR, None), (CONFLICT, "report.not_signed")),
]


@pytest.mark.parametrize(("step", "status", "role", "who", "refusal"), REFUSED)
def test_scan_report_steps_refused_with_the_services_codes(
    step: str,
    status: str,
    role: Role,
    who: tuple[uuid.UUID, uuid.UUID | None],
    refusal: tuple[type[Exception], str],
) -> None:
    error, code = refusal
    with pytest.raises(error) as refused:
        SCAN_REPORT.lifecycle.check(
            step, status=status, role=role, actor=who[0], author=AUTHOR, reviewer=who[1]
        )
    assert getattr(refused.value, "code", None) == code


@pytest.mark.parametrize(
    ("step", "status", "role", "actor", "target"),
    [
        ("sign", "draft", Role.SONOGRAPHER, AUTHOR, RecordStatus.SIGNED),
        ("sign", "returned", Role.CLINICIAN, AUTHOR, RecordStatus.SIGNED),
        ("submit", "draft", Role.TRAINEE, AUTHOR, RecordStatus.SUBMITTED),
        ("submit", "returned", Role.TRAINEE, AUTHOR, RecordStatus.SUBMITTED),
        ("verify", "submitted", Role.SUPERVISOR, SIGNER, RecordStatus.SIGNED),
        ("return", "submitted", Role.SUPERVISOR, SIGNER, RecordStatus.RETURNED),
        ("edit", "returned", Role.TRAINEE, AUTHOR, None),
        ("amend", "signed", Role.TRAINEE, SIGNER, None),
    ],
)
def test_scan_report_steps_allowed(
    step: str, status: str, role: Role, actor: uuid.UUID, target: RecordStatus | None
) -> None:
    taken = SCAN_REPORT.lifecycle.check(
        step, status=status, role=role, actor=actor, author=AUTHOR, reviewer=SIGNER
    )
    assert taken.target == target


def test_assessment_steps_with_the_services_codes() -> None:
    check = ASSESSMENT.lifecycle.check
    # A trainee signs their own assessment; the status is checked before authorship.
    assert check("sign", status="draft", role=Role.TRAINEE, actor=AUTHOR, author=AUTHOR).target
    for step, status, actor, error, code in (
        ("sign", "signed", SIGNER, Conflict, "assessment.signed"),
        ("edit", "signed", AUTHOR, Conflict, "assessment.signed"),
        ("edit", "draft", SIGNER, PermissionDenied, "assessment.not_author"),
        ("amend", "draft", AUTHOR, Conflict, "assessment.not_signed"),
    ):
        with pytest.raises(error) as refused:
            check(step, status=status, role=Role.CLINICIAN, actor=actor, author=AUTHOR)
        assert getattr(refused.value, "code", None) == code
    with pytest.raises(PermissionDenied) as denied:
        check("sign", status="draft", role=Role.ADMIN, actor=AUTHOR, author=AUTHOR)
    assert denied.value.code == "permission.denied"
    assert check("amend", status="signed", role=Role.TRAINEE, actor=SIGNER, author=AUTHOR)


# ---------------------------------------------------------------- one seal, stored digests


def test_report_digests_are_unchanged_for_known_inputs() -> None:
    for verified, expected in ((False, REPORT_ALONE_SHA), (True, REPORT_VERIFIED_SHA)):
        row = _report_row(verified=verified)
        seal(
            SCAN_REPORT,
            row,
            session=None,
            signer=SIGNER if verified else AUTHOR,
            attestation=ATTESTATION,
            when=WHEN,
        )
        assert (row.status, row.signed_at, row.attestation) == (
            "signed",
            WHEN.replace(microsecond=0),
            ATTESTATION,
        )
        assert row.content_sha256 == expected
        assert intact(SCAN_REPORT, row)
        row.supervisor_words = "Changed behind the app's back"
        assert not intact(SCAN_REPORT, row)


def test_assessment_digest_is_content_only_and_unchanged() -> None:
    row = SimpleNamespace(
        content=ASSESSMENT_CONTENT,
        status=RecordStatus.DRAFT,
        signed_at=None,
        signed_by=None,
        attestation=None,
        content_sha256=None,
    )
    seal(ASSESSMENT, row, session=None, signer=SIGNER, attestation="I attest", when=WHEN)
    assert row.content_sha256 == ASSESSMENT_SHA
    assert (row.status, row.signed_by, row.attestation) == (RecordStatus.SIGNED, SIGNER, "I attest")
    # An assessment signed before attestations were kept still checks.
    old = SimpleNamespace(
        **{**vars(row), "attestation": None, "signed_at": datetime(2024, 1, 1, tzinfo=UTC)}
    )
    assert intact(ASSESSMENT, old)
    assert digest(ASSESSMENT, old) == ASSESSMENT_SHA
    old.content = {**ASSESSMENT_CONTENT, "pain_now": 5}
    assert not intact(ASSESSMENT, old)


def test_note_addendum_digest_is_unchanged() -> None:
    when = datetime(2026, 3, 5, 9, 0, 0, tzinfo=UTC)
    assert note_digest(RECORD, ASSESSMENT_SHA, "Seen again: better", when, SIGNER) == NOTE_SHA
    assert note_digest(RECORD, ASSESSMENT_SHA, "x", when, None) == NOTE_BY_SYSTEM_SHA


def test_seal_refuses_empty_required_sections_with_the_type_code() -> None:
    row = _report_row(verified=False)
    row.content = {**REPORT_CONTENT, "impression": ""}
    with pytest.raises(FormErrors) as caught:
        seal(SCAN_REPORT, row, session=None, signer=AUTHOR, attestation=ATTESTATION, when=WHEN)
    assert [(e.code, e.field) for e in caught.value.errors] == [("report.required", "impression")]
    assert row.status == "submitted"
    empty = SimpleNamespace(content={}, status=RecordStatus.DRAFT)
    with pytest.raises(FormErrors) as missing:
        seal(ASSESSMENT, empty, session=None, signer=AUTHOR, attestation=None)
    assert [e.code for e in missing.value.errors] == ["assessment.required_to_sign"]


def test_sealing_in_a_session_raises_signed_and_amended_for_its_handlers() -> None:
    row = _report_row(verified=True)
    row.id, row.patient_id, row.episode_id = RECORD, AUTHOR, None
    with Session() as session:
        seal(
            SCAN_REPORT,
            row,
            session=session,
            signer=SIGNER,
            attestation=ATTESTATION,
            when=WHEN,
            step="verify",
        )
        assert pending_events(session) == (
            RecordSigned("scan_report", RECORD, AUTHOR, None, SIGNER, step="verify"),
            RecordAmended("scan_report", PREDECESSOR, AUTHOR, None, SIGNER, addition_id=RECORD),
        )
    assert row.content_sha256 == REPORT_VERIFIED_SHA


# ---------------------------------------------------------------- both services, one path


def test_both_services_seal_through_the_kernel_and_read_back_intact(services: Services) -> None:
    from tests.core.reports.test_reports import PASSWORD, _content, _study, _user

    clinician = _user(services, "cal", Role.CLINICIAN)
    image = _study(services, clinician)
    reports = services.reports
    report = reports.start(clinician, image.study_id)  # type: ignore[arg-type]
    reports.save(clinician, report.id, _content(image.id))
    signed = reports.sign(clinician, report.id, PASSWORD)
    assert (signed.status, signed.intact) == ("signed", True)
    # Read back from the store in a new session: the seal still checks.
    assert reports.get(clinician, report.id).intact
    with services.context.store.engine.begin() as conn:
        conn.execute(
            text("UPDATE scan_report SET supervisor_words = 'added later' WHERE id = :i"),
            {"i": report.id.hex},
        )
    assert reports.get(clinician, report.id).intact is False

    assessments = services.assessments
    draft = assessments.save_draft(
        clinician, signed.patient_id, {"presenting_complaint": "Knee pain"}
    )
    assert draft.attestation is None
    sealed = assessments.sign(clinician, draft.id, PASSWORD)
    assert sealed.attestation == ASSESSMENT.attestations["sign"]
    assert sealed.attestation == assessments.attestation_for(clinician)
    assert sealed.content_sha256 == digest(
        ASSESSMENT, SimpleNamespace(content=dict(sealed.content))
    )
    again = assessments.get(clinician, draft.id)
    assert (again.intact, again.attestation) == (True, sealed.attestation)


# ---------------------------------------------------------------- sections drive the outputs


def test_a_section_added_to_the_record_type_is_printed_in_its_place(tmp_path: Path) -> None:
    from clinic_app.domains.reports.pdf import scan_report_pdf
    from tests.integration.reports.test_report_documents import DETAILS, VERIFIED, _flat, _pages

    report = dataclasses.replace(
        VERIFIED, content={**VERIFIED.content, "technique": "Linear probe, 12 MHz, knee preset"}
    )
    with scan_report_with(TECHNIQUE, after="request"):
        printed = _flat(" ".join(_pages(scan_report_pdf(report, DETAILS), tmp_path)))
        blank = _flat(" ".join(_pages(scan_report_pdf(VERIFIED, DETAILS), tmp_path)))
    assert "Technique Linear probe, 12 MHz, knee preset Findings" in printed
    assert "Technique Not recorded. Findings" in blank
    # Without the section, the same content prints as before: nothing of it shows.
    before = _flat(" ".join(_pages(scan_report_pdf(report, DETAILS), tmp_path)))
    assert "Technique" not in before
    assert "Clinical history" in before


def test_a_section_added_to_the_record_type_is_coded_in_the_sr() -> None:
    from tests.core.reports.test_dicom_report import _draft

    def headings(texts: dict[str, str]) -> list[str]:
        sr = scan_report_sr(_draft(**texts))
        return [item.ConceptNameCodeSequence[0].CodeValue for item in sr.ContentSequence[6:]]

    with scan_report_with(TECHNIQUE, after="request"):
        report = _draft()
        sr = scan_report_sr(
            dataclasses.replace(report, texts={**report.texts, "technique": "Linear, 12 MHz"})
        )
        coded = [item.ConceptNameCodeSequence[0].CodeValue for item in sr.ContentSequence[6:]]
        technique = sr.ContentSequence[6 + coded.index("55111-9")]
        assert technique.ContentSequence[0].TextValue == "Linear, 12 MHz"
        assert coded == ["11329-0", "55115-0", "55111-9", "59776-5", "19005-8", "18783-1"]
        assert "55111-9" not in headings({})  # an empty section is left out of the SR
    assert headings({}) == ["11329-0", "55115-0", "59776-5", "19005-8", "18783-1"]


def test_a_required_section_is_missing_only_when_nothing_is_in_it() -> None:
    from clinic_app.records.sections import Section, SectionKind, missing_sections

    sections = [
        Section(key, key.title(), SectionKind.STRUCTURED, required=True)
        for key in ("pain", "guided", "notes", "drugs", "blank", "absent", "outcome")
    ]
    content = {
        "pain": 0,  # no pain is an answer
        "guided": False,  # not guided is an answer
        "notes": "  \n ",
        "drugs": [],
        "blank": "",
        "outcome": {},
    }
    assert missing_sections(sections, content) == ("notes", "drugs", "blank", "absent", "outcome")
    assert missing_sections(
        sections, {k: "x" for k in ("notes", "drugs", "blank", "absent", "outcome")}
    ) == (
        "pain",
        "guided",
    )
