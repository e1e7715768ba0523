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
from tests.bench.common import captured
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


def test_the_letters_due_name_their_patients_in_reads_that_do_not_grow_with_the_list(
    demo: Services,
) -> None:
    """Each item's patient was read on its own, twice (the merge, then the row): a long list
    of letters due was a long wait. Closing more episodes adds items, never reads."""
    clinician = demo.auth.login("clinician", demo_password("clinician"))

    def close(count: int) -> None:
        with demo.context.store.sessions.begin() as session:
            session.actor = Actor(device_id=demo.context.device_id)
            open_ = session.scalars(
                select(EpisodeOfCare)
                .where(
                    EpisodeOfCare.deleted.is_(False),
                    EpisodeOfCare.status != EpisodeStatus.CLOSED,
                )
                .order_by(EpisodeOfCare.id)
                .limit(count)
            ).all()
            assert len(open_) == count
            for episode in open_:
                episode.status, episode.ended_on = EpisodeStatus.CLOSED, date(2026, 12, 1)

    def reads() -> tuple[int, int]:
        found: list[object] = []
        statements = captured(
            demo.context.store.engine,
            lambda: found.extend(demo.letters.due(clinician, today=date(2026, 12, 7))),
        )
        return len(found), sum(1 for s, _ in statements if s.lstrip().upper().startswith("SELECT"))

    close(1)
    few, few_reads = reads()
    close(3)
    many, many_reads = reads()
    assert many >= few + 3
    assert many_reads == few_reads
