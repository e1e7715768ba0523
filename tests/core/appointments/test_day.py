"""The day lists (a clinician's, a site's): contents, order, needs; the timeline's lines."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from clinic_app.domains.imaging.model import ImagingStudy
from clinic_app.domains.reports.model import ScanReport
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.session import Actor
from clinic_app.people.sync_service import LAST_SUCCESS_KEY
from tests.bench.common import captured
from tests.core.appointments.conftest import Clinic

TOMORROW = date.today() + timedelta(days=1)
CES_EMERGENCY = {
    "back_or_leg_pain": "yes",
    "bladder_change": "yes",
    "bowel_change": "no",
    "saddle_numbness": "no",
    "bilateral_leg_symptoms": "no",
    "sexual_dysfunction": "no",
}


def test_each_clinician_sees_only_their_own_day_in_time_order(clinic: Clinic) -> None:
    late = clinic.book(time="15:00")
    early = clinic.book(clinic.owen, time="09:00", appointment_type="new")
    theirs = clinic.book(
        clinic.owen, time="10:00", clinician_id=clinic.consultant.id, site_id=clinic.hilltop
    )
    gone = clinic.book(time="11:00")
    clinic.appointments.cancel(clinic.reception, gone.id, cancelled_by="patient", reason="Away")
    missed = clinic.book(time="12:00")
    clinic.appointments.did_not_attend(clinic.physio, missed.id)
    other_day = clinic.book(day=(TOMORROW + timedelta(days=1)).isoformat())

    mine = clinic.appointments.day(clinic.physio, day=TOMORROW)
    assert [e.appointment.id for e in mine.entries] == [early.id, missed.id, late.id]
    assert (mine.clinician_id, mine.site_id, mine.day) == (clinic.physio.id, None, TOMORROW)
    assert [e.appointment.status for e in mine.entries] == ["booked", "dna", "booked"]
    assert [e.patient_name for e in mine.entries] == [
        "BRYCE, Owen",
        "ASHWORTH, Harriet",
        "ASHWORTH, Harriet",
    ]
    assert mine.entries[0].nhs_number == "9990000026"
    # A patient who did not attend has no note to write: their row opens the record.
    assert [e.opens for e in mine.entries] == ["assessment", "patient", "contact_note"]

    consultant = clinic.appointments.day(clinic.consultant, day=TOMORROW)
    assert [e.appointment.id for e in consultant.entries] == [theirs.id]
    ids = {e.appointment.id for e in consultant.entries}
    assert not ids & {late.id, early.id, gone.id, missed.id, other_day.id}
    # Another clinician's list, asked for by name (reception's view of one clinician).
    asked = clinic.appointments.day(
        clinic.reception, day=TOMORROW, clinician_id=clinic.consultant.id
    )
    assert [e.appointment.id for e in asked.entries] == [theirs.id]

    riverside = clinic.appointments.site_day(clinic.reception, clinic.riverside, TOMORROW)
    assert [e.appointment.id for e in riverside.entries] == [early.id, missed.id, late.id]
    hilltop = clinic.appointments.site_day(clinic.reception, clinic.hilltop, TOMORROW)
    assert [e.appointment.id for e in hilltop.entries] == [theirs.id]


def test_the_needs_of_each_appointment_are_its_patients_own(clinic: Clinic) -> None:
    harriet = clinic.book(time="09:00")
    owen = clinic.book(clinic.owen, time="09:30")
    nothing = clinic.appointments.day(clinic.physio, day=TOMORROW).entries
    assert [e.needs for e in nothing] == [nothing[0].needs, nothing[0].needs]
    assert nothing[0].needs.unsigned == ()
    assert not nothing[0].needs.red_flag

    clinic.services.assessments.save_draft(
        clinic.physio, clinic.harriet, {"presenting_complaint": "Knee pain"}
    )
    clinic.services.red_flags.record(clinic.physio, clinic.harriet, "cauda_equina", CES_EMERGENCY)
    clinic.services.questionnaires.record(
        clinic.physio, clinic.owen, "pain_nrs", {"pain_now": 6}, "baseline", "clinician"
    )
    entries = {
        e.appointment.id: e for e in clinic.appointments.day(clinic.physio, day=TOMORROW).entries
    }
    assert entries[harriet.id].needs.unsigned == ("Assessment",)
    assert entries[harriet.id].needs.red_flag
    assert entries[harriet.id].needs.questionnaires_due == ()
    assert entries[owen.id].needs.unsigned == ()
    assert not entries[owen.id].needs.red_flag
    assert len(entries[owen.id].needs.questionnaires_due) == 1


def test_the_day_list_says_when_this_device_last_synced_and_is_audited(clinic: Clinic) -> None:
    clinic.book()
    assert clinic.appointments.day(clinic.physio, day=TOMORROW).synced_at is None
    when = datetime(2026, 12, 4, 17, 5, tzinfo=UTC)
    with clinic.services.context.store.sessions.begin() as session:
        session.add(StoreMeta(key=LAST_SUCCESS_KEY, value=when.isoformat()))
    with clinic.services.context.store.sessions() as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    assert clinic.appointments.day(clinic.physio, day=TOMORROW).synced_at == when
    with clinic.services.context.store.sessions() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        after = session.scalar(select(func.count()).select_from(AuditEntry))
    assert last is not None
    assert (after, last.action, last.user_id) == (
        (before or 0) + 1,
        "appointment.day_list",
        clinic.physio.id,
    )


def test_appointments_and_contacts_on_the_timeline_one_line_each(clinic: Clinic) -> None:
    coming = clinic.book(time="10:30")
    seen = clinic.book(time="09:00", mechanism="telephone")
    missed = clinic.book(time="12:00")
    other = clinic.book(clinic.owen, time="11:00")
    clinic.appointments.arrive(clinic.reception, seen.id)
    clinic.appointments.finish(clinic.physio, seen.id, minutes="20")
    clinic.appointments.did_not_attend(clinic.physio, missed.id)
    day = f"{TOMORROW.day} {TOMORROW:%B %Y}"

    entries = clinic.services.timeline.for_patient(clinic.physio, clinic.harriet).entries
    lines = sorted(e.description for e in entries if e.kind in {"appointment", "care_contact"})
    assert lines == sorted(
        [
            f"Follow-up appointment, {day}, 10:30, face to face",
            f"Seen, follow-up appointment, {day}, 09:00, telephone, 20 minutes",
            f"Did not attend, follow-up appointment, {day}, 12:00",
        ]
    )
    assert {e.patient_id for e in entries} == {clinic.harriet}
    assert other.id not in {e.item_id for e in entries}
    opened = {e.description: (e.screen_id, e.item_id) for e in entries}
    assert opened[f"Follow-up appointment, {day}, 10:30, face to face"] == (
        "appointments",
        coming.id,
    )
    owen = clinic.services.timeline.for_patient(clinic.physio, clinic.owen).entries
    assert [e.description for e in owen if e.kind == "appointment"] == [
        f"Follow-up appointment, {day}, 11:00, face to face"
    ]


def _report(clinic: Clinic, patient_id: uuid.UUID, author: uuid.UUID, **values: object) -> None:
    """A scan report row as the reports service keeps one (its study first)."""
    with clinic.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=clinic.services.context.device_id, user_id=author)
        study = ImagingStudy(
            patient_id=patient_id,
            study_uid=f"2.25.{uuid.uuid4().int}",
            started_at=datetime.now(UTC),
        )
        session.add(study)
        session.flush()
        session.add(
            ScanReport(study_id=study.id, patient_id=patient_id, author_id=author, **values)
        )


def test_a_scan_opens_at_the_report_waiting_for_its_clinician(clinic: Clinic) -> None:
    scan = clinic.book(time="09:00", appointment_type="scan")
    theirs = clinic.book(
        clinic.owen,
        time="09:00",
        appointment_type="scan",
        clinician_id=clinic.consultant.id,
        site_id=clinic.hilltop,
    )
    first = {
        e.appointment.id: e
        for e in clinic.appointments.site_day(clinic.reception, clinic.riverside, TOMORROW).entries
    }
    assert (first[scan.id].opens, first[scan.id].needs.report_waiting) == ("patient", False)
    # The physio's own draft report for Harriet; a report submitted to the consultant for Owen.
    _report(clinic, clinic.harriet, clinic.physio.id, status="draft")
    _report(
        clinic,
        clinic.owen,
        clinic.trainee.id,
        status="submitted",
        supervisor_id=clinic.consultant.id,
    )
    mine = clinic.appointments.day(clinic.physio, day=TOMORROW).entries
    assert [(e.appointment.id, e.opens, e.needs.report_waiting) for e in mine] == [
        (scan.id, "report", True)
    ]
    consultant = clinic.appointments.day(clinic.consultant, day=TOMORROW).entries
    assert [(e.appointment.id, e.opens, e.needs.report_waiting) for e in consultant] == [
        (theirs.id, "report", True)
    ]


def _statements(clinic: Clinic, call: Callable[[], object]) -> set[str]:
    """The SELECTs ``call`` runs, with every IN list's length taken out."""
    return {
        re.sub(r"\(\?(, \?)*\)", "(?)", " ".join(statement.split()))
        for statement, _ in captured(clinic.services.context.store.engine, call)
        if statement.lstrip().upper().startswith("SELECT")
    }


def test_preparing_runs_every_query_of_the_day_lists_and_reads_and_writes_nothing(
    clinic: Clinic,
) -> None:
    clinic.book(time="09:00", appointment_type="new")
    clinic.book(clinic.owen, time="10:00")
    with clinic.services.context.store.sessions() as session:
        audited = session.scalar(select(func.count()).select_from(AuditEntry))

    prepared = _statements(clinic, clinic.services.prepare_first_reads)

    with clinic.services.context.store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audited
    own = _statements(clinic, lambda: clinic.appointments.day(clinic.physio, day=TOMORROW))
    site = _statements(
        clinic,
        lambda: clinic.appointments.site_day(clinic.reception, clinic.riverside, TOMORROW),
    )
    # Who is asking (their user row, re-read) and the audit chain are each call's own.
    asked = {
        s
        for s in own | site
        if not s.endswith("FROM app_user WHERE app_user.id = ?") and "audit" not in s
    }
    assert asked <= prepared, asked - prepared
