"""What the server does with pushed appointments: double bookings flagged, wrong links refused.

An appointment or a care contact that links another patient's record is refused
(``records.links``).

Two laptops offline can book one clinician into the same time. Neither knew, so neither is
wrong and neither booking is dropped: the server keeps both and adds an open
``appointment_clash`` for a person to settle (rebook or cancel one, or keep both with a
reason). Its id is derived from the pair, so a pair is flagged once however often either
appointment changes, and every device pulls the same row.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.domains.appointments.model import Appointment, AppointmentClash, CareContact
from clinic_app.domains.appointments.rules import LIVE, MAX_MINUTES, clash_id
from clinic_app.kernel.base import utcnow
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_applied, on_checked

#: How far back an overlapping appointment can start: the longest one booking allows.
_LONGEST = timedelta(minutes=MAX_MINUTES)


def _clash_rows(conn: Connection, appointment_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    table = Appointment.__table__
    mine = conn.execute(select(table).where(table.c.id == appointment_id)).mappings().first()
    if mine is None or mine["deleted"] or mine["status"] not in LIVE:
        return []
    start = mine["starts_at"]
    end = start + timedelta(minutes=int(mine["minutes"]))
    others = conn.execute(
        select(table.c.id, table.c.starts_at, table.c.minutes).where(
            table.c.clinician_id == mine["clinician_id"],
            table.c.id != appointment_id,
            table.c.deleted.is_(False),
            table.c.status.in_(sorted(LIVE)),
            table.c.starts_at > start - _LONGEST,
            table.c.starts_at < end,
        )
    ).all()
    overlapping = [
        other.id
        for other in others
        if other.starts_at + timedelta(minutes=int(other.minutes)) > start
    ]
    if not overlapping:
        return []
    pairs = {clash_id(appointment_id, other): other for other in overlapping}
    clashes = AppointmentClash.__table__
    held = set(conn.execute(select(clashes.c.id).where(clashes.c.id.in_(list(pairs)))).scalars())
    when = utcnow()
    rows: list[tuple[str, dict[str, Any]]] = []
    for row_id, other in pairs.items():
        if row_id in held:
            continue
        first, second = sorted((appointment_id, other))
        rows.append(
            (
                AppointmentClash.__tablename__,
                {
                    "id": row_id,
                    "first_appointment_id": first,
                    "second_appointment_id": second,
                    "clinician_id": mine["clinician_id"],
                    "status": "open",
                    "resolved_by": None,
                    "resolved_at": None,
                    "resolution_reason": None,
                    "created_at": when,
                    "created_by": None,
                    "updated_at": when,
                    "updated_by": None,
                    "device_id": None,
                    "deleted": False,
                    "deleted_at": None,
                },
            )
        )
    return rows


on_applied(Appointment.__tablename__, "double_booking", _clash_rows)


on_checked(
    Appointment.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn, row, {"episode_id": EpisodeOfCare, "rebooked_from_id": Appointment}
    ),
)
on_checked(
    CareContact.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn, row, {"appointment_id": Appointment, "episode_id": EpisodeOfCare}
    ),
)
