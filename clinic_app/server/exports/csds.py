"""The monthly Community Services Data Set extract, read from the service's tables.

What a month holds follows the data set's inclusion rules: every referral open at any time
in the month (received by its last day and not discharged before its first), and the care
contacts, coded assessments, diagnoses and onward referrals of the month, each under its
referral (a referral they name is sent even if it closed earlier). Only coded items are
read: no free text of the record is ever selected.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, select

from clinic_app.domains.appointments.model import CareContact
from clinic_app.domains.appointments.rules import Outcome
from clinic_app.domains.assessments.model import Assessment
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.staff import Site
from clinic_app.kernel.vocabulary import AssessmentStatus, EpisodeStatus, ReferralStatus
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.people.demographics import validate_postcode
from clinic_app.people.duplicates import every_survivor
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import is_valid as is_valid_nhs_number
from clinic_app.server.exports.definition import DataSet
from clinic_app.server.exports.period import Month, local, local_identifier

#: The triage outcomes that refer the patient on (codes of the ``triage_outcome`` list).
ONWARD_OUTCOMES = ("onward_referral", "emergency_onward_referral")

Row = dict[str, str]


@dataclass
class _Referrals:
    """The referrals the month's rows name: each is sent with them, open or not."""

    named: set[uuid.UUID]

    def name(self, referral_id: uuid.UUID) -> str:
        """The referral's identifier, noting that a row names it."""
        self.named.add(referral_id)
        return local_identifier("referral", referral_id)


def _in_month(column: Any, month: Month) -> ColumnElement[bool]:
    return and_(column >= month.starts, column < month.ends)


def _under_referrals(
    conn: Connection, table: Any, when: Any, month: Month, *columns: Any, where: Any = ()
) -> Sequence[Any]:
    """The month's rows of ``table`` whose episode came from a referral, with its id."""
    return conn.execute(
        select(*columns, EpisodeOfCare.referral_id)
        .join(EpisodeOfCare, EpisodeOfCare.id == table.episode_id)
        .where(
            table.deleted.is_(False),
            EpisodeOfCare.referral_id.is_not(None),
            _in_month(when, month),
            *where,
        )
        .order_by(when, table.id)
    ).all()


def _contacts(conn: Connection, data: DataSet, month: Month, refs: _Referrals) -> list[Row]:
    rows = _under_referrals(
        conn,
        CareContact,
        CareContact.starts_at,
        month,
        CareContact.id,
        CareContact.starts_at,
        CareContact.minutes,
        CareContact.mechanism,
        CareContact.outcome,
        CareContact.site_id,
    )
    sites: dict[uuid.UUID, str | None] = {
        row.id: row.ods_code for row in conn.execute(select(Site.id, Site.ods_code))
    }
    site_field = data.table("CYP201").field("ORGANISATION SITE IDENTIFIER (OF TREATMENT)")
    out = []
    for row in rows:
        began = local(row.starts_at)
        attended = row.outcome == Outcome.ATTENDED
        site = (sites.get(row.site_id) or "").strip().upper()
        out.append(
            {
                "CARE CONTACT IDENTIFIER": local_identifier("care_contact", row.id),
                "SERVICE REQUEST IDENTIFIER": refs.name(row.referral_id),
                "CARE CONTACT DATE": began.date().isoformat(),
                "CARE CONTACT TIME": began.strftime("%H:%M:%S"),
                "CLINICAL CONTACT DURATION OF CARE CONTACT": (
                    str(row.minutes) if attended and row.minutes > 0 else ""
                ),
                "CONSULTATION MEDIUM USED": data.mapped("consultation_medium", row.mechanism),
                "ORGANISATION SITE IDENTIFIER (OF TREATMENT)": (
                    site if site_field.problem(site) is None else ""
                ),
                "ATTENDANCE STATUS": data.mapped("attendance", row.outcome),
            }
        )
    return out


