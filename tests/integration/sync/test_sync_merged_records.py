"""Work made under a registration merged into another record syncs through the real server.

Two laptops register one patient offline; a supervisor merges the pair (the first laptop's
registration survives). A draft begun under the registration merged away is continued and
signed from the surviving record, and new records on the survivor link records of the
registration merged away: the server takes each (they are one patient's), and the other
laptop receives them. A link to a patient never merged with either is still refused.

The server runs as ``onestop-server serve`` over a fresh PostgreSQL database; each laptop is a
real encrypted store writing through its services.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic_app.bootstrap import create_clinic
from clinic_app.domains.appointments.model import Appointment
from clinic_app.domains.injections.views import InjectionInput, PgdView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.people.views import PatientInput, ReferralInput
from clinic_app.sync.client import SyncReport
from clinic_app.sync.model import SyncIssue
from clinic_app.sync.protocol import Status
from tests.core.care_plans.conftest import agreed_plan
from tests.core.contacts.booked import seen_today
from tests.core.decisions.conftest import AID, sample_catalogue
from tests.core.decisions.test_decision_record import TALKED_THROUGH
from tests.core.injections.helpers import knee_injection
from tests.integration.sync.hostile_moves.helpers import change, push, token
from tests.support.sync_server import Device, SyncServer, enrolled_device, sign_in

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"
NHS = "9990000018"
OTHER_NHS = "9990000026"
SOAP = {
    "subjective": "Shoulder easier at night.",
    "objective": "Abduction to 150 degrees.",
    "treatment": "Progressed band work.",
    "plan": "Review in three weeks.",
}


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        running.add_site("Riverside Clinic")
        running.add_user("lead", "Lead Physio", "supervisor", PASSWORD)
        running.add_user("physio", "A Physio", "clinician", PASSWORD)
        yield running


def _device(server: SyncServer, tmp_path: Path, name: str) -> Iterator[Device]:
    services = create_clinic(tmp_path / f"{name}.db")
    # The decision aid the tests use (the server does not read the catalogue).
    services.decisions.aids = sample_catalogue
    device = enrolled_device(server, services, name)
    # Changes reach the server only as a signed-in user's: both sign in online.
    sign_in(device, "lead", PASSWORD)
    sign_in(device, "physio", PASSWORD)
    yield device
    device.transport.close()
    services.close()


@pytest.fixture
def laptop_a(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _device(server, tmp_path, "laptop-a")


@pytest.fixture
def laptop_b(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _device(server, tmp_path, "laptop-b")


def _register(device: Device, nhs_number: str, family_name: str = "Lovelace") -> uuid.UUID:
    services = device.services
    patient = services.patients.register(
        device.actor,
        PatientInput(
            given_name="Ada",
            family_name=family_name,
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs_number,
        ),
    )
    services.referrals.create(
        device.actor,
        ReferralInput(
            patient_id=patient.id,
            source="gp",
            received_on="2026-11-30",
            referrer_name="Dr A Hughes",
            reason="Knee pain",
            specialty="physiotherapy",
        ),
    )
    return patient.id


@dataclass
class Pair:
    """Ada registered on each laptop: ``survivor`` on A, ``merged`` on B (merged into it)."""

    survivor: uuid.UUID
    merged: uuid.UUID


def _registered_twice(laptop_a: Device, laptop_b: Device) -> Pair:
    """Ada registered offline on each laptop, then both synced (not merged yet)."""
    pair = Pair(_register(laptop_a, NHS), _register(laptop_b, NHS))
    for device in (laptop_a, laptop_b, laptop_a):
        _clean(device, device.client.sync_once())
    return pair


def _merge(laptop_a: Device, laptop_b: Device, pair: Pair) -> None:
    """The supervisor merges B's registration into A's on laptop A; both laptops sync."""
    lead = laptop_a.services.auth.login("lead", PASSWORD)
    (duplicate,) = laptop_a.services.duplicates.open_duplicates(lead)
    laptop_a.services.duplicates.merge(lead, duplicate.id, pair.survivor, "Same NHS number")
    for device in (laptop_a, laptop_b, laptop_a):
        _clean(device, device.client.sync_once())
    physio_b = laptop_b.services.auth.login("physio", PASSWORD)
    assert laptop_b.services.patients.open(physio_b, pair.merged).id == pair.survivor


def _issues(device: Device) -> list[tuple[str, str, str]]:
    with device.services.context.store.sessions() as session:
        return [
            (i.table_name, i.kind, i.reason)
            for i in session.scalars(select(SyncIssue).where(SyncIssue.resolved.is_(False)))
        ]


def _clean(device: Device, report: SyncReport) -> None:
    """Everything the laptop had pushed was taken: nothing refused, nothing left to go."""
    refused = {
        k: v for k, v in report.statuses.items() if k not in {"applied", "merged", "duplicate"}
    }
    assert refused == {}, (report.statuses, _issues(device))
    assert _issues(device) == []
    assert device.client.outbox_size() == 0


def _physio(device: Device) -> CurrentUser:
    return device.services.auth.login("physio", PASSWORD)


def _by_prescriber(**changes: object) -> InjectionInput:
    """A knee injection today on a prescriber's direction (no PGD to set up on the server)."""
    no_pgd = PgdView(uuid.uuid4(), "", "", date.today(), date.today(), (), (), (), 1)
    fields = replace(
        knee_injection(no_pgd),
        authority_kind="prescriber",
        pgd_id=None,
        pgd_version=None,
        review_date=date.today() + timedelta(weeks=6),
    )
    return replace(fields, **changes)  # type: ignore[arg-type]


