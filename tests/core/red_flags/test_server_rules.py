"""The server checks a pushed red-flag screening, resolution and action as the device made them.

A tampered device could push an emergency as clear (off the banner, and the steroid
injection's hard stop lifted), resolve it with an override its user may not give or with
anything at all, or record an action its screening is not offered: the server refuses each,
and takes the rows the app really writes.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.model import RedFlagAction, RedFlagResolution, RedFlagScreening
from clinic_app.domains.red_flags.rules import (
    Answer,
    HardStop,
    Level,
    evaluate,
    stored_answers,
    stored_outcome,
)
from clinic_app.domains.red_flags.views import ActionKind
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.outbox import wire_value
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.demographics import age_on
from clinic_app.people.model import Patient, PatientAlert
from clinic_app.people.views import PatientInput
from clinic_app.server.authorise import Acting
from clinic_app.sync.protocol import Change, Status
from clinic_app.sync.wire import synced_tables
from tests.support.server_push import NOW, PushServer, example_patient, insert, push_server, update

APPLIED = (Status.APPLIED, None)
BAD_VALUE = (Status.REJECTED, "sync.bad_value")
NOT_ALLOWED = (Status.REJECTED, "sync.not_allowed")
WRONG_PATIENT = (Status.REJECTED, "sync.wrong_patient")
BORN = date(1960, 1, 1)  # example_patient's date of birth
AGE = age_on(BORN, NOW.date())
LONG_REASON = "Seen by the on-call spinal surgeon in clinic, who examined and discharged."


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PushServer]:
    made = push_server(
        tmp_path,
        (
            ("clinician", Role.CLINICIAN),
            ("trainee", Role.TRAINEE),
            ("colleague", Role.CLINICIAN),
        ),
    )
    yield made
    made.engine.dispose()


def _yes(screen_id: str) -> dict[str, str]:
    return dict.fromkeys(red_flag_screen(screen_id).question_codes, Answer.YES.value)


def _no(screen_id: str) -> dict[str, str]:
    return dict.fromkeys(red_flag_screen(screen_id).question_codes, Answer.NO.value)


def _screening_fields(
    patient: uuid.UUID, screen_id: str, answers: dict[str, str], **values: Any
) -> dict[str, Any]:
    """A screening as the device's service writes it: its outcome from the rules."""
    screen = red_flag_screen(screen_id)
    return {
        "patient_id": patient,
        "screen_id": screen_id,
        "screen_version": screen.version,
        "answers": stored_answers(screen, answers),
        "patient_age": AGE,
        **stored_outcome(evaluate(screen, answers, age=AGE)),  # type: ignore[arg-type]
        "recorded_at": NOW,
        **values,
    }


def _screening(
    by: Acting, patient: uuid.UUID, screen_id: str, answers: dict[str, str], **values: Any
) -> tuple[uuid.UUID, Change]:
    row_id = uuid.uuid4()
    fields = _screening_fields(patient, screen_id, answers, recorded_by=by.user_id, **values)
    return row_id, insert("red_flag_screening", row_id, by, **fields)


def _resolution(by: Acting, screening: uuid.UUID, action: str, reason: str | None = None) -> Change:
    return insert(
        "red_flag_resolution",
        uuid.uuid4(),
        by,
        screening_id=screening,
        action=action,
        reason=reason,
        recorded_at=NOW,
        recorded_by=by.user_id,
    )


def _handover(**changes: str) -> dict[str, str]:
    return {
        "hospital": "St James's University Hospital",
        "department": "Emergency department",
        "handed_over_at": "2026-12-04T10:40",
        "handed_over_to": "Dr Priya Shah",
        "handed_over_to_role": "ED registrar",
        "travel": "ambulance",
        **changes,
    }


def _action(
    by: Acting, patient: uuid.UUID, screening: uuid.UUID, **values: Any
) -> tuple[uuid.UUID, Change]:
    row_id = uuid.uuid4()
    fields = {
        "patient_id": patient,
        "screening_id": screening,
        "kind": ActionKind.ED_HANDOVER.value,
        "details": _handover(),
        "status": "outstanding",
        "recorded_at": NOW,
        "recorded_by": by.user_id,
        **values,
    }
    return row_id, insert("red_flag_action", row_id, by, **fields)


