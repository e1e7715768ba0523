"""The letters due: discharges and onward referrals whose letter is not yet signed.

Read for the letters-due list: each episode closed (a discharge letter to the GP, within the
service's working days) and each onward referral decided (a notice to the GP, within its
calendar days), with the days left on the clock, whether it is breached, and whether the
patient has no GP practice on record. Only reads; the letters service audits the read.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.letters.model import LetterRecord
from clinic_app.domains.letters.rules import DueClock, DueReason, LetterKind, due_clock
from clinic_app.domains.letters.views import DueLetter
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.kernel.vocabulary import EpisodeStatus, RecordStatus
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.duplicates import standing_rows
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import format_nhs_number
from clinic_app.sync.ownership import IDS_PER_QUERY

#: The triage outcomes that refer a patient on, and the one that does so as an emergency.
ONWARD = frozenset({"onward_referral", "emergency_onward_referral"})
EMERGENCY_ONWARD = "emergency_onward_referral"


def _local_day(when: datetime) -> date:
    return (when.astimezone() if when.tzinfo is not None else when).date()


def _letters(session: Session, kinds: set[str]) -> list[LetterRecord]:
    return list(
        session.scalars(
            select(LetterRecord).where(
                LetterRecord.kind.in_(sorted(kinds)), LetterRecord.deleted.is_(False)
            )
        )
    )


def due_discharges(
    session: Session,
    on: date,
    targets: Mapping[str, int],
    clinician_id: uuid.UUID | None,
) -> list[DueLetter]:
    """Closed episodes with no signed discharge letter (one clinician's when named).

    The patients are named by :func:`named`, for the whole list at once.
    """
    query = select(EpisodeOfCare).where(
        EpisodeOfCare.status == EpisodeStatus.CLOSED,
        EpisodeOfCare.ended_on.is_not(None),
        EpisodeOfCare.deleted.is_(False),
    )
    if clinician_id is not None:
        query = query.where(EpisodeOfCare.lead_clinician_id == clinician_id)
    letters = _letters(session, {LetterKind.GP_DISCHARGE.value})
    signed = {r.episode_id for r in letters if r.status == RecordStatus.SIGNED}
    drafts = {r.episode_id: r.id for r in letters if r.status != RecordStatus.SIGNED}
    due: list[DueLetter] = []
    for episode in session.scalars(query):
        if episode.id in signed or episode.ended_on is None:
            continue
        clock = due_clock(
            DueReason.DISCHARGE, episode.ended_on, on, targets["discharge_working_days"]
        )
        due.append(
            _due_item(
                episode.patient_id,
                DueReason.DISCHARGE,
                episode.ended_on,
                clock,
                episode_id=episode.id,
                clinician=episode.lead_clinician_id,
                draft=drafts.get(episode.id),
            )
        )
    return due


def due_onward(
    session: Session,
    on: date,
    targets: Mapping[str, int],
    clinician_id: uuid.UUID | None,
) -> list[DueLetter]:
    """Onward referrals with no signed notice to the GP (one clinician's when named).

    The patients are named by :func:`named`, for the whole list at once.
    """
    query = select(TriageDecision).where(
        TriageDecision.outcome.in_(sorted(ONWARD)),
        TriageDecision.deleted.is_(False),
        TriageDecision.decided_at.is_not(None),
    )
    if clinician_id is not None:
        query = query.where(TriageDecision.decided_by == clinician_id)
    letters = _letters(session, {LetterKind.GP_REFERRAL_NOTICE.value})
    signed = {r.onward_decision_id for r in letters if r.status == RecordStatus.SIGNED}
    drafts = {r.onward_decision_id: r.id for r in letters if r.status != RecordStatus.SIGNED}
    due: list[DueLetter] = []
    for decision in session.scalars(query):
        if decision.id in signed or decision.decided_at is None:
            continue
        since = _local_day(decision.decided_at)
        key = (
            "emergency_onward_notice_days"
            if decision.outcome == EMERGENCY_ONWARD
            else "onward_referral_notice_days"
        )
        clock = due_clock(DueReason.ONWARD_REFERRAL, since, on, targets[key])
        due.append(
            _due_item(
                decision.patient_id,
                DueReason.ONWARD_REFERRAL,
                since,
                clock,
                decision_id=decision.id,
                clinician=decision.decided_by,
                draft=drafts.get(decision.id),
            )
        )
    return due


def _due_item(
    patient_id: uuid.UUID,
    reason: DueReason,
    since: date,
    clock: DueClock,
    *,
    episode_id: uuid.UUID | None = None,
    decision_id: uuid.UUID | None = None,
    clinician: uuid.UUID | None = None,
    draft: uuid.UUID | None = None,
) -> DueLetter:
    """A letter due, not yet named: :func:`named` names every item of a list together."""
    return DueLetter(
        patient_id=patient_id,
        patient_name="",
        nhs_number="",
        episode_id=episode_id,
        onward_decision_id=decision_id,
        reason=reason,
        since=since,
        due_on=clock.due_on,
        days_left=clock.days_left,
        working_days=clock.working_days,
        breached=clock.breached,
        no_gp_practice=True,
        clinician_id=clinician,
        draft_id=draft,
    )


def named(session: Session, due: list[DueLetter]) -> list[DueLetter]:
    """``due`` with each patient named as the record now standing for them (merges followed).

    Every patient of the list is read in one query, and the merges among them together
    (``standing_rows``), instead of two lookups an item.
    """
    ids = sorted({item.patient_id for item in due})
    rows: dict[uuid.UUID, Patient] = {}
    for start in range(0, len(ids), IDS_PER_QUERY):
        part = ids[start : start + IDS_PER_QUERY]
        rows.update(
            (row.id, row) for row in session.scalars(select(Patient).where(Patient.id.in_(part)))
        )
    rows.update(standing_rows(session, ids))
    return [_with_patient(item, rows.get(item.patient_id)) for item in due]


def _with_patient(item: DueLetter, patient: Patient | None) -> DueLetter:
    name = f"{patient.family_name.upper()}, {patient.given_name}" if patient is not None else ""
    number = patient.nhs_number if patient is not None and patient.nhs_number else ""
    return replace(
        item,
        patient_name=name,
        nhs_number=format_nhs_number(number) if number else "",
        no_gp_practice=patient is None or patient.gp_practice_id is None,
    )