def _sign_injection(
    device: Device, user: CurrentUser, record: uuid.UUID, patient: uuid.UUID
) -> None:
    injections = device.services.injections
    for warning in injections.checks(user, record, patient_id=patient).warnings:
        injections.acknowledge(user, record, warning.code, patient_id=patient)
    injections.sign(user, record, PASSWORD, patient_id=patient)


@pytest.mark.parametrize("continued_on", ["b", "a"])
def test_drafts_begun_under_the_merged_registration_are_signed_from_the_survivor_and_synced(
    laptop_a: Device, laptop_b: Device, continued_on: str
) -> None:
    pair = _registered_twice(laptop_a, laptop_b)
    services, me = laptop_b.services, _physio(laptop_b)
    # On B, before the merge: four drafts under B's own registration.
    assessment = services.assessments.save_draft(
        me, pair.merged, {"presenting_complaint": "Knee pain on stairs"}
    )
    appointment = seen_today(services, me, pair.merged)
    note = services.contact_notes.start(me, pair.merged, appointment)
    services.contact_notes.save_draft(me, pair.merged, {"subjective": SOAP["subjective"]}, note.id)
    plan = services.care_plans.start(me, pair.merged)
    services.care_plans.save(me, plan.id, pair.merged, agreed_plan())
    injection = services.injections.start(me, pair.merged)
    services.injections.save(me, injection.id, _by_prescriber(side="right"), patient_id=pair.merged)
    _clean(laptop_b, laptop_b.client.sync_once())

    _merge(laptop_a, laptop_b, pair)

    # After the merge, on B (which made them) or on A (whose registration survived, and
    # which had them only by sync): each continued and signed from the surviving record.
    working, receiving = (laptop_b, laptop_a) if continued_on == "b" else (laptop_a, laptop_b)
    services, me, survivor = working.services, _physio(working), pair.survivor
    assert services.assessments.get(me, assessment.id, survivor).id == assessment.id
    services.assessments.save_draft(
        me, survivor, {"presenting_complaint": "Knee pain on stairs and kneeling"}, assessment.id
    )
    services.assessments.sign(me, assessment.id, PASSWORD)
    assert services.contact_notes.start(me, survivor, appointment).id == note.id
    services.contact_notes.save_draft(me, survivor, SOAP, note.id)
    services.contact_notes.sign(me, note.id, PASSWORD)
    assert services.care_plans.start(me, survivor).id == plan.id
    services.care_plans.save(me, plan.id, survivor, agreed_plan())
    services.care_plans.sign(me, plan.id, survivor, PASSWORD)
    assert services.injections.start(me, survivor).id == injection.id
    services.injections.save(me, injection.id, _by_prescriber(side="left"), patient_id=survivor)
    _sign_injection(working, me, injection.id, survivor)

    _clean(working, working.client.sync_once())
    _clean(receiving, receiving.client.sync_once())

    # The other laptop receives each signed, opened from the surviving registration.
    there, on_a = _physio(receiving), receiving.services
    signed = on_a.assessments.get(there, assessment.id, survivor)
    assert (signed.status, signed.content["presenting_complaint"]) == (
        "signed",
        "Knee pain on stairs and kneeling",
    )
    assert on_a.contact_notes.get(there, note.id, survivor).is_signed
    assert on_a.care_plans.get(there, plan.id, survivor).is_signed
    given = on_a.injections.get(there, injection.id, patient_id=survivor)
    assert (given.is_signed, given.patient_id, given.fields.side) == (True, pair.merged, "left")