# ---------------------------------------------------------------- screenings


def test_an_emergency_pushed_as_clear_is_refused_and_the_one_the_rules_give_applied(
    server: PushServer,
) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    _, as_evaluated = _screening(clinician, patient, "cauda_equina", _yes("cauda_equina"))
    hidden = {
        "level": Level.CLEAR,
        "fired_rules": [],
        "needs_action": False,
        "accepted_actions": [],
    }
    _, cleared = _screening(clinician, patient, "cauda_equina", _yes("cauda_equina"), **hidden)
    # Each column on its own: the level right, but nothing fired, nothing to resolve...
    _, nothing_fired = _screening(
        clinician, patient, "cauda_equina", _yes("cauda_equina"), fired_rules=[]
    )
    _, no_banner = _screening(
        clinician, patient, "cauda_equina", _yes("cauda_equina"), needs_action=False
    )
    _, any_resolution = _screening(
        clinician,
        patient,
        "cauda_equina",
        _yes("cauda_equina"),
        accepted_actions=["two_week_wait_referral"],
    )
    # ...and the septic-arthritis emergency that stops a steroid injection, its rules dropped.
    septic = red_flag_screen("septic_arthritis")
    assert any(HardStop.STEROID_INJECTION in rule.hard_stops for rule in septic.rules)
    _, steroid_lifted = _screening(
        clinician,
        patient,
        "septic_arthritis",
        _yes("septic_arthritis"),
        level=Level.ROUTINE_WATCH,
        fired_rules=["septic_arthritis_risk_factor"],
        needs_action=False,
        accepted_actions=[],
    )

    assert server.push(
        clinician,
        registered,
        as_evaluated,
        cleared,
        nothing_fired,
        no_banner,
        any_resolution,
        steroid_lifted,
    ) == [APPLIED, APPLIED, BAD_VALUE, BAD_VALUE, BAD_VALUE, BAD_VALUE, BAD_VALUE]


def test_answers_that_are_not_the_screen_s_and_an_unknown_screen_or_version_are_refused(
    server: PushServer,
) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    codes = red_flag_screen("cauda_equina").question_codes
    _, all_no = _screening(clinician, patient, "cauda_equina", _no("cauda_equina"))
    # Answers from the screen's own rules, then a value or a question it does not have.
    base = _screening_fields(patient, "cauda_equina", _no("cauda_equina"))
    maybe = {**base["answers"], codes[0]: "maybe"}
    extra = {**base["answers"], "made_up_question": "no"}
    missing = {code: value for code, value in base["answers"].items() if code != codes[0]}
    screen = red_flag_screen("cauda_equina")
    # Left out, a question reads as not asked, so its outcome is worked out as such.
    left_out = stored_outcome(evaluate(screen, missing, age=AGE))  # type: ignore[arg-type]
    refused = [
        insert("red_flag_screening", uuid.uuid4(), clinician, **{**base, "answers": answers})
        for answers in (maybe, extra)
    ] + [
        insert(
            "red_flag_screening",
            uuid.uuid4(),
            clinician,
            **{**base, "answers": missing, **left_out},
        )
    ]
    _, screened = _screening(clinician, patient, "cauda_equina", _no("cauda_equina"))
    made_up = dataclasses.replace(screened, fields={**screened.fields, "screen_id": "made_up"})
    _, old_version = _screening(
        clinician, patient, "cauda_equina", _no("cauda_equina"), screen_version="1"
    )

    assert server.push(clinician, registered, all_no, *refused, made_up, old_version) == [
        APPLIED,
        APPLIED,
        BAD_VALUE,
        BAD_VALUE,
        BAD_VALUE,
        BAD_VALUE,
        BAD_VALUE,
    ]


