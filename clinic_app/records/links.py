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

from clinic_app.kernel.attachments import Attachment
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


def file_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """``sync.wrong_patient`` for a new file row naming bytes another record's file holds.

    A file is made once, for the record it is taken for; the app never makes a second row for
    bytes already on the server except for the same patient. A row naming another patient's
    file (or one still waiting for a patient) would give its bytes to whoever holds the new
    row's patient.
    """
    if stored is not None:
        return None  # a file row is never changed (its own check refuses that)
    table = Attachment.__table__
    owners = conn.execute(
        select(table.c.patient_id).where(
            table.c.sha256 == row.get("sha256"), table.c.id != row.get("id")
        )
    ).scalars()
    patient = row.get("patient_id")
    for owner in owners:
        if owner is None or patient is None or not same_patient(conn, owner, patient):
            return "sync.wrong_patient"
    return None


on_checked(Attachment.__tablename__, "same_patient", file_refusal)
