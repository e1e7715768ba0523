"""Files waiting for a patient that a push has filed with one: they become that patient's.

A scanner's object that matched nobody arrives as an orphan: its file row names no patient,
so every laptop of the service holds the row and may download its bytes (any clinic may
place it). Once a person files it (the image's study set), the file belongs to that patient
as well: the server sets the file row's patient, once, and laptops that do not hold the
patient let go of the row and its bytes when they pull that change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import cache

from sqlalchemy import Connection, select

from clinic_app.sync.files import FILE_COLUMNS
from clinic_app.sync.ownership import PATIENT_COLUMN, among, by_table, owner_of, patients_of_row
from clinic_app.sync.wire import synced_tables


@cache
def file_links() -> dict[str, tuple[tuple[str, str], ...]]:
    """For each scoped table naming a file's row: its (column, file table) foreign keys.

    Only file tables whose rows name their patient in a column of their own (which may be
    empty while the file waits for one).
    """
    tables = synced_tables()
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for name, synced in sorted(tables.items()):
        if not owner_of(name).scoped:
            continue
        links = tuple(
            (column.name, key.column.table.name)
            for column in synced.table.columns
            for key in column.foreign_keys
            if key.column.table.name in FILE_COLUMNS
            and owner_of(key.column.table.name).columns == (PATIENT_COLUMN,)
        )
        if links:
            found[name] = links
    return found


def files_filed(
    conn: Connection, keys: Iterable[tuple[str, uuid.UUID]]
) -> list[tuple[str, uuid.UUID, uuid.UUID]]:
    """Files waiting for a patient named by these rows, each with the patient its row has now.

    Returns (file table, file row id, patient), in no set order; a row with no patient yet
    (an image still waiting too) gives nothing.
    """
    links = file_links()
    found: list[tuple[str, uuid.UUID, uuid.UUID]] = []
    for name, ids in by_table(key for key in keys if key[0] in links).items():
        table = synced_tables()[name].table
        for column, file_table in links[name]:
            files = synced_tables()[file_table].table
            waiting = select(files.c.id).where(files.c[PATIENT_COLUMN].is_(None))
            query = select(table).where(
                among(conn, table.c.id, list(dict.fromkeys(ids))), table.c[column].in_(waiting)
            )
            for row in conn.execute(query).mappings():
                patient, _ = patients_of_row(conn, name, row)
                if patient is not None:
                    found.append((file_table, row[column], patient))
    return found
