"""One screening per visit: each shared question asked once, every screen recorded at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from clinic_app.container import Services
from clinic_app.domains.red_flags import service as red_flag_service
from clinic_app.domains.red_flags.content import red_flag_screen, screening_for
from clinic_app.domains.red_flags.model import RedFlagScreening
from clinic_app.domains.red_flags.rules import Answer, Level, evaluate
from clinic_app.domains.red_flags.service import RedFlagService
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import NotFound, ValidationError
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.demographics import age_on
from clinic_app.people.views import PatientInput

PASSWORD = "correct horse battery"
BORN = date(1958, 7, 4)
BACK = ("lumbar_spine", "leg")


@dataclass
class Clinic:
    services: Services
    clinician: CurrentUser
    ada: uuid.UUID
    bea: uuid.UUID


def _patient(services: Services, nhs: str, given: str) -> uuid.UUID:
    return services.patients.register(
        SYSTEM,
        PatientInput(
            given_name=given,
            family_name="Ashworth",
            date_of_birth=BORN.isoformat(),
            sex="2",
            nhs_number=nhs,
        ),
    ).id


@pytest.fixture
def clinic(services: Services) -> Clinic:
    services.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    return Clinic(
        services=services,
        clinician=services.auth.login("physio", PASSWORD),
        ada=_patient(services, "9990000018", "Ada"),
        bea=_patient(services, "9990000026", "Bea"),
    )


def _rows(services: Services, patient_id: uuid.UUID) -> list[RedFlagScreening]:
    with services.context.store.sessions.begin() as session:
        return list(
            session.scalars(
                select(RedFlagScreening)
                .where(RedFlagScreening.patient_id == patient_id)
                .order_by(RedFlagScreening.screen_id)
            )
        )


def _count(services: Services) -> int:
    with services.context.store.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(RedFlagScreening)) or 0


def _back_screens(clinic: Clinic) -> tuple[str, ...]:
    visit = clinic.services.red_flags.open_screening(clinic.clinician, clinic.ada, BACK)
    return visit.suggested


def test_a_back_pain_screening_asks_the_bladder_once_and_reaches_every_screen(
    clinic: Clinic,
) -> None:
    screen_ids = _back_screens(clinic)
    assert {"cauda_equina", "mscc", "spinal_infection"} <= set(screen_ids)
    askers = [s for s in screen_ids if "bladder_change" in red_flag_screen(s).question_codes]
    assert len(askers) >= 2  # the question is shared, so one answer must reach them all
    answers = {"saddle_numbness": "yes", "bladder_change": "yes"}
    recorded = clinic.services.red_flags.record_screening(
        clinic.clinician, clinic.ada, screen_ids, answers
    )
    assert [s.screen_id for s in recorded.screenings] == list(screen_ids)
    by_screen = {s.screen_id: s for s in recorded.screenings}
    assert by_screen["cauda_equina"].level is Level.EMERGENCY
    assert by_screen["cauda_equina"].unresolved
    for screen_id in askers:
        assert by_screen[screen_id].answers["bladder_change"] == "yes"
    # Stored as a screening per screen, each with only its own questions.
    rows = _rows(clinic.services, clinic.ada)
    assert sorted(r.screen_id for r in rows) == sorted(screen_ids)
    assert len({r.recorded_at for r in rows}) == 1
    for row in rows:
        assert set(row.answers) == set(red_flag_screen(row.screen_id).question_codes)


def test_each_outcome_is_worked_out_in_the_core_from_the_answers(clinic: Clinic) -> None:
    screen_ids = _back_screens(clinic)
    composed = screening_for(BACK, 68)
    answers = dict.fromkeys(composed.question_codes, "no")
    answers["fever_or_unwell"] = "yes"
    answers["injects_drugs"] = "yes"
    recorded = clinic.services.red_flags.record_screening(
        clinic.clinician, clinic.ada, screen_ids, answers
    )
    age = age_on(BORN, date.today())
    for view in recorded.screenings:
        screen = red_flag_screen(view.screen_id)
        own = {c: Answer(answers[c]) for c in screen.question_codes}
        expected = evaluate(screen, own, age=age)
        assert view.level is expected.level
        assert view.fired_rules == expected.fired
    levels = {v.screen_id: v.level for v in recorded.screenings}
    assert levels["spinal_infection"] is not Level.CLEAR


def test_an_outcome_sent_by_a_caller_is_refused_and_nothing_is_stored(clinic: Clinic) -> None:
    screen_ids = _back_screens(clinic)
    tampered = {"saddle_numbness": "yes", "bladder_change": "yes", "level": "clear"}
    with pytest.raises(ValidationError) as raised:
        clinic.services.red_flags.record_screening(
            clinic.clinician, clinic.ada, screen_ids, tampered
        )
    assert raised.value.code == "red_flags.unknown_question"
    with pytest.raises(TypeError):
        clinic.services.red_flags.record_screening(  # type: ignore[call-arg]
            clinic.clinician, clinic.ada, screen_ids, {"saddle_numbness": "yes"}, level="clear"
        )
    assert _count(clinic.services) == 0
    with pytest.raises(ValidationError) as bad:
        clinic.services.red_flags.record_screening(
            clinic.clinician, clinic.ada, screen_ids, {"bladder_change": "maybe"}
        )
    assert bad.value.code == "red_flags.bad_answer"
    assert _count(clinic.services) == 0


def test_every_screen_is_recorded_or_none(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    screen_ids = _back_screens(clinic)
    real = red_flag_service.screening_view
    calls: list[int] = []

    def failing(row: RedFlagScreening, resolution: object = None) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(row)

    monkeypatch.setattr(red_flag_service, "screening_view", failing)
    with pytest.raises(RuntimeError):
        clinic.services.red_flags.record_screening(
            clinic.clinician, clinic.ada, screen_ids, {"bladder_change": "yes"}
        )
    assert calls  # it failed part-way, after the first screen was written
    assert _count(clinic.services) == 0


def test_the_wrong_patient_is_refused(clinic: Clinic) -> None:
    services = clinic.services
    bea_episode = _episode(services, clinic.bea)
    with pytest.raises(NotFound) as raised:
        services.red_flags.record_screening(
            clinic.clinician,
            clinic.ada,
            ("cauda_equina",),
            {"bladder_change": "yes"},
            episode_id=bea_episode,
        )
    assert raised.value.code == "episode.not_found"
    with pytest.raises(NotFound):
        services.red_flags.record_screening(
            clinic.clinician, uuid.uuid4(), ("cauda_equina",), {"bladder_change": "yes"}
        )
    assert _count(services) == 0


def _episode(services: Services, patient_id: uuid.UUID) -> uuid.UUID:
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        episode = EpisodeOfCare(
            patient_id=patient_id, pathway="msk", started_on=date.today(), referral_id=None
        )
        session.add(episode)
        session.flush()
        return episode.id


def test_an_incomplete_screen_names_the_questions_still_to_ask(clinic: Clinic) -> None:
    recorded = clinic.services.red_flags.record_screening(
        clinic.clinician, clinic.ada, ("cauda_equina", "mscc"), {"saddle_numbness": "no"}
    )
    assert set(recorded.incomplete) == {"cauda_equina", "mscc"}
    missing = recorded.missing["cauda_equina"]
    assert "bladder_change" in missing
    assert "saddle_numbness" not in missing
    assert set(missing) <= set(red_flag_screen("cauda_equina").question_codes)


def test_answers_from_earlier_in_the_visit_are_offered_for_that_patient_only(
    clinic: Clinic,
) -> None:
    services, user = clinic.services, clinic.clinician
    services.red_flags.record_screening(
        user, clinic.ada, ("cauda_equina",), {"bladder_change": "no", "saddle_numbness": "no"}
    )
    visit = services.red_flags.open_screening(user, clinic.ada, BACK)
    assert visit.earlier_answers["bladder_change"].answer == "no"
    assert "back_or_leg_pain" not in visit.earlier_answers  # not asked is not an answer
    assert [s.screen_id for s in visit.earlier] == ["cauda_equina"]
    assert {s.screen_id for s in visit.screens} >= set(visit.suggested)
    other = services.red_flags.open_screening(user, clinic.bea, BACK)
    assert other.earlier_answers == {}
    assert other.earlier == ()
    # A later answer in the same visit wins.
    services.red_flags.record_screening(user, clinic.ada, ("mscc",), {"bladder_change": "yes"})
    again = services.red_flags.open_screening(user, clinic.ada, BACK)
    assert again.earlier_answers["bladder_change"].answer == "yes"
    assert {s.screen_id for s in again.earlier} == {"cauda_equina", "mscc"}


def test_answers_from_another_day_are_not_offered(services: Services) -> None:
    services.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    user = services.auth.login("physio", PASSWORD)
    ada = _patient(services, "9990000018", "Ada")
    services.red_flags.record_screening(user, ada, ("cauda_equina",), {"bladder_change": "no"})
    tomorrow = date.today() + timedelta(days=1)
    next_day = RedFlagService(replace(services.context, today=lambda: tomorrow))
    visit = next_day.open_screening(user, ada, BACK)
    assert visit.earlier_answers == {}
    assert visit.earlier == ()
