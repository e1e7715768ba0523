"""Lists of many patients name a registration merged into another record as that record.

A clinician reads the day list, the triage worklist and the letters due by name: a row under
a registration merged away must carry the surviving record's name (the record the row opens),
or "Whitfield" is looked for and not found, and a name the patient no longer uses is read out.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.session import Actor
from clinic_app.kernel.vocabulary import EpisodeStatus
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientSummary
from tests.support.merges import merged_by_sync, renamed
from tests.ui.appointments.conftest import booking
from tests.ui.records import second_registration, urgent_referral


def _summary(demo: Services, patient_id: object) -> PatientSummary:
    supervisor = demo.auth.login("supervisor", demo_password("supervisor"))
    return next(
        p for p in demo.patients.search(supervisor, "999", limit=2000) if p.id == patient_id
    )


def test_the_day_list_worklist_and_letters_due_name_the_surviving_record(demo: Services) -> None:
    clinician = demo.auth.login("clinician", demo_password("clinician"))
    with demo.context.store.sessions() as session:
        episode = session.scalars(
            select(EpisodeOfCare)
            .join(Patient, Patient.id == EpisodeOfCare.patient_id)
            .where(EpisodeOfCare.deleted.is_(False), Patient.nhs_number.is_not(None))
            .order_by(EpisodeOfCare.patient_id)
            .limit(1)
        ).one()
        patient_id, episode_id = episode.patient_id, episode.id
    patient = _summary(demo, patient_id)
    site = demo.appointments.sites(clinician)[0]
    day = demo.appointments.day(clinician).day + timedelta(days=2)
    demo.appointments.book(clinician, booking(patient.id, clinician.id, site.id, day, "14:00"))
    referral = urgent_referral(demo, clinician, patient)
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        closed = session.get(EpisodeOfCare, episode_id)
        assert closed is not None
        closed.status, closed.ended_on = EpisodeStatus.CLOSED, date(2026, 12, 1)
    survivor = second_registration(demo, patient)
    renamed(demo, survivor, "Whitfield")
    merged_by_sync(demo, survivor=survivor, merged=patient.id)

    (row,) = [
        e
        for e in demo.appointments.day(clinician, day=day).entries
        if e.appointment.patient_id == patient.id
    ]
    assert row.patient_name == f"WHITFIELD, {patient.given_name}"
    (item,) = [i for i in demo.triage.worklist(clinician) if i.referral_id == referral.id]
    assert (item.family_name, item.given_name) == ("Whitfield", patient.given_name)
    due = [
        d
        for d in demo.letters.due(clinician, today=date(2026, 12, 7))
        if d.patient_id == patient.id
    ]
    assert due, "the discharge under the merged registration waits for its letter"
    assert {d.patient_name for d in due} == {f"WHITFIELD, {patient.given_name}"}
