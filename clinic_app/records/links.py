"""A record links only to records of its own patient: checked where a device cannot be trusted.

A care contact names its appointment, a contact note its appointment and care contact, an
appointment its episode. A device's own services never link one patient's record to
another's; a tampered device could, so the server checks every pushed row's links
(``sync.hooks.on_checked``). Records of two patient rows merged into one (a duplicate
registration) count as the same patient's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.people.care import EpisodeChange, EpisodeOfCare, Referral
from clinic_app.people.duplicates import same_patient
from clinic_app.sync.hooks import on_checked


def link_refusal(
    conn: Connection, row: Mapping[str, Any], links: Mapping[str, type[Any]]
) -> str | None:
    """``sync.wrong_patient`` when a column of ``links`` names another patient's record.

    Args:
        conn: the push's connection.
        row: the row as it would be after the change (its ``patient_id`` among its columns).
        links: column → the model of the patient-owned table it points at.
    """
    patient = row.get("patient_id")
    if patient is None:
        return None
    for column, model in links.items():
        target = row.get(column)
        if target is None:
            continue
        table = model.__table__
        owner = conn.execute(select(table.c.patient_id).where(table.c.id == target)).scalar()
        if owner is not None and not same_patient(conn, owner, patient):
            return "sync.wrong_patient"
    return None


# People's own records that name another: an episode its referral, a close or reopening its
# episode (people sits below records, so their links are checked from here).
on_checked(
    EpisodeOfCare.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(conn, row, {"referral_id": Referral}),
)
on_checked(
    EpisodeChange.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(conn, row, {"episode_id": EpisodeOfCare}),
)
