"""Attendance as care contacts, the lifecycle's steps by role, non-attendance and its rule."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.appointments.content import SETTING, shipped_dna_rule
from clinic_app.domains.appointments.model import CareContact
from clinic_app.domains.appointments.record import APPOINTMENT
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.errors import Conflict, FormErrors, PermissionDenied, ValidationError
from clinic_app.kernel.session import Actor
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.vocabulary import EpisodeStatus
from clinic_app.people.care import EpisodeChange, EpisodeOfCare
from clinic_app.people.views import ReferralInput
from tests.core.appointments.conftest import Clinic

CES_EMERGENCY = {
    "back_or_leg_pain": "yes",
    "bladder_change": "yes",
    "bowel_change": "no",
    "saddle_numbness": "no",
    "bilateral_leg_symptoms": "no",
    "sexual_dysfunction": "no",
}


def _contacts(services: Services, appointment_id: uuid.UUID) -> list[CareContact]:
    with services.context.store.sessions() as session:
        return list(
            session.scalars(select(CareContact).where(CareContact.appointment_id == appointment_id))
        )


def _episode(clinic: Clinic, patient_id: uuid.UUID) -> uuid.UUID:
    referral = clinic.services.referrals.create(
        clinic.physio,
        ReferralInput(
            patient_id=patient_id,
            source="gp",
            received_on=date.today().isoformat(),
            referrer_name="Dr A Hughes",
            reason="Knee pain",
            specialty="physiotherapy",
            priority="routine",
        ),
    )
    decision = clinic.services.triage.triage(
        clinic.physio,
        referral.id,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    assert decision.episode_id is not None
    return decision.episode_id


def _set_rule(services: Services, **value: object) -> None:
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        row = ServiceSetting(key=SETTING, value=dict(value))
        row.id = setting_id(SETTING)
        session.add(row)


def test_arrive_call_in_finish_records_one_attended_contact(clinic: Clinic) -> None:
    made = clinic.book(mechanism="telephone")
    arrived = clinic.appointments.arrive(clinic.reception, made.id)
    assert (arrived.status, arrived.arrived_at is not None) == ("arrived", True)
    [contact] = _contacts(clinic.services, made.id)
    assert (contact.outcome, contact.mechanism, contact.clinician_id, contact.site_id) == (
        "attended",
        "telephone",
        clinic.physio.id,
        clinic.riverside,
    )
    assert contact.starts_at == arrived.arrived_at
    assert arrived.care_contact_id == contact.id
    # Reception marks arrivals; seeing the patient is the clinician's.
    with pytest.raises(PermissionDenied):
        clinic.appointments.call_in(clinic.reception, made.id)
    in_room = clinic.appointments.call_in(clinic.physio, made.id)
    assert in_room.status == "in_room"
    with pytest.raises(ValidationError) as refused:
        clinic.appointments.finish(clinic.physio, made.id, minutes="0")
    assert (refused.value.code, refused.value.field) == ("appointment.minutes_invalid", "minutes")
    done = clinic.appointments.finish(clinic.physio, made.id, minutes="25")
    assert (done.status, done.finished_at is not None) == ("finished", True)
    [contact] = _contacts(clinic.services, made.id)
    assert contact.minutes == 25
    view = clinic.appointments.contact(clinic.physio, contact.id)
    assert (view.outcome, view.minutes, view.clinician_name, view.site_name) == (
        "attended",
        25,
        "Physio",
        "Riverside",
    )
    assert [c.id for c in clinic.appointments.contacts(clinic.physio, clinic.harriet)] == [
        contact.id
    ]
    assert clinic.appointments.contacts(clinic.physio, clinic.owen) == []
    with pytest.raises(Conflict) as again:
        clinic.appointments.finish(clinic.physio, made.id)
    assert again.value.code == "appointment.cannot_finish"


def test_finish_without_minutes_counts_from_the_times_recorded(clinic: Clinic) -> None:
    made = clinic.book()
    clinic.appointments.call_in(clinic.physio, made.id)  # seen without checking in at the desk
    done = clinic.appointments.finish(clinic.physio, made.id)
    [contact] = _contacts(clinic.services, made.id)
    assert contact.minutes >= 1
    assert contact.starts_at == done.called_at


def test_the_lifecycle_says_who_takes_which_step() -> None:
    life = APPOINTMENT.lifecycle
    assert life.initial == "booked"
    assert life.transitions == {
        ("booked", "arrive"): "arrived",
        ("arrived", "undo_arrival"): "booked",
        ("arrived", "call_in"): "in_room",
        ("booked", "call_in"): "in_room",
        ("arrived", "finish"): "finished",
        ("in_room", "finish"): "finished",
        ("booked", "dna"): "dna",
        ("booked", "cancel"): "cancelled",
    }
    assert not APPOINTMENT.signed
    assert APPOINTMENT.sections == ()


def test_reception_cannot_record_a_non_attendance_nor_a_cancelled_one_be_marked(
    clinic: Clinic,
) -> None:
    made = clinic.book()
    with pytest.raises(PermissionDenied):
        clinic.appointments.did_not_attend(clinic.reception, made.id)
    clinic.appointments.cancel(clinic.reception, made.id, cancelled_by="service", reason="Ill")
    for step in (clinic.appointments.arrive, clinic.appointments.call_in):
        with pytest.raises(Conflict):
            step(clinic.physio, made.id)
    with pytest.raises(Conflict):
        clinic.appointments.did_not_attend(clinic.physio, made.id)
    assert _contacts(clinic.services, made.id) == []


def test_a_non_attendance_is_a_contact_of_its_own(clinic: Clinic) -> None:
    made = clinic.book(appointment_type="new")
    check = clinic.appointments.dna_check(clinic.physio, made.id)
    assert (check.emergencies, check.earlier_dnas, check.discharge_offered) == ((), 0, False)
    assert check.rule_words
    dna = clinic.appointments.did_not_attend(clinic.physio, made.id)
    assert dna.status == "dna"
    [contact] = _contacts(clinic.services, made.id)
    assert (contact.outcome, contact.minutes, contact.starts_at) == (
        "did_not_attend",
        0,
        made.starts_at,
    )


def test_with_an_open_emergency_the_action_taken_is_required_and_kept(clinic: Clinic) -> None:
    made = clinic.book()
    other = clinic.book(clinic.owen, time="11:00")
    clinic.services.red_flags.record(clinic.physio, clinic.harriet, "cauda_equina", CES_EMERGENCY)
    check = clinic.appointments.dna_check(clinic.physio, made.id)
    assert len(check.emergencies) == 1
    assert check.emergencies[0].startswith("Emergency")
    # The other patient's check names no emergency: the emergency is Harriet's alone.
    assert clinic.appointments.dna_check(clinic.physio, other.id).emergencies == ()
    with pytest.raises(FormErrors) as refused:
        clinic.appointments.did_not_attend(clinic.physio, made.id, emergency_action="  ")
    assert [(e.code, e.field) for e in refused.value.errors] == [
        ("appointment.emergency_action_required", "emergency_action")
    ]
    assert clinic.appointments.get(clinic.physio, made.id).status == "booked"
    action = "Telephoned the patient: attended ED this morning, admitted."
    clinic.appointments.did_not_attend(clinic.physio, made.id, emergency_action=action)
    [contact] = _contacts(clinic.services, made.id)
    assert contact.emergency_action == action
    assert clinic.appointments.contacts(clinic.physio, clinic.harriet)[0].emergency_action == (
        action
    )


def test_the_shipped_rule_offers_discharge_at_the_second_consecutive_dna(clinic: Clinic) -> None:
    rule = shipped_dna_rule()
    assert (rule.offer_discharge_after, rule.consecutive) == (2, True)
    episode = _episode(clinic, clinic.harriet)
    first = clinic.book(episode_id=episode, time="09:00")
    second = clinic.book(episode_id=episode, time="10:00")
    clinic.appointments.did_not_attend(clinic.physio, first.id)
    check = clinic.appointments.dna_check(clinic.physio, second.id)
    assert (check.earlier_dnas, check.discharge_offered) == (1, True)
    with pytest.raises(FormErrors) as refused:
        clinic.appointments.did_not_attend(clinic.physio, second.id)
    assert [e.field for e in refused.value.errors] == ["decision"]
    with pytest.raises(FormErrors):
        clinic.appointments.did_not_attend(clinic.physio, second.id, decision="maybe")
    clinic.appointments.did_not_attend(clinic.physio, second.id, decision="discharged")
    [contact] = _contacts(clinic.services, second.id)
    assert contact.dna_decision == "discharged"
    with clinic.services.context.store.sessions() as session:
        row = session.get(EpisodeOfCare, episode)
        assert row is not None
        assert row.status is EpisodeStatus.CLOSED
        [change] = session.scalars(select(EpisodeChange).where(EpisodeChange.episode_id == episode))
        assert change.change == "closed"
        assert change.changed_by == clinic.physio.id


def test_an_attendance_in_between_starts_the_count_again(clinic: Clinic) -> None:
    episode = _episode(clinic, clinic.harriet)
    missed = clinic.book(episode_id=episode, time="09:00")
    seen = clinic.book(episode_id=episode, time="10:00")
    later = clinic.book(episode_id=episode, time="11:00")
    clinic.appointments.did_not_attend(clinic.physio, missed.id)
    clinic.appointments.arrive(clinic.reception, seen.id)
    clinic.appointments.finish(clinic.physio, seen.id, minutes="20")
    check = clinic.appointments.dna_check(clinic.physio, later.id)
    assert (check.earlier_dnas, check.discharge_offered) == (0, False)
    # A decision is refused when the rule offers nothing.
    with pytest.raises(FormErrors):
        clinic.appointments.did_not_attend(clinic.physio, later.id, decision="discharged")


def test_the_rule_is_the_service_setting_over_the_cited_default(clinic: Clinic) -> None:
    episode = _episode(clinic, clinic.harriet)
    first = clinic.book(episode_id=episode, time="09:00")
    second = clinic.book(episode_id=episode, time="10:00")
    assert clinic.appointments.dna_check(clinic.physio, first.id).discharge_offered is False
    _set_rule(clinic.services, offer_discharge_after=1)
    offered = clinic.appointments.dna_check(clinic.physio, first.id)
    assert offered.discharge_offered is True
    assert "1st" in offered.rule_words
    clinic.appointments.did_not_attend(
        clinic.physio, first.id, decision="discharge_offered_declined"
    )
    [contact] = _contacts(clinic.services, first.id)
    assert contact.dna_decision == "discharge_offered_declined"
    with clinic.services.context.store.sessions() as session:
        row = session.get(EpisodeOfCare, episode)
        assert row is not None
        assert row.status is EpisodeStatus.OPEN
    # A service that does not count a non-attendance at a new patient appointment.
    new = clinic.book(clinic.owen, time="12:00", appointment_type="new")
    assert clinic.appointments.dna_check(clinic.physio, new.id).discharge_offered is True
    with clinic.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=clinic.services.context.device_id)
        setting = session.get(ServiceSetting, setting_id(SETTING))
        assert setting is not None
        setting.value = {"offer_discharge_after": 1, "first_new_patient_dna_counts": False}
    assert clinic.appointments.dna_check(clinic.physio, new.id).discharge_offered is False
    assert clinic.appointments.dna_check(clinic.physio, second.id).discharge_offered is True


def test_times_are_kept_in_utc(clinic: Clinic) -> None:
    made = clinic.book()
    arrived = clinic.appointments.arrive(clinic.reception, made.id)
    assert arrived.arrived_at is not None
    assert arrived.arrived_at.utcoffset() == timedelta(0)
    assert abs(arrived.arrived_at - datetime.now(arrived.arrived_at.tzinfo)) < timedelta(minutes=1)
