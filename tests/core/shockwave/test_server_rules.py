"""The server authorises a pushed course or session by its lifecycle and its course.

A tampered device could push a session beyond the course's plan, one onto another patient's
course or a closed one, an edit to a signed session, or a device register it changed itself:
the server refuses each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.kernel.outbox import wire_value
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.text import search_key
from clinic_app.server import users
from clinic_app.server.apply import apply_push
from clinic_app.server.authorise import Acting, refusal
from clinic_app.server.database import open_server_store
from clinic_app.sync.protocol import Change, PushRequest, Status
from tests.support.server_push import sealed

DEVICE = uuid.UUID("01900000-0000-7000-8000-00000000e5f7")
TODAY = date.today()
NOW = datetime.now(UTC).replace(microsecond=0)


def _change(kind: str, table: str) -> Change:
    return Change(uuid.uuid4(), table, uuid.uuid4(), kind, 0, {})


def test_only_the_service_lead_writes_the_device_register() -> None:
    device = {"serial": "RS-1"}
    lead = Acting(uuid.uuid4(), Role.ADMIN)

    assert refusal(lead, _change("insert", "eswt_device"), None, device) is None
    assert refusal(lead, _change("update", "eswt_device"), device, device) is None
    for role in (Role.CLINICIAN, Role.SUPERVISOR, Role.SONOGRAPHER, Role.TRAINEE):
        acting = Acting(uuid.uuid4(), role)
        assert refusal(acting, _change("insert", "eswt_device"), None, device) == (
            "sync.not_allowed"
        )
        assert refusal(acting, _change("update", "eswt_device"), device, device) == (
            "sync.not_allowed"
        )


def test_those_who_give_shockwave_push_their_own_drafts_and_nobody_else() -> None:
    author = uuid.uuid4()
    draft = {"status": "draft", "created_by": author}
    for table in ("eswt_course", "eswt_session"):
        for role in (Role.CLINICIAN, Role.SUPERVISOR):
            assert refusal(Acting(author, role), _change("insert", table), None, draft) is None
        for role in (Role.TRAINEE, Role.SONOGRAPHER, Role.ADMIN):
            assert refusal(Acting(author, role), _change("insert", table), None, draft) == (
                "sync.not_allowed"
            )


# ---------------------------------------------------------------- a hostile push, end to end


@dataclass(frozen=True)
class Server:
    engine: Engine
    clinician: Acting
    lead: Acting

    def push(self, acting: Acting, *changes: Change) -> list[tuple[Status, str | None]]:
        with self.engine.begin() as conn:
            response = apply_push(
                conn, DEVICE, PushRequest(uuid.uuid4(), tuple(changes)), None, acting=acting
            )
        return [(result.status, result.reason) for result in response.results]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    store = open_server_store(f"sqlite:///{tmp_path / 'server.db'}")
    with store.engine.begin() as conn:
        made = {
            name: users.add_user(
                conn,
                username=name,
                display_name=f"{name.title()} Example",
                role=role,
                password="correct horse battery 1",
                professional_body=None if role is Role.ADMIN else "HCPC",
            )
            for name, role in (("clinician", Role.CLINICIAN), ("lead", Role.ADMIN))
        }
    yield Server(
        store.engine, Acting(made["clinician"], Role.CLINICIAN), Acting(made["lead"], Role.ADMIN)
    )
    store.engine.dispose()


def _wire(by: Acting, **values: Any) -> dict[str, Any]:
    stamped = {
        "created_at": NOW,
        "updated_at": NOW,
        "created_by": by.user_id,
        "updated_by": by.user_id,
        "device_id": DEVICE,
        "deleted": False,
        **values,
    }
    return {name: wire_value(value) for name, value in stamped.items()}


def _insert(table: str, row_id: uuid.UUID, by: Acting, **values: Any) -> Change:
    return Change(uuid.uuid4(), table, row_id, "insert", 0, _wire(by, **values), by.user_id)


def _patient(by: Acting, nhs_number: str) -> tuple[uuid.UUID, Change]:
    patient = uuid.uuid4()
    return patient, _insert(
        "patient",
        patient,
        by,
        nhs_number=nhs_number,
        given_name="Ada",
        family_name="Example",
        given_key=search_key("Ada"),
        family_key=search_key("Example"),
        date_of_birth=date(1960, 1, 1),
        sex="2",
        ethnicity="Z",
        postcode="LS1 4AP",
    )


def _course(patient: uuid.UUID, by: Acting, **changes: Any) -> tuple[uuid.UUID, Change]:
    course = uuid.uuid4()
    values: dict[str, Any] = {
        "patient_id": patient,
        "status": "draft",
        "indication": "plantar_fasciitis",
        "side": "left",
        "planned_sessions": 3,
        "governance": {"nice_information_given": True, "audit_entered": True},
        "contraindications": {"infection": "no"},
        "outcome_before": {"pain_nrs": 7},
        "outcome_after": {},
        "sdm_missing_reason": "Decided before aids were used.",
        **changes,
    }
    if values["status"] == "signed":
        values = sealed("eswt_course", values)
    return course, _insert("eswt_course", course, by, **values)


def _session(course: uuid.UUID, patient: uuid.UUID, by: Acting, **changes: Any) -> Change:
    values: dict[str, Any] = {
        "course_id": course,
        "patient_id": patient,
        "status": "signed",
        "number": 1,
        "performed_on": TODAY,
        "device_serial": "RS-1",
        "applicator": "15 mm",
        "pressure_bar": 2.5,
        "frequency_hz": 10,
        "pulses": 2000,
        "target": "Plantar fascia origin",
        "ultrasound_guided": False,
        "local_anaesthetic": False,
        "side_effects": [],
        "acknowledgements": [],
        "signed_at": NOW,
        "signed_by": by.user_id,
        **changes,
    }
    return _insert("eswt_session", uuid.uuid4(), by, **sealed("eswt_session", values))


def _device(server: Server) -> uuid.UUID:
    """A device in the register, added by the service lead."""
    device = uuid.uuid4()
    added = _insert(
        "eswt_device",
        device,
        server.lead,
        make="Example Medical",
        model="Radial 2",
        serial="RS-1",
        kind="radial",
        last_service_on=TODAY,
    )
    assert server.push(server.lead, added) == [(Status.APPLIED, None)]
    return device


def test_a_signed_session_within_its_course_is_applied(server: Server) -> None:
    patient, registered = _patient(server.clinician, "9990000018")
    course, opened = _course(patient, server.clinician)

    results = server.push(
        server.clinician, registered, opened, _session(course, patient, server.clinician)
    )

    assert results == [(Status.APPLIED, None)] * 3


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"number": 4}, "sync.not_allowed"),
        ({"number": 0}, "sync.not_allowed"),
        ({"number": "four"}, "sync.bad_value"),
        ({"course_id": uuid.uuid4()}, "sync.not_allowed"),
        ({"performed_on": TODAY + timedelta(days=3)}, "sync.not_allowed"),
    ],
)
def test_a_session_outside_its_course_is_refused(
    server: Server, changes: dict[str, Any], reason: str
) -> None:
    patient, registered = _patient(server.clinician, "9990000018")
    course, opened = _course(patient, server.clinician)

    results = server.push(
        server.clinician, registered, opened, _session(course, patient, server.clinician, **changes)
    )

    assert results[2] == (Status.REJECTED, reason)


@pytest.mark.parametrize(
    "course_changes",
    [
        {"contraindications": {"infection": "no", "pregnancy": "yes"}},
        {"governance": {"nice_information_given": True, "audit_entered": False}},
        {"governance": {"nice_information_given": True}},
    ],
)
def test_a_signing_the_course_stops_is_refused(
    server: Server, course_changes: dict[str, Any]
) -> None:
    patient, registered = _patient(server.clinician, "9990000018")
    course, opened = _course(patient, server.clinician, **course_changes)

    results = server.push(
        server.clinician, registered, opened, _session(course, patient, server.clinician)
    )

    assert results == [(Status.APPLIED, None)] * 2 + [(Status.REJECTED, "sync.not_allowed")]


def test_a_session_on_another_patients_course_or_a_closed_one_is_refused(server: Server) -> None:
    patient, registered = _patient(server.clinician, "9990000018")
    other, other_registered = _patient(server.clinician, "9990000026")
    course, opened = _course(patient, server.clinician)
    device = _device(server)
    closed, closed_course = _course(
        patient,
        server.clinician,
        eswt_device_id=device,
        status="signed",
        outcome_after={"pain_nrs": 2},
        signed_at=NOW,
        signed_by=server.clinician.user_id,
    )
    assert (
        server.push(server.clinician, registered, other_registered, opened, closed_course)
        == [(Status.APPLIED, None)] * 4
    )

    assert server.push(server.clinician, _session(course, other, server.clinician)) == [
        (Status.REJECTED, "sync.wrong_patient")
    ]
    assert server.push(server.clinician, _session(closed, patient, server.clinician)) == [
        (Status.REJECTED, "sync.not_allowed")
    ]


def test_a_signed_session_is_never_edited_and_a_clinician_never_changes_a_device(
    server: Server,
) -> None:
    patient, registered = _patient(server.clinician, "9990000018")
    course, opened = _course(patient, server.clinician)
    signed = _session(course, patient, server.clinician)
    device = _device(server)
    assert server.push(server.clinician, registered, opened, signed) == [(Status.APPLIED, None)] * 3

    edit = Change(
        uuid.uuid4(), "eswt_session", signed.row_id, "update", 1, _wire(server.clinician, pulses=9)
    )
    # No step leads from a signed session: the lifecycle refuses the change itself.
    assert server.push(server.clinician, edit) == [(Status.REJECTED, "sync.step_refused")]
    serviced = Change(
        uuid.uuid4(),
        "eswt_device",
        device,
        "update",
        1,
        _wire(server.clinician, last_service_on=TODAY - timedelta(days=1)),
    )
    assert server.push(server.clinician, serviced) == [(Status.REJECTED, "sync.not_allowed")]