def test_the_age_is_the_patient_s_on_the_day_it_was_recorded(server: PushServer) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    a_month_ago = wire_value(NOW - timedelta(days=30))
    registered = dataclasses.replace(
        registered, fields={**registered.fields, "created_at": a_month_ago}
    )
    gca = _yes("giant_cell_arteritis")
    _, at_their_age = _screening(clinician, patient, "giant_cell_arteritis", gca)
    assert _screening_fields(patient, "giant_cell_arteritis", gca)["level"] is Level.EMERGENCY
    # Forty: the rules for over-fifties left unfired, as evaluated at that age.
    screen = red_flag_screen("giant_cell_arteritis")
    young = stored_outcome(evaluate(screen, gca, age=40))  # type: ignore[arg-type]
    assert young["level"] is not Level.EMERGENCY
    _, made_young = _screening(
        clinician, patient, "giant_cell_arteritis", gca, patient_age=40, **young
    )
    # No age at all leaves them open, never fired.
    unknown = stored_outcome(evaluate(screen, gca, age=None))  # type: ignore[arg-type]
    _, no_age = _screening(
        clinician, patient, "giant_cell_arteritis", gca, patient_age=None, **unknown
    )
    # A day a week ahead is not the day it was recorded.
    _, ahead = _screening(
        clinician, patient, "giant_cell_arteritis", gca, recorded_at=NOW + timedelta(days=7)
    )
    # Nor a day before the patient was registered, moved back to when they were younger.
    backdated = stored_outcome(evaluate(screen, gca, age=45))  # type: ignore[arg-type]
    _, before_registered = _screening(
        clinician,
        patient,
        "giant_cell_arteritis",
        gca,
        recorded_at=datetime(2005, 6, 1, 10, tzinfo=UTC),
        patient_age=45,
        **backdated,
    )
    # A laptop pushing days later is taken.
    _, days_later = _screening(
        clinician, patient, "giant_cell_arteritis", gca, recorded_at=NOW - timedelta(days=9)
    )

    assert server.push(
        clinician,
        registered,
        at_their_age,
        made_young,
        no_age,
        ahead,
        before_registered,
        days_later,
    ) == [APPLIED, APPLIED, BAD_VALUE, BAD_VALUE, BAD_VALUE, BAD_VALUE, APPLIED]


def test_a_screening_links_only_its_own_patient_s_episode_and_assessment(
    server: PushServer,
) -> None:
    clinician = server.acting["clinician"]
    ada, ada_registered = example_patient(clinician, "9990000018")
    bea, bea_registered = example_patient(clinician, "9990000026")
    episode, assessment = uuid.uuid4(), uuid.uuid4()
    beas_episode = insert(
        "episode_of_care", episode, clinician, patient_id=bea, started_on=NOW.date(), status="open"
    )
    beas_assessment = insert(
        "assessment", assessment, clinician, patient_id=bea, status="draft", content={}
    )
    answers = _no("cauda_equina")
    _, on_beas_episode = _screening(clinician, ada, "cauda_equina", answers, episode_id=episode)
    _, on_beas_assessment = _screening(
        clinician, ada, "cauda_equina", answers, assessment_id=assessment
    )
    _, beas_own = _screening(
        clinician, bea, "cauda_equina", answers, episode_id=episode, assessment_id=assessment
    )

    assert server.push(
        clinician,
        ada_registered,
        bea_registered,
        beas_episode,
        beas_assessment,
        on_beas_episode,
        on_beas_assessment,
        beas_own,
    ) == [APPLIED, APPLIED, APPLIED, APPLIED, WRONG_PATIENT, WRONG_PATIENT, APPLIED]


# ---------------------------------------------------------------- resolutions


def test_only_a_role_that_may_override_overrides_with_a_reason_long_enough(
    server: PushServer,
) -> None:
    clinician, trainee = server.acting["clinician"], server.acting["trainee"]
    patient, registered = example_patient(clinician)
    first, screened = _screening(clinician, patient, "cauda_equina", _yes("cauda_equina"))
    second, screened_again = _screening(clinician, patient, "cauda_equina", _yes("cauda_equina"))
    assert server.push(clinician, registered, screened, screened_again) == [APPLIED] * 3

    assert server.push(trainee, _resolution(trainee, first, "clinician_override", LONG_REASON)) == [
        NOT_ALLOWED
    ]
    assert server.push(
        clinician,
        _resolution(clinician, first, "clinician_override", None),
        _resolution(clinician, first, "clinician_override", "Seen, fine."),
    ) == [BAD_VALUE, BAD_VALUE]
    assert server.push(
        clinician, _resolution(clinician, first, "clinician_override", LONG_REASON)
    ) == [APPLIED]
    # A trainee resolves by the action the screen asks for.
    assert server.push(trainee, _resolution(trainee, second, "same_day_emergency_department")) == [
        APPLIED
    ]