def test_records_on_the_survivor_link_records_of_the_merged_registration_and_sync(
    laptop_a: Device, laptop_b: Device
) -> None:
    pair = _registered_twice(laptop_a, laptop_b)
    on_b, me_b = laptop_b.services, _physio(laptop_b)
    # On B, before the merge: a shared decision and a care plan signed, an appointment seen.
    decision = on_b.decisions.start(me_b, pair.merged, AID)
    on_b.decisions.save(me_b, decision.id, pair.merged, TALKED_THROUGH)
    on_b.decisions.sign(me_b, decision.id, pair.merged, PASSWORD)
    plan = on_b.care_plans.start(me_b, pair.merged)
    on_b.care_plans.save(me_b, plan.id, pair.merged, agreed_plan())
    on_b.care_plans.sign(me_b, plan.id, pair.merged, PASSWORD)
    appointment = seen_today(on_b, me_b, pair.merged)
    _clean(laptop_b, laptop_b.client.sync_once())

    _merge(laptop_a, laptop_b, pair)

    # On A, whose registration survived: new records naming those made under B's.
    on_a, me_a, survivor = laptop_a.services, _physio(laptop_a), pair.survivor
    injection = on_a.injections.start(me_a, survivor, episode_id=decision.episode_id)
    on_a.injections.save(
        me_a,
        injection.id,
        _by_prescriber(sdm_record_id=decision.id, sdm_missing_reason=None),
        patient_id=survivor,
    )
    _sign_injection(laptop_a, me_a, injection.id, survivor)
    review = on_a.care_plans.review(me_a, plan.id, survivor)
    assert review.supersedes_id == plan.id
    on_a.care_plans.save(me_a, review.id, survivor, agreed_plan())
    on_a.care_plans.sign(me_a, review.id, survivor, PASSWORD)
    note = on_a.contact_notes.start(me_a, survivor, appointment)
    assert note.patient_id == survivor
    on_a.contact_notes.save_draft(me_a, survivor, SOAP, note.id)
    on_a.contact_notes.sign(me_a, note.id, PASSWORD)
    # Each joins a row of the survivor to one of the registration merged away.
    assert (decision.patient_id, _appointment_patient(laptop_a, appointment)) == (
        pair.merged,
        pair.merged,
    )
    assert on_a.injections.get(me_a, injection.id, patient_id=survivor).patient_id == survivor

    _clean(laptop_a, laptop_a.client.sync_once())
    _clean(laptop_b, laptop_b.client.sync_once())

    # Laptop B receives each signed, with its link to what was made under its registration.
    given = on_b.injections.get(me_b, injection.id, patient_id=pair.merged)
    assert (given.is_signed, given.fields.sdm_record_id) == (True, decision.id)
    reviewed = on_b.care_plans.get(me_b, review.id, pair.merged)
    assert (reviewed.is_signed, reviewed.supersedes_id) == (True, plan.id)
    written = on_b.contact_notes.get(me_b, note.id, pair.merged)
    assert (written.is_signed, written.appointment_id) == (True, appointment)


def _appointment_patient(device: Device, appointment_id: uuid.UUID) -> uuid.UUID:
    with device.services.context.store.sessions() as session:
        found = session.get(Appointment, appointment_id)
        assert found is not None
        return found.patient_id


def _outbox_insert(device: Device, table: str, row_id: uuid.UUID) -> dict[str, object]:
    """The row as the laptop's outbox would first send it (its insert and later updates)."""
    fields: dict[str, object] = {}
    with device.services.context.store.sessions.begin() as session:
        for entry in session.scalars(
            select(OutboxEntry)
            .where(OutboxEntry.table_name == table, OutboxEntry.row_id == row_id)
            .order_by(OutboxEntry.seq)
        ):
            fields.update(entry.changed)
    return fields


def test_a_link_to_a_patient_never_merged_is_still_refused(
    laptop_a: Device, laptop_b: Device
) -> None:
    pair = _registered_twice(laptop_a, laptop_b)
    on_b, me_b = laptop_b.services, _physio(laptop_b)
    decision = on_b.decisions.start(me_b, pair.merged, AID)
    on_b.decisions.save(me_b, decision.id, pair.merged, TALKED_THROUGH)
    on_b.decisions.sign(me_b, decision.id, pair.merged, PASSWORD)
    appointment = seen_today(on_b, me_b, pair.merged)
    _clean(laptop_b, laptop_b.client.sync_once())
    _merge(laptop_a, laptop_b, pair)

    # Another patient on A, alike but never merged with Ada: an injection and a note drafted
    # for them, then pushed as a tampered laptop would, naming Ada's decision and appointment.
    on_a, me_a = laptop_a.services, _physio(laptop_a)
    stranger = _register(laptop_a, OTHER_NHS, "Byron")
    _clean(laptop_a, laptop_a.client.sync_once())
    injection = on_a.injections.start(me_a, stranger)
    on_a.injections.save(me_a, injection.id, _by_prescriber(), patient_id=stranger)
    note = on_a.contact_notes.save_draft(me_a, stranger, SOAP)
    pushed = {
        "injection_record": (injection.id, {"sdm_record_id": str(decision.id)}),
        "contact_note": (note.id, {"appointment_id": str(appointment)}),
    }
    for table, (row_id, links) in pushed.items():
        fields = {**_outbox_insert(laptop_a, table, row_id), **links}
        response = push(laptop_a, token(laptop_a), change(table, row_id, fields, op="insert"))
        (result,) = response.results
        assert (result.status, result.reason) == (Status.REJECTED, "sync.wrong_patient"), table
    # As drafted, with no link to Ada's records, the same rows are taken.
    _clean(laptop_a, laptop_a.client.sync_once())
