"""Record events: raised when a record is signed or amended, handled in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from clinic_app.container import Services
from clinic_app.domains.assessments.model import Assessment
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.uow import SYSTEM, Mode, UnitOfWork
from clinic_app.kernel.vocabulary import AssessmentStatus, Role
from clinic_app.people.views import PatientInput
from clinic_app.records.events import (
    RecordAmended,
    RecordEvent,
    RecordSigned,
    handlers_for,
    pending_events,
    raise_event,
    register_handler,
    unregister_handler,
)

PASSWORD = "correct horse battery"
MARK = "test.signed_mark"


@pytest.fixture
def clinician(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="cal", display_name="Cal", role=Role.CLINICIAN, password=PASSWORD
    )
    return services.auth.login("cal", PASSWORD)


@pytest.fixture
def patient_id(services: Services, clinician: CurrentUser) -> uuid.UUID:
    return services.patients.register(
        clinician,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    ).id


@pytest.fixture
def handled() -> Iterator[Callable[[type[Any], Callable[[Session, Any], None]], None]]:
    """Register stand-in handlers for assessments; they are removed after the test."""
    added: list[tuple[type[Any], Callable[[Session, Any], None]]] = []

    def add(event_type: type[Any], handler: Callable[[Session, Any], None]) -> None:
        register_handler(event_type, "assessment", handler)
        added.append((event_type, handler))

    yield add
    for event_type, handler in added:
        unregister_handler(event_type, "assessment", handler)


def _mark(session: Session) -> ServiceSetting | None:
    return session.get(ServiceSetting, setting_id(MARK))


def _marked(services: Services) -> ServiceSetting | None:
    with services.context.store.sessions() as session:
        return _mark(session)


def test_a_handler_runs_before_commit_and_its_writes_commit_with_the_signature(
    services: Services,
    clinician: CurrentUser,
    patient_id: uuid.UUID,
    handled: Callable[[type[Any], Callable[[Session, Any], None]], None],
) -> None:
    seen: list[tuple[RecordEvent, str]] = []

    def keep(session: Session, event: RecordSigned) -> None:
        row = session.get(Assessment, event.record_id)
        assert row is not None
        seen.append((event, row.status))
        session.add(ServiceSetting(id=setting_id(MARK), key=MARK, value={"id": str(row.id)}))

    handled(RecordSigned, keep)
    draft = services.assessments.save_draft(
        clinician, patient_id, {"presenting_complaint": "Knee pain"}
    )
    assert _marked(services) is None  # saving a draft raises nothing
    services.assessments.sign(clinician, draft.id, PASSWORD)
    [(event, status)] = seen
    assert event == RecordSigned(
        record_type="assessment",
        record_id=draft.id,
        patient_id=patient_id,
        episode_id=draft.episode_id,
        actor=clinician.id,
        step="sign",
    )
    assert status == AssessmentStatus.SIGNED
    mark = _marked(services)
    assert mark is not None
    assert mark.value == {"id": str(draft.id)}


def test_a_handler_that_fails_rolls_the_signature_back(
    services: Services,
    clinician: CurrentUser,
    patient_id: uuid.UUID,
    handled: Callable[[type[Any], Callable[[Session, Any], None]], None],
) -> None:
    def fail(session: Session, _event: RecordSigned) -> None:
        session.add(ServiceSetting(id=setting_id(MARK), key=MARK, value={}))
        session.flush()
        raise RuntimeError("the handler failed")

    handled(RecordSigned, fail)
    draft = services.assessments.save_draft(
        clinician, patient_id, {"presenting_complaint": "Knee pain"}
    )
    with pytest.raises(RuntimeError, match="the handler failed"):
        services.assessments.sign(clinician, draft.id, PASSWORD)
    assert services.assessments.get(clinician, draft.id).status == AssessmentStatus.DRAFT
    assert _marked(services) is None


def test_an_addendum_raises_amended_naming_the_note(
    services: Services,
    clinician: CurrentUser,
    patient_id: uuid.UUID,
    handled: Callable[[type[Any], Callable[[Session, Any], None]], None],
) -> None:
    amended: list[RecordAmended] = []
    handled(RecordAmended, lambda _session, event: amended.append(event))
    draft = services.assessments.save_draft(
        clinician, patient_id, {"presenting_complaint": "Knee pain"}
    )
    services.assessments.sign(clinician, draft.id, PASSWORD)
    assert amended == []
    view = services.assessments.add_addendum(clinician, draft.id, "Seen again", PASSWORD)
    [event] = amended
    assert (event.record_type, event.record_id, event.actor) == (
        "assessment",
        draft.id,
        clinician.id,
    )
    assert event.addition_id == view.addenda[0].id


def test_events_raised_outside_a_unit_of_work_still_run_before_commit(
    services: Services,
    handled: Callable[[type[Any], Callable[[Session, Any], None]], None],
) -> None:
    ran: list[uuid.UUID] = []
    handled(RecordSigned, lambda _session, event: ran.append(event.record_id))
    record = uuid.uuid4()
    event = RecordSigned("assessment", record, uuid.uuid4(), None, None)
    with services.context.store.sessions.begin() as session:
        raise_event(session, event)
        assert pending_events(session) == (event,)
        assert ran == []
    assert ran == [record]


def test_a_read_never_handles_events_by_writing(
    services: Services,
    clinician: CurrentUser,
    handled: Callable[[type[Any], Callable[[Session, Any], None]], None],
) -> None:
    from clinic_app.kernel.session import WriteRefused

    def write(session: Session, _event: RecordSigned) -> None:
        session.add(ServiceSetting(id=setting_id(MARK), key=MARK, value={}))
        session.flush()

    handled(RecordSigned, write)
    uow = UnitOfWork(services.context)
    with (
        pytest.raises(WriteRefused),
        uow(clinician, Action.STATUS_VIEW, mode=Mode.READ) as session,
    ):
        raise_event(session, RecordSigned("assessment", uuid.uuid4(), uuid.uuid4(), None, None))


def test_handlers_are_kept_once_by_event_type_and_record_type() -> None:
    def handler(_session: Session, _event: RecordSigned) -> None:
        return None

    register_handler(RecordSigned, "example", handler)
    register_handler(RecordSigned, "example", handler)
    try:
        event = RecordSigned("example", uuid.uuid4(), uuid.uuid4(), None, None)
        assert handlers_for(event) == (handler,)
        amended = RecordAmended("example", uuid.uuid4(), uuid.uuid4(), None, None)
        assert handlers_for(amended) == ()
    finally:
        unregister_handler(RecordSigned, "example", handler)
    assert handlers_for(event) == ()