def test_a_resolution_the_screening_does_not_accept_or_a_second_one_is_refused(
    server: PushServer,
) -> None:
    clinician, colleague = server.acting["clinician"], server.acting["colleague"]
    patient, registered = example_patient(clinician)
    emergency, screened = _screening(clinician, patient, "cauda_equina", _yes("cauda_equina"))
    clear, screened_clear = _screening(clinician, patient, "cauda_equina", _no("cauda_equina"))
    assert server.push(clinician, registered, screened, screened_clear) == [APPLIED] * 3

    resolved = _resolution(clinician, emergency, "same_day_emergency_department")
    assert server.push(
        clinician,
        _resolution(clinician, emergency, "banana"),
        _resolution(clinician, emergency, "two_week_wait_referral"),
        _resolution(clinician, clear, "same_day_emergency_department"),
        _resolution(clinician, uuid.uuid4(), "same_day_emergency_department"),
        resolved,
    ) == [BAD_VALUE, BAD_VALUE, BAD_VALUE, BAD_VALUE, APPLIED]
    # The same resolution sent again is the one held; another, by anyone, is refused.
    assert server.push(clinician, resolved)[0][0] is Status.DUPLICATE
    assert server.push(
        colleague,
        _resolution(colleague, emergency, "banana"),
        _resolution(colleague, emergency, "clinician_override", LONG_REASON),
        _resolution(colleague, emergency, "same_day_emergency_department"),
    ) == [BAD_VALUE, NOT_ALLOWED, NOT_ALLOWED]


# ---------------------------------------------------------------- actions


def test_an_action_s_kind_and_details_are_what_its_screening_is_offered(
    server: PushServer,
) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    emergency, screened = _screening(clinician, patient, "cauda_equina", _yes("cauda_equina"))
    assert server.push(clinician, registered, screened) == [APPLIED] * 2

    def action(**values: Any) -> Change:
        return _action(clinician, patient, emergency, **values)[1]

    assert server.push(
        clinician,
        action(kind="banana"),
        # A safety net given: done at once, and the emergency off the waiting list.
        action(kind="safety_net", details={"given_as": "explained_only"}, status="done"),
        action(details=_handover(hospital="")),
        action(details=_handover(travel="rocket")),
        action(details={**_handover(), "made_up": "x"}),
        action(details=_handover(hospital="  St James's  ")),
        action(status="cancelled"),
        action(recorded_at=None),
        action(),
    ) == [BAD_VALUE] * 8 + [APPLIED]


def test_a_stored_action_is_only_ever_marked_done(server: PushServer) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    emergency, screened = _screening(clinician, patient, "cauda_equina", _yes("cauda_equina"))
    first, recorded = _action(clinician, patient, emergency)
    second, recorded_too = _action(clinician, patient, emergency)
    assert server.push(clinician, registered, screened, recorded, recorded_too) == [APPLIED] * 4

    def change(row_id: uuid.UUID, **values: Any) -> Change:
        return update("red_flag_action", row_id, 1, clinician, **values)

    assert server.push(
        clinician,
        change(first, status="cancelled"),
        change(first, deleted=True),
        change(first, kind="urgent_referral"),
        change(first, details=_handover(hospital="Elsewhere")),
        change(first, status="done", done_at=NOW, done_by=clinician.user_id, done_note="Seen"),
    ) == [NOT_ALLOWED, (Status.REJECTED, "sync.not_removable"), NOT_ALLOWED, NOT_ALLOWED, APPLIED]
    assert server.push(
        clinician, update("red_flag_action", first, 2, clinician, status="outstanding")
    ) == [NOT_ALLOWED]
    # Marked done as the app marks it.
    assert server.push(
        clinician, change(second, status="done", done_at=NOW, done_by=clinician.user_id)
    ) == [APPLIED]