def _assessments(conn: Connection, data: DataSet, month: Month, refs: _Referrals) -> list[Row]:
    rows = _under_referrals(
        conn,
        QuestionnaireResponse,
        QuestionnaireResponse.recorded_at,
        month,
        QuestionnaireResponse.questionnaire_id,
        QuestionnaireResponse.total,
        QuestionnaireResponse.recorded_at,
        where=(QuestionnaireResponse.complete.is_(True), QuestionnaireResponse.total.is_not(None)),
    )
    out = []
    for row in rows:
        tool = data.mapped("assessment_tool", row.questionnaire_id)
        if not tool:
            continue  # no confirmed concept for this tool yet: nothing is sent for it
        out.append(
            {
                "SERVICE REQUEST IDENTIFIER": refs.name(row.referral_id),
                "CODED ASSESSMENT TOOL TYPE (SNOMED CT)": tool,
                "PERSON SCORE": str(row.total),
                "ASSESSMENT TOOL COMPLETION DATE": local(row.recorded_at).date().isoformat(),
            }
        )
    return out


def _diagnoses(conn: Connection, data: DataSet, month: Month, refs: _Referrals) -> list[Row]:
    rows = conn.execute(
        select(
            Assessment.content,
            Assessment.signed_at,
            Assessment.referral_id,
            EpisodeOfCare.referral_id.label("episode_referral_id"),
        )
        .outerjoin(EpisodeOfCare, EpisodeOfCare.id == Assessment.episode_id)
        .where(
            Assessment.deleted.is_(False),
            Assessment.status == AssessmentStatus.SIGNED,
            _in_month(Assessment.signed_at, month),
        )
        .order_by(Assessment.signed_at, Assessment.id)
    ).all()
    out = []
    for row in rows:
        diagnosis = (row.content or {}).get("diagnosis") or {}
        concept = diagnosis.get("snomed_ct_id") if isinstance(diagnosis, dict) else None
        referral = row.referral_id or row.episode_referral_id
        if not isinstance(concept, str) or referral is None:
            continue  # no coded diagnosis, or no referral to send it under
        out.append(
            {
                "SERVICE REQUEST IDENTIFIER": refs.name(referral),
                "DIAGNOSIS SCHEME IN USE (COMMUNITY CARE)": data.mapped(
                    "diagnosis_scheme", "snomed_ct"
                ),
                "PRIMARY DIAGNOSIS (CODED CLINICAL ENTRY)": concept,
                "DIAGNOSIS DATE": local(row.signed_at).date().isoformat(),
            }
        )
    return out


def _onward(conn: Connection, month: Month, refs: _Referrals) -> list[Row]:
    rows = conn.execute(
        select(TriageDecision.referral_id, TriageDecision.decided_at)
        .where(
            TriageDecision.deleted.is_(False),
            TriageDecision.outcome.in_(ONWARD_OUTCOMES),
            _in_month(TriageDecision.decided_at, month),
        )
        .order_by(TriageDecision.decided_at, TriageDecision.id)
    ).all()
    return [
        {
            "SERVICE REQUEST IDENTIFIER": refs.name(row.referral_id),
            "ONWARD REFERRAL DATE": local(row.decided_at).date().isoformat(),
            "ONWARD REFERRAL REASON (COMMUNITY CARE)": "",
            "ORGANISATION IDENTIFIER (RECEIVING)": "",
        }
        for row in rows
    ]


def _discharges(conn: Connection) -> dict[uuid.UUID, date | None]:
    """Each referral's discharge date: None while any episode it opened is open."""
    found: dict[uuid.UUID, date | None] = {}
    open_ones: set[uuid.UUID] = set()
    for referral, ended, status in conn.execute(
        select(EpisodeOfCare.referral_id, EpisodeOfCare.ended_on, EpisodeOfCare.status).where(
            EpisodeOfCare.deleted.is_(False), EpisodeOfCare.referral_id.is_not(None)
        )
    ):
        if referral is None:
            continue
        if status != EpisodeStatus.CLOSED or ended is None:
            open_ones.add(referral)
        previous = found.get(referral)
        found[referral] = ended if previous is None or (ended and ended > previous) else previous
    return {key: (None if key in open_ones else value) for key, value in found.items()}


def open_in_month(month: Month, received: date, status: str, discharged: date | None) -> bool:
    """True when a referral was open at any time in the month, so the month sends it.

    Open means received by the month's last day and not discharged before its first; a
    referral closed without an episode (returned, cancelled) is open only in its own month.
    """
    if received > month.last:
        return False
    if discharged is not None:
        return discharged >= month.first
    if status in {ReferralStatus.RETURNED, ReferralStatus.CANCELLED, ReferralStatus.DISCHARGED}:
        return month.holds(received)  # closed with no episode: open only in its own month
    return True


