"""The shockwave audit counted on a seeded set: per indication, for the lead and a clinician."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from clinic_app.demo import demo_password
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.shockwave.figures import MeanChange, QuestionnaireChange
from clinic_app.domains.shockwave.model import EswtCourse
from clinic_app.kernel.errors import PermissionDenied
from clinic_app.kernel.session import Actor
from clinic_app.kernel.vocabulary import RecordStatus, ResponseMode, Timepoint
from tests.core.injections.audit_seed import patient_identifiers
from tests.core.shockwave.audit_seed import QUESTIONNAIRE, seed_courses
from tests.core.shockwave.conftest import Clinic


def _months() -> tuple[date, date]:
    today = datetime.now(UTC).date()
    return (today.replace(day=1) - timedelta(days=330)).replace(day=1), today


def test_the_service_lead_sees_each_indication_and_clinician(clinic: Clinic) -> None:
    seed_courses(clinic.services, clinic.clinician, clinic.colleague, clinic.patient)

    audit = clinic.services.shockwave.audit(clinic.lead, *_months())

    assert audit.everyone
    heel, elbow = audit.overall.indications
    assert (heel.indication, heel.title, heel.closed) == (
        "plantar_fasciitis",
        "Refractory plantar fasciitis",
        3,
    )
    assert heel.pain == MeanChange(-3.5, 2)
    assert heel.questionnaires == (QuestionnaireChange(QUESTIONNAIRE, MeanChange(-18, 1)),)
    assert (elbow.indication, elbow.closed, elbow.pain) == ("lateral_elbow", 1, MeanChange(0, 1))
    assert elbow.questionnaires == ()
    assert audit.overall.closed == 4
    by_name = {row.name: row for row in audit.clinicians}
    theirs = by_name["Dr Helen Marsh (POCUS Supervisor)"]
    (only,) = theirs.indications
    assert (only.closed, only.pain) == (1, MeanChange(None, 0))
    assert by_name["Priya Shah (Advanced Physiotherapist)"].closed == 3


def test_a_clinician_sees_only_their_own(clinic: Clinic) -> None:
    seed_courses(clinic.services, clinic.clinician, clinic.colleague, clinic.patient)

    audit = clinic.services.shockwave.audit(clinic.clinician, *_months())

    assert not audit.everyone
    assert audit.clinicians == ()
    heel, elbow = audit.overall.indications
    assert (heel.closed, heel.pain) == (2, MeanChange(-3.5, 2))
    assert elbow.closed == 1
    assert audit.overall.name == clinic.clinician.display_name


def test_a_course_closed_long_ago_counts_in_its_own_month(clinic: Clinic) -> None:
    seed_courses(clinic.services, clinic.clinician, clinic.colleague, clinic.patient)
    long_ago = datetime.now(UTC).date() - timedelta(days=430)

    audit = clinic.services.shockwave.audit(clinic.lead, long_ago, long_ago)

    (achilles,) = audit.overall.indications
    assert (achilles.indication, achilles.closed, achilles.pain) == (
        "achilles_tendinopathy",
        1,
        MeanChange(-8, 1),
    )


def test_no_patient_is_in_the_figures(clinic: Clinic) -> None:
    seed_courses(clinic.services, clinic.clinician, clinic.colleague, clinic.patient)

    shown = repr(clinic.services.shockwave.audit(clinic.lead, *_months()))

    for identifier in patient_identifiers(clinic.services, clinic.patient):
        assert identifier not in shown


def test_someone_who_neither_leads_nor_gives_shockwave_is_refused(clinic: Clinic) -> None:
    trainee = clinic.services.auth.login("trainee", demo_password("trainee"))
    with pytest.raises(PermissionDenied):
        clinic.services.shockwave.audit(trainee, date.today(), date.today())


def test_a_course_naming_another_patients_answers_counts_none_of_them(clinic: Clinic) -> None:
    """A store altered outside the app (or a forged push) cannot move a course's scores."""
    now = datetime.now(UTC)
    services = clinic.services
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id, user_id=clinic.clinician.id)
        theirs = []
        for total in (40, 10):
            row = QuestionnaireResponse(
                patient_id=clinic.other,
                questionnaire_id=QUESTIONNAIRE,
                questionnaire_version="1",
                timepoint=Timepoint.BASELINE,
                mode=ResponseMode.CLINICIAN,
                complete=True,
                total=total,
            )
            session.add(row)
            session.flush()
            theirs.append(str(row.id))
        session.add(
            EswtCourse(
                patient_id=clinic.patient,
                status=RecordStatus.SIGNED.value,
                signed_at=now,
                signed_by=clinic.clinician.id,
                created_by=clinic.clinician.id,
                indication="plantar_fasciitis",
                side="left",
                planned_sessions=3,
                outcome_before={"pain_nrs": 8, "responses": [theirs[0]]},
                outcome_after={"pain_nrs": 2, "responses": [theirs[1]]},
                sdm_missing_reason="Decided before aids were used.",
            )
        )

    (heel,) = services.shockwave.audit(clinic.lead, *_months()).overall.indications
    assert heel.pain == MeanChange(-6, 1)
    assert heel.questionnaires == ()
