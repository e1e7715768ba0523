"""A patient's record rows as a service call finds them, checks them and audits them.

The patient and the user's own draft; one row checked to be the banner's patient's; the step the
user takes on it; its audit.

A domain's service (an injection, a shockwave course) calls these with its record type and the
codes it words its refusals with, so a row of another patient is refused the same way in each.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol, TypedDict, TypeVar

from sqlalchemy import select

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.uow import recorded_by
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.duplicates import identities_of, same_patient
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient
from clinic_app.records.registry import RecordType


class PatientRow(Protocol):
    """A row of a patient's record, as these helpers read it."""

    @property
    def id(self) -> uuid.UUID:
        """Its id."""

    @property
    def patient_id(self) -> uuid.UUID:
        """Whose record it is."""

    @property
    def deleted(self) -> bool:
        """True once removed."""

    @property
    def status(self) -> Any:
        """Its lifecycle status as stored."""

    @property
    def created_by(self) -> uuid.UUID | None:
        """Who wrote it (its author)."""


_Row = TypeVar("_Row", bound=PatientRow)


def patient_and_episode(
    session: ClinicSession, patient_id: uuid.UUID, episode_id: uuid.UUID | None
) -> tuple[uuid.UUID, uuid.UUID | None]:
    """The patient, and the episode a new record of theirs belongs to (see ``episode_for``).

    Raises:
        NotFound: ``patient.not_found``; ``episode.not_found`` (another patient's).
    """
    patient = session.get(Patient, patient_id)
    if patient is None or patient.deleted:
        raise NotFound("patient.not_found")
    return patient.id, episode_for(session, patient.id, episode_id)


def own_draft(
    session: ClinicSession,
    table: type[_Row],
    actor: CurrentUser,
    patient_id: uuid.UUID,
    episode_id: uuid.UUID | None,
) -> _Row | None:
    """The actor's own draft of ``table`` for the patient's episode, the latest saved, or None.

    A draft under a registration since merged into the patient's record is theirs (one being
    typed as the merge arrived is continued on the surviving record).
    """
    columns: Any = table
    mine = recorded_by(actor)
    found: _Row | None = session.scalars(
        select(columns)
        .where(
            columns.patient_id.in_(identities_of(session, patient_id)),
            columns.status == RecordStatus.DRAFT.value,
            columns.deleted.is_(False),
            columns.episode_id.is_(None)
            if episode_id is None
            else columns.episode_id == episode_id,
            columns.created_by == mine if mine is not None else columns.created_by.is_(None),
        )
        .order_by(columns.updated_at.desc(), columns.id.desc())
        .limit(1)
    ).first()
    return found


def patient_row(
    session: ClinicSession,
    table: type[_Row],
    row_id: uuid.UUID,
    patient_id: uuid.UUID | None,
    *,
    missing: NotFound,
    wrong_patient: Conflict | None = None,
) -> _Row:
    """The row, when it exists and is ``patient_id``'s (when one is named).

    A row under a registration since merged into the patient's record (or into the record
    ``patient_id`` was merged into) is theirs; a row of any other patient is not.

    Raises:
        NotFound: ``missing``, also for another patient's row when no ``wrong_patient`` is given
            (reading: another patient's record is not found).
        Conflict: ``wrong_patient`` for another patient's row (changing it is refused).
    """
    row = session.get(table, row_id)
    if row is None or row.deleted:
        raise missing
    if patient_id is not None and not same_patient(session, row.patient_id, patient_id):
        raise wrong_patient if wrong_patient is not None else missing
    return row


def check_step(record_type: RecordType, step: str, row: PatientRow, actor: CurrentUser) -> None:
    """Refuse unless ``actor`` may take ``step`` on ``row`` (its status, their role, its author).

    Raises:
        Conflict, PermissionDenied: as ``Lifecycle.check``.
    """
    record_type.lifecycle.check(
        step,
        status=row.status,
        role=actor.role,
        actor=recorded_by(actor),
        author=row.created_by,
    )


class RowAudit(TypedDict):
    """What an audit entry about one row names: its patient, its table and its id."""

    patient_id: uuid.UUID
    entity: str
    entity_id: uuid.UUID


def row_audit(record_type: RecordType, row: PatientRow) -> RowAudit:
    """The entry's names for ``row`` of ``record_type``: ``uow.audit(..., **row_audit(...))``."""
    return RowAudit(patient_id=row.patient_id, entity=record_type.table_name, entity_id=row.id)


__all__ = [
    "PatientRow",
    "RowAudit",
    "check_step",
    "own_draft",
    "patient_and_episode",
    "patient_row",
    "row_audit",
]