def _survivors(conn: Connection) -> dict[uuid.UUID, uuid.UUID]:
    """Each merged registration → its surviving record, as everywhere else follows merges."""
    return every_survivor(conn)


def _referrals(
    conn: Connection, data: DataSet, month: Month, named: Iterable[uuid.UUID]
) -> tuple[list[Row], set[uuid.UUID]]:
    wanted = set(named)
    discharges = _discharges(conn)
    survivors = _survivors(conn)
    removed = set(conn.execute(select(Patient.id).where(Patient.deleted.is_(True))).scalars())
    out, patients = [], set()
    for row in conn.execute(
        select(
            Referral.id,
            Referral.patient_id,
            Referral.received_on,
            Referral.source,
            Referral.priority,
            Referral.status,
        )
        .where(Referral.deleted.is_(False), Referral.received_on <= month.last)
        .order_by(Referral.received_on, Referral.id)
    ):
        discharged = discharges.get(row.id)
        if row.id not in wanted and not open_in_month(
            month, row.received_on, row.status, discharged
        ):
            continue
        patient = survivors.get(row.patient_id, row.patient_id)
        if patient in removed:
            continue  # a record removed is not sent, nor anything under its referrals
        patients.add(patient)
        out.append(
            {
                "SERVICE REQUEST IDENTIFIER": local_identifier("referral", row.id),
                "LOCAL PATIENT IDENTIFIER (EXTENDED)": local_identifier("patient", patient),
                "REFERRAL REQUEST RECEIVED DATE": row.received_on.isoformat(),
                "SOURCE OF REFERRAL FOR COMMUNITY": data.mapped("referral_source", row.source),
                "PRIORITY TYPE CODE": data.mapped("priority", str(row.priority)),
                "SERVICE DISCHARGE DATE": discharged.isoformat() if discharged else "",
            }
        )
    return out, patients


def _postcode(text: str | None) -> str:
    try:
        return validate_postcode(text or "")
    except ValidationError:
        return ""


def _patients(conn: Connection, data: DataSet, patients: set[uuid.UUID]) -> list[Row]:
    out = []
    for row in conn.execute(
        select(
            Patient.id,
            Patient.nhs_number,
            Patient.date_of_birth,
            Patient.postcode,
            Patient.sex,
            Patient.ethnicity,
        )
        .where(Patient.id.in_(patients))
        .order_by(Patient.id)
    ):
        number = row.nhs_number if row.nhs_number and is_valid_nhs_number(row.nhs_number) else ""
        out.append(
            {
                "LOCAL PATIENT IDENTIFIER (EXTENDED)": local_identifier("patient", row.id),
                "NHS NUMBER": number,
                "NHS NUMBER STATUS INDICATOR CODE": data.mapped(
                    "nhs_number_status", "present" if number else "absent"
                ),
                "PERSON BIRTH DATE": row.date_of_birth.isoformat(),
                "POSTCODE OF USUAL ADDRESS": _postcode(row.postcode),
                "PERSON STATED GENDER CODE": row.sex,
                "ETHNIC CATEGORY": row.ethnicity,
            }
        )
    return out


def csds_rows(conn: Connection, data: DataSet, month: Month) -> dict[str, list[Row]]:
    """Every table's rows for the month, by group id (``CYP001`` ...), in the file's order."""
    refs = _Referrals(set())
    contacts = _contacts(conn, data, month, refs)
    assessments = _assessments(conn, data, month, refs)
    diagnoses = _diagnoses(conn, data, month, refs)
    onward = _onward(conn, month, refs)
    referrals, patients = _referrals(conn, data, month, refs.named)
    sent = {row["SERVICE REQUEST IDENTIFIER"] for row in referrals}

    def under_sent(rows: list[Row]) -> list[Row]:
        return [row for row in rows if row["SERVICE REQUEST IDENTIFIER"] in sent]

    return {
        "CYP001": _patients(conn, data, patients),
        "CYP101": referrals,
        "CYP201": under_sent(contacts),
        "CYP609": under_sent(assessments),
        "CYP607": under_sent(diagnoses),
        "CYP105": under_sent(onward),
    }