def test_an_action_links_only_its_own_patient_s_screening_and_alert(server: PushServer) -> None:
    clinician = server.acting["clinician"]
    ada, ada_registered = example_patient(clinician, "9990000018")
    bea, bea_registered = example_patient(clinician, "9990000026")
    beas_screening, beas_screened = _screening(clinician, bea, "cauda_equina", _yes("cauda_equina"))
    alert = uuid.uuid4()
    beas_alert = insert(
        "patient_alert", alert, clinician, patient_id=bea, kind="clinical", text="Red flag"
    )
    adas_screening, adas_screened = _screening(clinician, ada, "cauda_equina", _yes("cauda_equina"))

    assert server.push(
        clinician,
        ada_registered,
        bea_registered,
        beas_screened,
        beas_alert,
        adas_screened,
        _action(clinician, ada, beas_screening)[1],
        _action(clinician, ada, adas_screening, alert_id=alert)[1],
        _action(clinician, bea, beas_screening, alert_id=alert)[1],
    ) == [APPLIED] * 5 + [WRONG_PATIENT, WRONG_PATIENT, APPLIED]


# ---------------------------------------------------------------- what the app writes


@dataclass
class Device:
    services: Services
    clinician: CurrentUser
    patient: uuid.UUID


@pytest.fixture
def device(services: Services) -> Device:
    services.users.add(
        SYSTEM,
        username="physio",
        display_name="Physio",
        role=Role.CLINICIAN,
        password="correct horse battery",
    )
    patient = services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Ada",
            family_name="Ashworth",
            date_of_birth=BORN.isoformat(),
            sex="2",
            nhs_number="9990000018",
        ),
    ).id
    return Device(services, services.auth.login("physio", "correct horse battery"), patient)


def _as_pushed(device: Device, model: type[Any], row_id: uuid.UUID, by: Acting) -> Change:
    """A row of the device's store as its outbox sends it, by a user the server knows."""
    synced = synced_tables()[model.__tablename__]
    with device.services.context.store.sessions.begin() as session:
        row = session.get(model, row_id)
        assert row is not None
        wire = synced.encode({c.name: getattr(row, c.name) for c in synced.table.columns})
    for who in ("created_by", "updated_by", "recorded_by", "done_by"):
        if wire.get(who) is not None:
            wire[who] = str(by.user_id)
    fields = {name: value for name, value in wire.items() if name not in ("id", "row_version")}
    return Change(uuid.uuid4(), synced.name, row_id, "insert", 0, fields, by.user_id)


def test_the_rows_the_app_writes_are_applied(server: PushServer, device: Device) -> None:
    clinician = server.acting["clinician"]
    flags = device.services.red_flags
    recorded = flags.record_screening(
        device.clinician,
        device.patient,
        ("cauda_equina", "septic_arthritis", "giant_cell_arteritis", "unstable_fracture"),
        {
            **_yes("cauda_equina"),
            **_no("septic_arthritis"),
            **_yes("giant_cell_arteritis"),
        },
    )
    levels = {s.screen_id: s.level for s in recorded.screenings}
    assert levels["cauda_equina"] is Level.EMERGENCY
    assert levels["giant_cell_arteritis"] is Level.EMERGENCY
    cauda, gca, septic = (
        next(s.id for s in recorded.screenings if s.screen_id == screen_id)
        for screen_id in ("cauda_equina", "giant_cell_arteritis", "septic_arthritis")
    )
    flags.resolve(device.clinician, gca, "clinician_override", LONG_REASON)
    action = flags.record_action(
        device.clinician, device.patient, cauda, ActionKind.ED_HANDOVER, _handover()
    )
    with device.services.context.store.sessions.begin() as session:
        resolutions = list(session.scalars(select(RedFlagResolution.id)))
        alert = session.scalars(select(RedFlagAction.alert_id)).one()
    assert len(resolutions) == 2
    assert alert is not None

    changes = [
        _as_pushed(device, Patient, device.patient, clinician),
        *(_as_pushed(device, RedFlagScreening, s.id, clinician) for s in recorded.screenings),
        *(_as_pushed(device, RedFlagResolution, r, clinician) for r in resolutions),
        _as_pushed(device, PatientAlert, alert, clinician),
        _as_pushed(device, RedFlagAction, action.id, clinician),
    ]
    assert septic in {s.id for s in recorded.screenings}
    assert server.push(clinician, *changes) == [APPLIED] * len(changes)


ALERT_KEPT = (Status.REJECTED, "sync.alert_kept")


