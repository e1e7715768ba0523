"""Letters and figures compose across record types through what each record type offers."""

from __future__ import annotations

import uuid
from datetime import timedelta

from clinic_app.container import Services
from clinic_app.domains.assessments.content import working_diagnoses
from clinic_app.figures.compose import figures_for, measures
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.vocabulary import Role
from clinic_app.letters.compose import final_sections_for, sections_for
from clinic_app.records.offers import LetterSection
from tests.core.reports.test_reports import PASSWORD, _content, _study, _user


def _letter(
    services: Services, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None
) -> list[LetterSection]:
    with services.context.store.sessions() as session:
        return sections_for(session, patient_id, episode_id)


def test_a_letter_quotes_a_verified_report_never_a_preliminary_one(services: Services) -> None:
    supervisor = _user(services, "sam", Role.SUPERVISOR)
    trainee = _user(services, "tia", Role.TRAINEE, supervisor="sam")
    clinician = _user(services, "cal", Role.CLINICIAN)
    reports = services.reports
    image = _study(services, trainee)
    assert image.study_id is not None

    verified = reports.start(trainee, image.study_id)
    reports.save(trainee, verified.id, _content(image.id))
    reports.submit(trainee, verified.id)
    verified = reports.verify(
        supervisor, verified.id, PASSWORD, supervision_mode="present", agreement="agree"
    )
    # Opening the study again reads the verified report; a change is an addendum, a new
    # version that waits for review like any trainee's report.
    assert reports.start(trainee, image.study_id).id == verified.id
    waiting = reports.addendum(trainee, verified.id, "Seen again: no change.")
    assert waiting.id != verified.id
    reports.save(
        trainee,
        waiting.id,
        {
            **_content(image.id),
            "impression": "Preliminary words only.",
            "addendum": "Seen again: no change.",
        },
    )
    reports.submit(trainee, waiting.id)
    assert reports.get(trainee, waiting.id).preliminary

    draft = services.assessments.save_draft(
        clinician,
        verified.patient_id,
        {
            "presenting_complaint": "Left knee pain on stairs",
            "diagnosis_code": "knee_osteoarthritis",
            "diagnosis_text": "Medial compartment OA",
        },
    )
    services.assessments.save_draft(
        clinician, verified.patient_id, {"presenting_complaint": "Not yet signed"}
    )
    services.assessments.sign(clinician, draft.id, PASSWORD)

    sections = _letter(services, verified.patient_id)
    assert [(s.record_type, s.source_id, s.final) for s in sections] == [
        ("assessment", draft.id, True),
        ("scan_report", verified.id, True),
    ]
    assessment, report = sections
    label = working_diagnoses().get("knee_osteoarthritis")
    assert label is not None
    assert assessment.text == (
        f"Working diagnosis: {label.label}\nDiagnosis in words: Medial compartment OA"
    )
    assert report.heading.startswith("Scan report: Knee, ")
    assert "Impression: Findings in keeping with medial compartment degeneration." in report.text
    assert "Preliminary words only." not in " ".join(s.text for s in sections)
    assert "Clinical history" not in report.text  # only the sections declared for letters
    with services.context.store.sessions() as session:
        assert final_sections_for(session, verified.patient_id) == sections
    # Records of another episode are left out.
    assert _letter(services, verified.patient_id, uuid.uuid4()) == []

    # The report's final addendum takes the place of the version it adds to.
    assert [s.source_id for s in _letter(services, verified.patient_id)][1] == verified.id
    reports.verify(supervisor, waiting.id, PASSWORD, supervision_mode="present", agreement="agree")
    report = _letter(services, verified.patient_id)[1]
    assert report.source_id == waiting.id
    assert report.text.endswith("Addendum: Seen again: no change.")


def test_figures_count_what_each_record_type_measures(services: Services) -> None:
    clinician = _user(services, "cal", Role.CLINICIAN)
    image = _study(services, clinician)
    assert image.study_id is not None
    report = services.reports.start(clinician, image.study_id)
    services.reports.save(clinician, report.id, _content(image.id))
    services.reports.sign(clinician, report.id, PASSWORD)
    assert {"scan_report.final", "assessment.signed"} <= set(measures())
    now = utcnow()
    with services.context.store.sessions() as session:
        today = figures_for(session, now - timedelta(hours=1), now + timedelta(hours=1))
        before = figures_for(
            session, now - timedelta(days=2), now - timedelta(days=1), ("scan_report.final",)
        )
    assert (today["scan_report.final"], today["assessment.signed"]) == (1.0, 0.0)
    assert before == {"scan_report.final": 0.0}
