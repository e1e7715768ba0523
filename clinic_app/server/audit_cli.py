"""``onestop-server``'s audit commands, and the operator every command names.

``register`` adds ``--operator NAME`` (or ``ONESTOP_OPERATOR``) to every command but
``serve``, refuses to run one without it, and chains each completed action on the server's
own audit chain under that name. It also adds ``onestop-server audit``:

- ``audit patient NHS_NUMBER_OR_ID [--csv FILE]``: who opened or changed this patient's
  record, where and when, across every device (CSV for a subject access request);
- ``audit devices``: each device's chain head held (the anchors);
- ``audit refusals``: shipments refused as a gap, a rewrite or a fork.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from clinic_app.kernel.audit_entry import ServiceAuditEntry
from clinic_app.kernel.settings import setting_id
from clinic_app.kernel.staff import User
from clinic_app.kernel.store import open_url_store
from clinic_app.people.audit_log import trail_csv
from clinic_app.server import audit_store

OPERATOR_VARIABLE = "ONESTOP_OPERATOR"
_NOT_AUDITED = frozenset({"serve"})

Runner = Callable[[argparse.Namespace], int]


def _say(text: str, *, error: bool = False) -> None:
    stream = sys.stderr if error else sys.stdout
    stream.write(text + "\n")


def operator_of(args: argparse.Namespace) -> str | None:
    """The named operator: ``--operator``, else the environment; printable, at most 64."""
    given = getattr(args, "operator", None) or os.environ.get(OPERATOR_VARIABLE, "")
    name = "".join(c for c in given.strip() if c.isprintable())[:64]
    return name or None


def _what(args: argparse.Namespace) -> tuple[str, str | None, uuid.UUID | None]:
    command = str(args.command)
    action = getattr(args, "action", None) or getattr(args, "audit_action", None)
    name = f"server.{command}" + (f".{action}" if action else "")
    if command == "device" and getattr(args, "device_id", None):
        try:
            return name, "sync_device", uuid.UUID(str(args.device_id))
        except ValueError:
            return name, "sync_device", None
    if command == "settings" and getattr(args, "setting_key", None):
        return name, "service_setting", setting_id(str(args.setting_key))
    return name, "app_user" if command == "user" else None, None


def _record(args: argparse.Namespace, operator: str) -> None:
    action, entity, entity_id = _what(args)
    store = open_url_store(args.db)
    try:
        with store.engine.begin() as conn:
            if entity == "app_user" and getattr(args, "username", None):
                entity_id = conn.execute(
                    select(User.id).where(User.username == str(args.username).strip().casefold())
                ).scalar()
            audit_store.record_server_action(
                conn, operator=operator, action=action, entity=entity, entity_id=entity_id
            )
    finally:
        store.close()


def _audited(run: Runner) -> Runner:
    def wrapped(args: argparse.Namespace) -> int:
        operator = operator_of(args)
        if operator is None:
            _say(
                f"Name yourself for the audit trail: --operator NAME (or set {OPERATOR_VARIABLE}).",
                error=True,
            )
            return 2
        args.operator = operator
        code = run(args)
        if code == 0 and not getattr(args, "not_recorded", False):
            _record(args, operator)
        return code

    return wrapped


def _patient_id(conn: Any, given: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(given)
    except ValueError:
        return audit_store.patient_id_for(conn, given)


def _audit(args: argparse.Namespace) -> int:
    store = open_url_store(args.db)
    try:
        with store.engine.begin() as conn:
            if args.audit_action == "devices":
                rows = conn.execute(
                    select(
                        ServiceAuditEntry.device_id,
                        func.count(),
                        func.max(ServiceAuditEntry.seq),
                    ).group_by(ServiceAuditEntry.device_id)
                ).all()
                for device_id, count, top in rows:
                    seq, hash_ = audit_store.head(conn, device_id)
                    _say(f"{device_id}  {count} entries  head {seq}:{hash_}  (last {top})")
                return 0
            if args.audit_action == "refusals":
                for at, device_id, seq, code in audit_store.refusals(conn):
                    _say(f"{at.isoformat()}  {device_id}  entry {seq}  {code}")
                return 0
            if not args.subject:
                _say("Name the patient: an NHS number or a patient id.", error=True)
                return 2
            patient = _patient_id(conn, args.subject)
            if patient is None:
                _say("The server holds no single patient with that NHS number.", error=True)
                return 2
            lines = audit_store.patient_trail(conn, patient)
            audit_store.record_server_action(
                conn,
                operator=args.operator,
                action="audit.patient_trail",
                patient_id=patient,
                entity="patient",
                entity_id=patient,
            )
    finally:
        store.close()
    if args.csv is not None:
        path: Path = args.csv
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(trail_csv(lines))
        _say(f"Wrote {len(lines)} line(s) to {path}.")
        return 0
    _say(f"{len(lines)} line(s) for patient {patient}:")
    for line in lines:
        _say(
            f"{line.at.isoformat()}  {line.action:<28} {line.user}  [{line.role}]  on {line.device}"
        )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the audit command, and ``--operator`` (audited) to every command but ``serve``."""
    audit = commands.add_parser("audit", help="the service's audit trail, across devices")
    audit.add_argument("audit_action", choices=["patient", "devices", "refusals"])
    audit.add_argument("subject", nargs="?", help="NHS number or patient id")
    audit.add_argument("--db", required=True, help="database URL")
    audit.add_argument("--csv", type=Path, help="write the trail as CSV (a new file)")
    audit.set_defaults(run=_audit, not_recorded=True)
    for name, sub in commands.choices.items():
        if name in _NOT_AUDITED:
            continue
        sub.add_argument(
            "--operator",
            help=f"who is running the command, for the audit trail (or {OPERATOR_VARIABLE})",
        )
        run = sub.get_default("run")
        if run is not None:
            sub.set_defaults(run=_audited(run))
