"""Red-flag actions as records: details per kind, the banner alert, the right patient, sync."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.red_flags.content import ALL_SCREENS, red_flag_screen
from clinic_app.domains.red_flags.model import RedFlagAction, RedFlagResolution
from clinic_app.domains.red_flags.rules import Answer, Level, evaluate
from clinic_app.domains.red_flags.service import check_details
from clinic_app.domains.red_flags.views import (
    ACTION_SPECS,
    ActionKind,
    ActionStatus,
    DetailKind,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, FormErrors, NotFound, ValidationError
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import AlertKind, Role
from clinic_app.people.demographics import age_on
from clinic_app.people.model import PatientAlert
from clinic_app.people.views import PatientInput
from clinic_app.sync.wire import synced_tables
from tests.support.merges import merged_by_sync
from tests.support.printed import pages_missing

PASSWORD = "correct horse battery"
BORN = date(1958, 7, 4)  # old enough for every age condition in the shipped screens


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


def answers_giving(
    level: Level, *, card: bool = False, born: date = BORN
) -> tuple[str, dict[str, str]]:
    """A shipped screen and answers that give ``level``: found by the rules, not assumed.

    Tries one or two yes answers on each screen (the rest no), so the test follows the
    screens' content as it changes.
    """
    age = age_on(born, date.today())
    for screen_id in ALL_SCREENS:
        screen = red_flag_screen(screen_id)
        codes = screen.question_codes
        for count in (1, 2, 3):
            for yes in itertools.combinations(codes, count):
                answers = {c: (Answer.YES if c in yes else Answer.NO) for c in codes}
                result = evaluate(screen, answers, age=age)
                if result.level is level and (result.safety_net_card is not None) == card:
                    return screen_id, {c: a.value for c, a in answers.items()}
    pytest.skip(f"no shipped screen gives {level} with one to three yes answers")


def _all_yes(screen_id: str) -> dict[str, str]:
    return dict.fromkeys(red_flag_screen(screen_id).question_codes, Answer.YES.value)


def _handover(**changes: str) -> dict[str, str]:
    details = {
        "hospital": "St James's University Hospital",
        "department": "Emergency department",
        "handed_over_at": "2026-12-04T10:40",
        "handed_over_to": "Dr Priya Shah",
        "handed_over_to_role": "ED registrar",
        "travel": "ambulance",
        "notes": "MRI requested on arrival.",
    }
    details.update(changes)
    return details


def _referral(**changes: str) -> dict[str, str]:
    details = {
        "to_service": "mscc_coordinator",
        "by_date": date.today().isoformat(),
        "route": "phone",
        "reference": "",
    }
    details.update(changes)
    return details


def _emergency(clinic: Clinic, patient_id: uuid.UUID) -> uuid.UUID:
    screening = clinic.services.red_flags.record(
        clinic.clinician, patient_id, "cauda_equina", _all_yes("cauda_equina")
    )
    assert screening.level is Level.EMERGENCY
    return screening.id


def _alerts(services: Services, patient_id: uuid.UUID) -> list[PatientAlert]:
    with services.context.store.sessions.begin() as session:
        return list(
            session.scalars(select(PatientAlert).where(PatientAlert.patient_id == patient_id))
        )


# ---------------------------------------------------------------- the table of details


@pytest.mark.parametrize("kind", list(ActionKind))
def test_every_required_detail_left_out_is_named(kind: ActionKind) -> None:
    with pytest.raises(FormErrors) as caught:
        check_details(kind, {}, today=date.today())
    required = {d.key for d in ACTION_SPECS[kind].details if d.required}
    assert required
    assert {e.field for e in caught.value.errors} == required
    assert {e.code for e in caught.value.errors} == {"red_flags.action_detail_required"}


def test_a_handover_needs_where_when_whom_and_how() -> None:
    required = {d.key for d in ACTION_SPECS[ActionKind.ED_HANDOVER].details if d.required}
    assert required == {
        "hospital",
        "department",
        "handed_over_at",
        "handed_over_to",
        "handed_over_to_role",
        "travel",
    }
    referral = {d.key for d in ACTION_SPECS[ActionKind.URGENT_REFERRAL].details if d.required}
    assert referral == {"to_service", "by_date", "route"}


def test_bad_choices_dates_and_unknown_details_are_coded() -> None:
    today = date(2026, 12, 4)
    with pytest.raises(FormErrors) as caught:
        check_details(
            ActionKind.URGENT_REFERRAL,
            _referral(to_service="pharmacy", by_date="2026-12-03", route="pigeon", colour="red"),
            today=today,
        )
    found = {(e.field, e.code) for e in caught.value.errors}
    assert found == {
        ("to_service", "red_flags.action_bad_choice"),
        ("by_date", "red_flags.action_date_past"),
        ("route", "red_flags.action_bad_choice"),
        ("colour", "red_flags.action_unknown_detail"),
    }
    with pytest.raises(FormErrors) as caught:
        check_details(ActionKind.ED_HANDOVER, _handover(handed_over_at="ten past"), today=today)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("handed_over_at", "red_flags.action_bad_date")
    ]


def test_details_are_trimmed_and_times_kept_to_the_minute() -> None:
    clean = check_details(
        ActionKind.ED_HANDOVER,
        _handover(hospital="  Leeds   General ", handed_over_at="2026-12-04T10:40:37", notes=""),
        today=date(2026, 12, 4),
    )
    assert clean["hospital"] == "Leeds General"
    assert clean["handed_over_at"] == "2026-12-04T10:40"
    assert "notes" not in clean


def test_every_detail_kind_is_used_by_some_action() -> None:
    used = {d.kind for spec in ACTION_SPECS.values() for d in spec.details}
    assert used == set(DetailKind)


# ---------------------------------------------------------------- recording and done


def test_an_emergency_handover_is_outstanding_with_an_alert_until_confirmed(
    clinic: Clinic,
) -> None:
    flags = clinic.services.red_flags
    screening_id = _emergency(clinic, clinic.ada)
    (waiting,) = flags.awaiting_action(clinic.clinician, clinic.ada)
    assert waiting.screening.id == screening_id
    assert waiting.kinds[0] is ActionKind.ED_HANDOVER
    assert waiting.required  # the action text from the screen's content

    action = flags.record_action(
        clinic.clinician, clinic.ada, screening_id, ActionKind.ED_HANDOVER, _handover()
    )
    assert action.outstanding
    assert action.patient_id == clinic.ada
    assert ("Hospital", "St James's University Hospital") in action.lines()
    assert ("How the patient travels", "Ambulance") in action.lines()
    assert flags.awaiting_action(clinic.clinician, clinic.ada) == []
    # The emergency banner's resolution is the handover itself.
    assert flags.unresolved(clinic.clinician, clinic.ada) == []
    (alert,) = _alerts(clinic.services, clinic.ada)
    assert (alert.kind, alert.active) == (AlertKind.CLINICAL, True)
    assert "handover" in alert.text
    record = clinic.services.patients.open(clinic.clinician, clinic.ada)
    assert [a.text for a in record.alerts] == [alert.text]
    assert [a.id for a in flags.actions(clinic.clinician, clinic.ada, outstanding_only=True)] == [
        action.id
    ]

    done = flags.mark_action_done(clinic.clinician, clinic.ada, action.id, "ED confirmed arrival")
    assert done.status is ActionStatus.DONE
    assert done.done_note == "ED confirmed arrival"
    assert done.done_by == clinic.clinician.id
    (alert,) = _alerts(clinic.services, clinic.ada)
    assert alert.active is False
    assert clinic.services.patients.open(clinic.clinician, clinic.ada).alerts == ()
    assert flags.actions(clinic.clinician, clinic.ada, outstanding_only=True) == []
    with pytest.raises(Conflict) as caught:
        flags.mark_action_done(clinic.clinician, clinic.ada, action.id)
    assert caught.value.code == "red_flags.action_already_done"


def test_missing_details_refuse_the_whole_action_and_store_nothing(clinic: Clinic) -> None:
    flags = clinic.services.red_flags
    screening_id = _emergency(clinic, clinic.ada)
    with pytest.raises(FormErrors) as caught:
        flags.record_action(
            clinic.clinician,
            clinic.ada,
            screening_id,
            ActionKind.ED_HANDOVER,
            _handover(handed_over_to="", travel=""),
        )
    assert {e.field for e in caught.value.errors} == {"handed_over_to", "travel"}
    assert flags.actions(clinic.clinician, clinic.ada) == []
    assert _alerts(clinic.services, clinic.ada) == []
    assert len(flags.unresolved(clinic.clinician, clinic.ada)) == 1


def test_an_urgent_outcome_asks_for_a_referral_with_whom_when_and_how(clinic: Clinic) -> None:
    flags = clinic.services.red_flags
    screen_id, answers = answers_giving(Level.URGENT)
    screening = flags.record(clinic.clinician, clinic.ada, screen_id, answers)
    (waiting,) = flags.awaiting_action(clinic.clinician, clinic.ada)
    assert waiting.screening.id == screening.id
    assert ActionKind.URGENT_REFERRAL in waiting.kinds
    assert ActionKind.SAFETY_NET not in waiting.kinds
    with pytest.raises(ValidationError) as caught:
        flags.record_action(
            clinic.clinician,
            clinic.ada,
            screening.id,
            ActionKind.SAFETY_NET,
            {"given_as": "explained_only"},
        )
    assert caught.value.code == "red_flags.action_kind_not_offered"
    due = (date.today() + timedelta(days=1)).isoformat()
    action = flags.record_action(
        clinic.clinician,
        clinic.ada,
        screening.id,
        "urgent_referral",
        _referral(to_service="suspected_cancer", by_date=due, route="e_rs", reference="UBRN 1234"),
    )
    assert action.outstanding
    assert action.details["reference"] == "UBRN 1234"
    (alert,) = _alerts(clinic.services, clinic.ada)
    assert due in alert.text


def test_a_safety_net_given_is_done_when_recorded_and_raises_no_alert(clinic: Clinic) -> None:
    flags = clinic.services.red_flags
    screen_id, answers = answers_giving(Level.ROUTINE_WATCH, card=True)
    screening = flags.record(clinic.clinician, clinic.ada, screen_id, answers)
    (waiting,) = flags.awaiting_action(clinic.clinician, clinic.ada)
    assert waiting.kinds[0] is ActionKind.SAFETY_NET
    action = flags.record_action(
        clinic.clinician,
        clinic.ada,
        screening.id,
        ActionKind.SAFETY_NET,
        {"given_as": "card_printed_and_explained"},
    )
    assert action.status is ActionStatus.DONE
    assert _alerts(clinic.services, clinic.ada) == []


def test_a_clear_screen_asks_for_no_action(clinic: Clinic) -> None:
    flags = clinic.services.red_flags
    codes = red_flag_screen("cauda_equina").question_codes
    screening = flags.record(
        clinic.clinician, clinic.ada, "cauda_equina", dict.fromkeys(codes, "no")
    )
    assert screening.level is Level.CLEAR
    assert flags.awaiting_action(clinic.clinician, clinic.ada) == []
    with pytest.raises(ValidationError) as caught:
        flags.record_action(clinic.clinician, clinic.ada, screening.id, ActionKind.SAFETY_NET, {})
    assert caught.value.code == "red_flags.action_kind_not_offered"


# ---------------------------------------------------------------- the right patient


def test_an_action_typed_for_one_patient_never_lands_on_another(clinic: Clinic) -> None:
    flags = clinic.services.red_flags
    adas = _emergency(clinic, clinic.ada)
    with pytest.raises(Conflict) as caught:
        flags.record_action(clinic.clinician, clinic.bea, adas, ActionKind.ED_HANDOVER, _handover())
    assert caught.value.code == "red_flags.action_wrong_patient"
    assert flags.actions(clinic.clinician, clinic.bea) == []
    assert flags.actions(clinic.clinician, clinic.ada) == []
    assert _alerts(clinic.services, clinic.bea) == []

    action = flags.record_action(
        clinic.clinician, clinic.ada, adas, ActionKind.ED_HANDOVER, _handover()
    )
    with pytest.raises(Conflict) as caught:
        flags.mark_action_done(clinic.clinician, clinic.bea, action.id)
    assert caught.value.code == "red_flags.action_wrong_patient"
    assert flags.actions(clinic.clinician, clinic.ada)[0].outstanding
    with pytest.raises(Conflict):
        flags.summary_pdf(clinic.clinician, clinic.bea, adas)
    with pytest.raises(NotFound):
        flags.record_action(
            clinic.clinician, clinic.ada, uuid.uuid4(), ActionKind.ED_HANDOVER, _handover()
        )
    with pytest.raises(NotFound):
        flags.mark_action_done(clinic.clinician, clinic.ada, uuid.uuid4())


def test_a_red_flag_under_a_registration_merged_into_the_record_stays_on_its_banner(
    clinic: Clinic,
) -> None:
    flags = clinic.services.red_flags
    # Screened positive at another clinic under a second registration of the same person,
    # which a person then merged into this record: the banner and the actions follow it.
    screened = _emergency(clinic, clinic.bea)
    merged_by_sync(clinic.services, survivor=clinic.ada, merged=clinic.bea)

    assert [s.id for s in flags.unresolved(clinic.clinician, clinic.ada)] == [screened]
    assert [w.screening.id for w in flags.awaiting_action(clinic.clinician, clinic.ada)] == [
        screened
    ]
    assert [s.id for s in flags.screenings(clinic.clinician, clinic.ada)] == [screened]
    action = flags.record_action(
        clinic.clinician, clinic.ada, screened, ActionKind.ED_HANDOVER, _handover()
    )
    assert flags.unresolved(clinic.clinician, clinic.ada) == []
    assert [a.id for a in flags.actions(clinic.clinician, clinic.ada, outstanding_only=True)] == [
        action.id
    ]
    assert flags.mark_action_done(clinic.clinician, clinic.ada, action.id).status is (
        ActionStatus.DONE
    )


def test_an_action_recorded_before_the_merge_is_done_from_the_surviving_record(
    clinic: Clinic,
) -> None:
    flags = clinic.services.red_flags
    screened = _emergency(clinic, clinic.bea)
    action = flags.record_action(
        clinic.clinician, clinic.bea, screened, ActionKind.ED_HANDOVER, _handover()
    )
    merged_by_sync(clinic.services, survivor=clinic.ada, merged=clinic.bea)

    (outstanding,) = flags.actions(clinic.clinician, clinic.ada, outstanding_only=True)
    assert outstanding.id == action.id
    flags.mark_action_done(clinic.clinician, clinic.ada, action.id, "ED confirmed arrival")
    (alert,) = _alerts(clinic.services, clinic.bea)
    assert alert.active is False


def test_screenings_and_actions_are_listed_per_patient_in_time_order(clinic: Clinic) -> None:
    flags = clinic.services.red_flags
    first = _emergency(clinic, clinic.ada)
    second = _emergency(clinic, clinic.ada)
    _emergency(clinic, clinic.bea)
    flags.record_action(clinic.clinician, clinic.ada, second, ActionKind.ED_HANDOVER, _handover())
    flags.record_action(clinic.clinician, clinic.ada, first, ActionKind.ED_HANDOVER, _handover())
    listed = flags.screenings(clinic.clinician, clinic.ada)
    assert [s.id for s in listed] == [first, second]
    episodes = {s.episode_id for s in listed}
    assert {a.episode_id for a in flags.actions(clinic.clinician, clinic.ada)} == episodes
    assert all(s.resolution is not None for s in flags.screenings(clinic.clinician, clinic.ada))
    assert [a.screening_id for a in flags.actions(clinic.clinician, clinic.ada)] == [second, first]
    assert flags.actions(clinic.clinician, clinic.bea) == []


# ---------------------------------------------------------------- sync and print


def test_actions_sync_like_every_syncable_table(clinic: Clinic) -> None:
    table = synced_tables()["red_flag_action"]
    assert not table.append_only  # it is marked done later
    flags = clinic.services.red_flags
    screening_id = _emergency(clinic, clinic.ada)
    action = flags.record_action(
        clinic.clinician, clinic.ada, screening_id, ActionKind.ED_HANDOVER, _handover()
    )
    flags.mark_action_done(clinic.clinician, clinic.ada, action.id)
    with clinic.services.context.store.sessions.begin() as session:
        queued = [
            (entry.table_name, entry.operation)
            for entry in session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))
            if entry.table_name in {"red_flag_action", "patient_alert", "red_flag_resolution"}
        ]
        row = session.get(RedFlagAction, action.id)
        assert row is not None
        wire = table.encode({c.name: getattr(row, c.name) for c in table.table.columns})
        assert session.scalars(select(RedFlagResolution)).one().screening_id == screening_id
    assert ("red_flag_action", "insert") in queued
    assert ("red_flag_action", "update") in queued
    assert ("patient_alert", "insert") in queued
    assert ("patient_alert", "update") in queued
    assert wire["patient_id"] == str(clinic.ada)
    back = table.decode(wire)
    assert back["details"]["hospital"] == "St James's University Hospital"
    assert back["status"] == "done"


def test_the_printed_summary_names_the_patient_and_the_action(
    clinic: Clinic, tmp_path: Path
) -> None:
    flags = clinic.services.red_flags
    screening_id = _emergency(clinic, clinic.ada)
    flags.record_action(
        clinic.clinician, clinic.ada, screening_id, ActionKind.ED_HANDOVER, _handover()
    )
    pdf = flags.summary_pdf(clinic.clinician, clinic.ada, screening_id)
    assert pdf.startswith(b"%PDF")
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    words = subprocess.run(
        [tool, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in ("Ada Ashworth", "St James's University Hospital", "Dr Priya Shah"):
        assert expected in words
    assert "ED registrar" in words
    assert "Outstanding" in words


def test_a_clear_screening_printed_needs_no_action_and_is_not_marked_as_an_alarm(
    clinic: Clinic, tmp_path: Path
) -> None:
    flags = clinic.services.red_flags
    answers = dict.fromkeys(red_flag_screen("cauda_equina").question_codes, Answer.NO.value)
    screening = flags.record(clinic.clinician, clinic.ada, "cauda_equina", answers)
    assert screening.level is Level.CLEAR
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "clear.pdf"
    path.write_bytes(flags.summary_pdf(clinic.clinician, clinic.ada, screening.id))
    words = " ".join(
        subprocess.run(
            [tool, "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert "Outcome: Clear" in words
    assert "None needed: no red flag was found." in words
    assert "No action recorded yet" not in words


def test_the_summary_of_a_patient_with_no_nhs_number_has_their_date_of_birth_on_every_page(
    clinic: Clinic,
) -> None:
    flags = clinic.services.red_flags
    cleo = _patient(clinic.services, "", "Cleo")
    screening_id = _emergency(clinic, cleo)
    flags.record_action(clinic.clinician, cleo, screening_id, ActionKind.ED_HANDOVER, _handover())

    pdf = flags.summary_pdf(clinic.clinician, cleo, screening_id)

    assert pages_missing(pdf, "Cleo Ashworth", "Born 4 July 1958") == []