def test_an_alert_stays_on_the_banner_until_its_action_is_marked_done(server: PushServer) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    emergency, screened = _screening(clinician, patient, "cauda_equina", _yes("cauda_equina"))
    alert, plain = uuid.uuid4(), uuid.uuid4()
    alerted = insert(
        "patient_alert", alert, clinician, patient_id=patient, kind="clinical", text="Red flag"
    )
    other_alert = insert(
        "patient_alert", plain, clinician, patient_id=patient, kind="clinical", text="Uses a cane"
    )
    action, recorded = _action(clinician, patient, emergency, alert_id=alert)
    assert server.push(clinician, registered, screened, alerted, other_alert, recorded) == (
        [APPLIED] * 5
    )

    def alert_change(row_id: uuid.UUID, **values: Any) -> Change:
        return update("patient_alert", row_id, 1, clinician, **values)

    # A tampered laptop hides the alert while its action is outstanding: refused either way
    # (the app never removes an alert at all).
    assert server.push(
        clinician, alert_change(alert, active=False), alert_change(alert, deleted=True)
    ) == [ALERT_KEPT, (Status.REJECTED, "sync.not_removable")]
    # An alert no action keeps may go, and a change that leaves the alert up is taken.
    assert server.push(
        clinician, alert_change(plain, active=False), alert_change(alert, text="Red flag: ED")
    ) == [APPLIED, APPLIED]
    # As the app sends it: the action marked done first, then its alert off the banner.
    done = update(
        "red_flag_action",
        action,
        1,
        clinician,
        status="done",
        done_at=NOW,
        done_by=clinician.user_id,
    )
    assert server.push(
        clinician, done, update("patient_alert", alert, 2, clinician, active=False)
    ) == [
        APPLIED,
        APPLIED,
    ]


def test_the_app_queues_the_action_done_before_its_alert_goes(device: Device) -> None:
    flags = device.services.red_flags
    recorded = flags.record_screening(
        device.clinician, device.patient, ("cauda_equina",), _yes("cauda_equina")
    )
    (screening,) = recorded.screenings
    action = flags.record_action(
        device.clinician, device.patient, screening.id, ActionKind.ED_HANDOVER, _handover()
    )
    with device.services.context.store.sessions.begin() as session:
        queued_before = session.scalar(select(func.max(OutboxEntry.seq)))
    flags.mark_action_done(device.clinician, device.patient, action.id, "Seen in ED")
    with device.services.context.store.sessions.begin() as session:
        queued = [
            (entry.table_name, entry.changed.get("status"), entry.changed.get("active"))
            for entry in session.scalars(
                select(OutboxEntry).where(OutboxEntry.seq > queued_before).order_by(OutboxEntry.seq)
            )
        ]
    assert queued == [("red_flag_action", "done", None), ("patient_alert", None, False)]


def _alert(by: Any, patient: uuid.UUID, text: str) -> tuple[uuid.UUID, Change]:
    alert = uuid.uuid4()
    return alert, insert("patient_alert", alert, by, patient_id=patient, kind="clinical", text=text)


@pytest.mark.parametrize("tied_to", ["nothing", "another alert"])
def test_an_outstanding_actions_alert_stays_whatever_the_action_is_tied_to_first(
    server: PushServer, tied_to: str
) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    emergency, screened = _screening(clinician, patient, "cauda_equina", _yes("cauda_equina"))
    alert, alerted = _alert(clinician, patient, "Red flag: cauda equina")
    dummy, dummy_alerted = _alert(clinician, patient, "Prefers mornings")
    action, recorded = _action(clinician, patient, emergency, alert_id=alert)
    assert server.push(clinician, registered, screened, alerted, dummy_alerted, recorded) == (
        [APPLIED] * 5
    )

    # Untie the outstanding action from its alert (or tie it to another), then take the
    # alert off the banner: the first is refused, so the second is too.
    results = server.push(
        clinician,
        update(
            "red_flag_action",
            action,
            1,
            clinician,
            alert_id=None if tied_to == "nothing" else dummy,
        ),
        update("patient_alert", alert, 1, clinician, active=False),
    )

    assert results == [
        (Status.REJECTED, "sync.not_allowed"),
        (Status.REJECTED, "sync.alert_kept"),
    ]
