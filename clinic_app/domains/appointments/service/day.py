"""The day lists: the day's appointments and what each needs, one query per kind of need."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from clinic_app.domains.appointments import rules
from clinic_app.domains.appointments.model import (
    Appointment,
)
from clinic_app.domains.appointments.rules import (
    AppointmentType,
    Status,
)
from clinic_app.domains.appointments.service.rows import (
    _open_emergencies,
    _views,
    asked_for_of,
)
from clinic_app.domains.appointments.views import (
    DayEntry,
    DayNeeds,
)
from clinic_app.domains.questionnaires.content import ALL_QUESTIONNAIRES, questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.red_flags.model import RedFlagAction
from clinic_app.domains.reports.model import ScanReport
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.duplicates import identities_among, survivor_rows
from clinic_app.people.model import Patient, PatientAlert
from clinic_app.people.sync_service import LAST_SUCCESS_KEY
from clinic_app.records.registry import record_types


class _Needs:
    """What each appointment of a day list needs: one query per kind, over all its patients."""

    def __init__(
        self,
        unsigned: dict[uuid.UUID, tuple[str, ...]],
        due: dict[tuple[uuid.UUID, uuid.UUID | None], tuple[str, ...]],
        red_flag: set[uuid.UUID],
        reports: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID | None, str]],
        identities: dict[uuid.UUID, list[uuid.UUID]],
    ) -> None:
        #: Each patient's registrations, the record standing for them first.
        self.identities = identities
        self._unsigned = unsigned
        self._due = due
        self._red_flag = red_flag
        self._reports = reports

    @classmethod
    def of(cls, session: Session, rows: Sequence[Appointment], on: date) -> _Needs:
        return cls.of_patients(session, {row.patient_id for row in rows}, on)

    @classmethod
    def of_patients(cls, session: Session, patients: set[uuid.UUID], on: date) -> _Needs:
        # A registration merged into a patient's record counts as theirs: its drafts are
        # unsigned work on their row, its reports wait on their row.
        identities = identities_among(session, patients) if patients else {}
        asked_for = asked_for_of(identities)
        unsigned: dict[uuid.UUID, tuple[str, ...]] = {}
        for record_type in record_types().values():
            if record_type.unfinished is None or not asked_for:
                continue
            for registration in record_type.unfinished(session, set(asked_for)):
                for patient_id in asked_for.get(registration, ()):
                    titles = unsigned.get(patient_id, ())
                    if record_type.title not in titles:
                        unsigned[patient_id] = (*titles, record_type.title)
        red_flag = set(_open_emergencies(session, patients, asked_for)) | {
            patient_id
            for registration in session.scalars(
                select(PatientAlert.patient_id)
                .join(RedFlagAction, RedFlagAction.alert_id == PatientAlert.id)
                .where(
                    PatientAlert.patient_id.in_(sorted(asked_for)),
                    PatientAlert.active.is_(True),
                    PatientAlert.deleted.is_(False),
                )
            )
            for patient_id in asked_for[registration]
        }
        reports = [
            (patient_id, author, supervisor, status)
            for registration, author, supervisor, status in session.execute(
                select(
                    ScanReport.patient_id,
                    ScanReport.author_id,
                    ScanReport.supervisor_id,
                    ScanReport.status,
                ).where(
                    ScanReport.patient_id.in_(sorted(asked_for)),
                    ScanReport.deleted.is_(False),
                    ScanReport.status.in_(
                        [RecordStatus.DRAFT, RecordStatus.RETURNED, RecordStatus.SUBMITTED]
                    ),
                )
            )
            for patient_id in asked_for[registration]
        ]
        due = _questionnaires_due(session, patients, on, asked_for)
        return cls(unsigned, due, red_flag, reports, identities)

    def _report_waiting(self, row: Appointment) -> bool:
        return any(
            patient_id == row.patient_id
            and (
                (
                    status in (RecordStatus.DRAFT, RecordStatus.RETURNED)
                    and author == row.clinician_id
                )
                or (status == RecordStatus.SUBMITTED and supervisor == row.clinician_id)
            )
            for patient_id, author, supervisor, status in self._reports
        )

    def for_row(self, row: Appointment) -> DayNeeds:
        due = (
            self._due.get((row.patient_id, row.episode_id), ())
            if row.appointment_type == AppointmentType.FOLLOW_UP
            else ()
        )
        return DayNeeds(
            unsigned=self._unsigned.get(row.patient_id, ()),
            questionnaires_due=due,
            red_flag=row.patient_id in self._red_flag,
            report_waiting=self._report_waiting(row),
        )

    def opens(self, row: Appointment) -> str:
        if row.appointment_type == AppointmentType.SCAN and self._report_waiting(row):
            return "report"
        if row.status in (Status.DNA, Status.CANCELLED):
            return "patient"  # nobody was seen: there is no note or assessment to write
        if row.appointment_type == AppointmentType.FOLLOW_UP:
            return "contact_note"
        if row.appointment_type == AppointmentType.NEW:
            return "assessment"
        return "patient"


def _synced_at(session: Session) -> datetime | None:
    """When this device last finished a sync with the server (None: never)."""
    stored = session.get(StoreMeta, LAST_SUCCESS_KEY)
    return datetime.fromisoformat(stored.value) if stored is not None else None


def _day_entries(session: Session, on: date, which: ColumnElement[bool]) -> tuple[DayEntry, ...]:
    """The day's appointments (``which``: a clinician's or a site's), with names and needs.

    One query for the appointments and their patients, then one per kind of need over all
    of the day's patients, never one per patient.
    """
    start, end = rules.day_bounds(on)
    found = session.execute(
        select(Appointment, Patient)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(
            which,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.deleted.is_(False),
            Appointment.status != Status.CANCELLED,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    rows = [row for row, _ in found]
    views = _views(session, rows)
    needs = _Needs.of(session, rows, on)
    # A row booked under a registration since merged into another record is named as that
    # record (the one its row opens), not as the registration merged away.
    standing = survivor_rows(session, needs.identities)
    named = [standing.get(patient.id, patient) for _, patient in found]
    return tuple(
        DayEntry(
            appointment=view,
            patient_name=f"{patient.family_name.upper()}, {patient.given_name}".strip(", "),
            nhs_number=patient.nhs_number,
            date_of_birth=patient.date_of_birth,
            needs=needs.for_row(row),
            opens=needs.opens(row),
        )
        for row, patient, view in zip(rows, named, views, strict=True)
    )


def prepare_day_list(session: Session, on: date) -> None:
    """Run every query of a day list once, for nobody (the nil id matches no row).

    The statements are compiled and cached, the indexes they use read and the questionnaires
    they may name loaded, before the first list is asked for: the first list after sign-in
    costs about what every later one does. Nothing about any patient is read, so nothing is
    audited.
    """
    nobody = uuid.UUID(int=0)
    _day_entries(session, on, Appointment.clinician_id == nobody)
    _day_entries(session, on, Appointment.site_id == nobody)
    _views(
        session, [Appointment(id=nobody, patient_id=nobody, clinician_id=nobody, site_id=nobody)]
    )
    _Needs.of_patients(session, {nobody}, on)
    _synced_at(session)
    # The questionnaires a list may name as due, read from their files now rather than then.
    for questionnaire_id in ALL_QUESTIONNAIRES:
        questionnaire(questionnaire_id)


def _questionnaires_due(
    session: Session,
    patients: Collection[uuid.UUID],
    on: date,
    asked_for: Mapping[uuid.UUID, set[uuid.UUID]],
) -> dict[tuple[uuid.UUID, uuid.UUID | None], tuple[str, ...]]:
    """By (patient, episode): questionnaires with a complete baseline and no answer on ``on``.

    The questionnaires keep no schedule of their own: a follow-up is offered at each
    follow-up contact of an episode whose baseline was taken, unless already answered that day.
    Answers given under a registration since merged into a patient's record are theirs.
    """
    if not patients:
        return {}
    start, end = rules.day_bounds(on)
    baseline: set[tuple[uuid.UUID, uuid.UUID | None, str]] = set()
    answered: set[tuple[uuid.UUID, uuid.UUID | None, str]] = set()
    for (
        registration,
        episode_id,
        questionnaire_id,
        timepoint,
        complete,
        recorded_at,
    ) in session.execute(
        select(
            QuestionnaireResponse.patient_id,
            QuestionnaireResponse.episode_id,
            QuestionnaireResponse.questionnaire_id,
            QuestionnaireResponse.timepoint,
            QuestionnaireResponse.complete,
            QuestionnaireResponse.recorded_at,
        ).where(
            QuestionnaireResponse.patient_id.in_(sorted(asked_for)),
            QuestionnaireResponse.deleted.is_(False),
        )
    ):
        for patient_id in asked_for[registration]:
            key = (patient_id, episode_id, questionnaire_id)
            if complete and str(timepoint) == "baseline":
                baseline.add(key)
            if recorded_at is not None and start <= recorded_at < end:
                answered.add(key)
    due: dict[tuple[uuid.UUID, uuid.UUID | None], tuple[str, ...]] = {}
    for patient_id, episode_id, questionnaire_id in sorted(baseline - answered, key=str):
        try:
            title = questionnaire(questionnaire_id).title
        except ClinicError:
            title = questionnaire_id
        due[(patient_id, episode_id)] = (*due.get((patient_id, episode_id), ()), title)
    return due
