"""Resolving possible duplicate patients: a supervisor or admin merges them, or dismisses them.

A merge is an append-only ``patient_merge`` row (who, when, why), not a rewrite: records of
the merged patient keep naming it (signed ones cannot change), and readers follow the row to
the survivor (``people.duplicates.survivor_of``). The row syncs like any other, so every
device shows one patient holding both records' history.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_app.kernel import validation as check
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound, ValidationError
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.people.duplicates import DISMISSED, MERGED, OPEN, survivor_of
from clinic_app.people.model import Patient, PatientDuplicate, PatientMerge
from clinic_app.people.views import DuplicateSide, PossibleDuplicate

#: The longest reason kept for a merge or a dismissal.
REASON_MAX = 2000


class DuplicateService:
    """The possible duplicates list, and merging or dismissing one (audited)."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    def open_duplicates(self, actor: CurrentUser) -> list[PossibleDuplicate]:
        """Pairs waiting for a decision, oldest first, both records side by side."""
        with self._uow(actor, Action.PATIENT_MERGE, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(PatientDuplicate)
                .where(PatientDuplicate.status == OPEN, PatientDuplicate.deleted.is_(False))
                .order_by(PatientDuplicate.created_at, PatientDuplicate.id)
            ).all()
            # Both records' identities are shown: each pair's patients are named in the trail.
            for row in rows:
                for patient_id in (row.first_patient_id, row.second_patient_id):
                    self._uow.audit(
                        session,
                        actor,
                        "patient.duplicates_listed",
                        patient_id=patient_id,
                        entity="patient_duplicate",
                        entity_id=row.id,
                    )
            return [
                PossibleDuplicate(
                    id=row.id,
                    matched_on=row.matched_on,
                    first=_side(session, row.first_patient_id),
                    second=_side(session, row.second_patient_id),
                    found_at=row.created_at,
                    on_server=row.row_version > 0,
                )
                for row in rows
            ]

    def merge(
        self, actor: CurrentUser, duplicate_id: uuid.UUID, survivor_id: uuid.UUID, reason: str
    ) -> uuid.UUID:
        """Merge the pair's other record into ``survivor_id``; the merge row's id.

        Raises:
            ValidationError: ``text.empty`` or ``text.too_long`` (field ``reason``);
                ``merge.survivor_not_in_pair`` (field ``survivor``).
            NotFound: ``duplicate.not_found``.
            Conflict: ``duplicate.already_resolved``; ``duplicate.not_on_server`` while the
                pair has been noticed here but not yet come back from the server;
                ``merge.already_merged`` when either record was merged elsewhere meanwhile.
        """
        words = check.required_text(reason, "reason", REASON_MAX)
        with self._uow(actor, Action.PATIENT_MERGE) as session:
            duplicate = self._open(session, duplicate_id)
            pair = (duplicate.first_patient_id, duplicate.second_patient_id)
            if survivor_id not in pair:
                raise ValidationError("merge.survivor_not_in_pair", field="survivor")
            merged_id = pair[1] if survivor_id == pair[0] else pair[0]
            if survivor_of(session, survivor_id) != survivor_id or (
                survivor_of(session, merged_id) != merged_id
            ):
                raise Conflict("merge.already_merged")
            now = utcnow()
            merge = PatientMerge(
                survivor_id=survivor_id,
                merged_id=merged_id,
                duplicate_id=duplicate.id,
                reason=words,
                merged_by=recorded_by(actor),
                merged_at=now,
            )
            session.add(merge)
            self._resolve(duplicate, actor, MERGED, words)
            session.flush()
            for patient_id in (survivor_id, merged_id):
                self._uow.audit(
                    session,
                    actor,
                    "patient.merge",
                    patient_id=patient_id,
                    entity="patient_merge",
                    entity_id=merge.id,
                )
            return merge.id

    def dismiss(self, actor: CurrentUser, duplicate_id: uuid.UUID, reason: str) -> None:
        """Record that the pair are not the same person; they are not flagged again.

        Raises:
            ValidationError: ``text.empty`` or ``text.too_long`` (field ``reason``).
            NotFound: ``duplicate.not_found``.
            Conflict: ``duplicate.already_resolved``, ``duplicate.not_on_server``.
        """
        words = check.required_text(reason, "reason", REASON_MAX)
        with self._uow(actor, Action.PATIENT_MERGE) as session:
            duplicate = self._open(session, duplicate_id)
            self._resolve(duplicate, actor, DISMISSED, words)
            session.flush()
            for patient_id in (duplicate.first_patient_id, duplicate.second_patient_id):
                self._uow.audit(
                    session,
                    actor,
                    "patient.duplicate_dismiss",
                    patient_id=patient_id,
                    entity="patient_duplicate",
                    entity_id=duplicate.id,
                )

    @staticmethod
    def _open(session: Session, duplicate_id: uuid.UUID) -> PatientDuplicate:
        duplicate = session.get(PatientDuplicate, duplicate_id)
        if duplicate is None or duplicate.deleted:
            raise NotFound("duplicate.not_found")
        if duplicate.status != OPEN:
            raise Conflict("duplicate.already_resolved")
        if duplicate.row_version == 0:
            # Only this device's note so far: a change to it could not be pushed.
            raise Conflict("duplicate.not_on_server")
        return duplicate

    @staticmethod
    def _resolve(duplicate: PatientDuplicate, actor: CurrentUser, status: str, words: str) -> None:
        duplicate.status = status
        duplicate.resolved_by = recorded_by(actor)
        duplicate.resolved_at = utcnow()
        duplicate.resolution_reason = words


def _side(session: Session, patient_id: uuid.UUID) -> DuplicateSide:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("patient.not_found")
    referrals = session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(Referral.patient_id == patient_id, Referral.deleted.is_(False))
    )
    episodes = session.scalar(
        select(func.count())
        .select_from(EpisodeOfCare)
        .where(EpisodeOfCare.patient_id == patient_id, EpisodeOfCare.deleted.is_(False))
    )
    return DuplicateSide(
        id=patient.id,
        nhs_number=patient.nhs_number,
        title=patient.title,
        family_name=patient.family_name,
        given_name=patient.given_name,
        date_of_birth=patient.date_of_birth,
        sex_label=code_list("person_stated_gender").label_for(patient.sex) or patient.sex,
        address=patient.address,
        postcode=patient.postcode,
        phone=patient.phone,
        registered_at=patient.created_at,
        referrals=int(referrals or 0),
        episodes=int(episodes or 0),
    )
