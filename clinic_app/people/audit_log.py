"""The audit trail as the service's record, seen from this device.

The chain's anchor is the head the server acknowledged (``sync.audit_ship``); verifying
reads it from the server when the device is online. "Who opened or changed this patient's
record" is asked of the server, which holds every device's entries; offline, this device's
own entries are shown and marked as such.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select

from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.audit_trail import AuditService
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, Conflict, NotFound, StoreError
from clinic_app.kernel.security import audit, keychain
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import Context, Mode, UnitOfWork
from clinic_app.people.duplicates import identities_of, standing_for_number
from clinic_app.people.nhs_number import normalise
from clinic_app.people.sync_service import ServerLink, SyncService
from clinic_app.sync.audit_ship import read_anchor


@dataclass(frozen=True)
class TrailLine:
    """One line of a patient's access trail: who, role, where, what, when. No clinical text."""

    at: datetime
    action: str
    user: str
    role: str
    device: str
    entity: str
    entity_id: str


@dataclass(frozen=True)
class PatientTrail:
    """A patient's access trail and where it came from."""

    lines: tuple[TrailLine, ...]
    source: str
    """``service`` (every device, from the server) or ``device`` (this laptop only)."""


class AuditLogService:
    """Anchored verification and the patient access trail, for administrators."""

    def __init__(self, context: Context, sync: SyncService) -> None:
        self._context = context
        self._sync = sync
        self._uow = UnitOfWork(context)

    def server_anchor(self) -> audit.Anchor | None:
        """The head the server holds for this device, or None when not set up.

        Raises:
            ClinicError: ``sync.unreachable`` and the server's own refusals.
        """
        if not self._sync.configured():
            return None
        transport = self._sync._transport()
        try:
            return read_anchor(transport)
        finally:
            transport.close()

    def verify(self, actor: CurrentUser, *, online: bool = True) -> audit.AuditReport:
        """Verify the chain against the server's head (or, offline, the recorded copy)."""
        anchor = None
        if online:
            try:
                anchor = self.server_anchor()
            except ClinicError as error:
                if error.code != "sync.unreachable":
                    raise
        return AuditService(self._context).verify(actor, anchor)

    def find_patient(self, actor: CurrentUser, nhs_number: str) -> uuid.UUID:
        """The patient on this device with this NHS number, to ask about.

        Raises:
            ValidationError: the number is not a valid NHS number (field ``nhs_number``).
            NotFound: ``audit.patient_not_here``: no patient with it on this device.
            Conflict: ``audit.registered_twice``: two registrations of the number not merged
                (a possible duplicate still to be resolved), so not one patient to ask about.
        """
        digits = normalise(nhs_number)
        with self._uow(actor, Action.AUDIT_VERIFY, mode=Mode.READ) as session:
            standing = standing_for_number(session, digits)
        if not standing:
            raise NotFound("audit.patient_not_here")
        if len(standing) > 1:
            raise Conflict("audit.registered_twice")
        return standing.pop()

    def export(
        self, actor: CurrentUser, patient_id: uuid.UUID, trail: PatientTrail, path: Path
    ) -> None:
        """Write the trail as CSV for a subject access request (a new file, 0600); audited.

        Raises:
            StoreError: ``audit.export_exists`` if the file is already there.
        """
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise StoreError("audit.export_exists") from None
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(trail_csv(trail.lines))
        with self._uow(actor, Action.AUDIT_VERIFY, mode=Mode.AUDITED_READ) as session:
            self._uow.audit(
                session,
                actor,
                "audit.patient_trail_export",
                patient_id=patient_id,
                entity="patient",
                entity_id=patient_id,
            )

    def patient_trail(self, actor: CurrentUser, patient_id: uuid.UUID) -> PatientTrail:
        """Who opened or changed this patient's record: every device when online.

        Asking is itself audited (here, and on the server when it answers). The screen runs
        the store part and the server part on their own threads (:meth:`ask` and
        :meth:`from_server`); this does both, for the command line and tests.
        """
        local, link = self.ask(actor, patient_id)
        remote = self.from_server(link, actor, patient_id)
        return remote if remote is not None else local

    def ask(
        self, actor: CurrentUser, patient_id: uuid.UUID
    ) -> tuple[PatientTrail, ServerLink | None]:
        """Record the question, and read this device's own lines and the server link.

        Store work only (the store worker's thread).
        """
        with self._uow(actor, Action.AUDIT_VERIFY, mode=Mode.AUDITED_READ) as session:
            self._uow.audit(
                session,
                actor,
                "audit.patient_trail",
                patient_id=patient_id,
                entity="patient",
                entity_id=patient_id,
            )
        local = PatientTrail(lines=self._from_device(patient_id), source="device")
        link = self._sync._link() if self._sync.configured() else None
        return local, link

    def from_server(
        self, link: ServerLink | None, actor: CurrentUser, patient_id: uuid.UUID
    ) -> PatientTrail | None:
        """Every device's lines from the server, or None when it cannot be asked.

        Network only (an I/O thread). The actor must have signed in online on this device.
        """
        if link is None:
            return None
        user_token = keychain.sync_token(self._context.device_id, actor.id)
        if user_token is None:
            return None
        transport = SyncService._http(link.url, link.token, link.ca_file)
        try:
            body = transport.audit_patient_trail(str(patient_id), user_token)
        except ClinicError as error:
            if error.code == "sync.unreachable":
                return None
            raise
        finally:
            transport.close()
        raw = body.get("lines")
        if not isinstance(raw, list):
            raise ClinicError("sync.bad_answer", status=200)
        lines = tuple(
            TrailLine(
                at=datetime.fromisoformat(str(item["at"])),
                action=str(item["action"]),
                user=str(item["user"]),
                role=str(item["role"]),
                device=str(item["device"]),
                entity=str(item["entity"]),
                entity_id=str(item["entity_id"]),
            )
            for item in raw
            if isinstance(item, dict)
        )
        return PatientTrail(lines=lines, source="service")

    def _from_device(self, patient_id: uuid.UUID) -> tuple[TrailLine, ...]:
        with self._context.store.sessions() as session:
            # A registration since merged into the record is the same patient's.
            registrations = identities_of(session, patient_id)
            rows = session.execute(
                select(AuditEntry, User.username, User.display_name, User.role)
                .outerjoin(User, User.id == AuditEntry.user_id)
                .where(
                    or_(
                        AuditEntry.patient_id.in_(registrations),
                        AuditEntry.entity_id.in_(registrations),
                    )
                )
                .order_by(AuditEntry.seq)
            ).all()
        lines = []
        for entry, username, display_name, role in rows:
            named: str | None = username
            if named is not None:
                user, role_text = f"{display_name} ({username})", str(role)
            else:
                user, role_text = f"{entry.operator or 'unnamed'} (command line)", "operator"
            lines.append(
                TrailLine(
                    at=entry.at,
                    action=entry.action,
                    user=user,
                    role=role_text,
                    device="this laptop",
                    entity=entry.entity or "",
                    entity_id=str(entry.entity_id or ""),
                )
            )
        return tuple(lines)


CSV_COLUMNS = ("when", "action", "user", "role", "device", "record", "record_id")


def trail_csv(lines: Sequence[TrailLine]) -> str:
    """The trail as CSV for a subject access request: who, role, where, what, when.

    Only the request's own patient is in it, and no clinical content or demographics: the
    record is named by its kind and id, the staff by name and role.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.at.isoformat(),
                line.action,
                _cell(line.user),
                line.role,
                _cell(line.device),
                line.entity,
                line.entity_id,
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """Never a formula when the CSV is opened in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
