"""A server store and its users, and changes as a device pushes them: for hostile-push tests.

A domain's server tests push rows as a tampered device would and read what the server made
of each (applied, or refused with its reason).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from clinic_app.kernel.outbox import wire_value
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.text import search_key
from clinic_app.records.registry import record_type_for_table
from clinic_app.records.seal import digest, transient_row
from clinic_app.server import users
from clinic_app.server.apply import apply_push
from clinic_app.server.authorise import Acting
from clinic_app.server.database import open_server_store
from clinic_app.sync.protocol import Change, PushRequest, Status

DEVICE = uuid.UUID("01900000-0000-7000-8000-00000000ca17")
NOW = datetime.now(UTC).replace(microsecond=0)


def sealed(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (the whole row, by column name) with the seal a device gives it on signing.

    A tampered device's push is built from a row it could have signed: the server refuses a
    signed row whose seal does not match what it covers (``sync.seal_broken``).
    """
    record_type = record_type_for_table(table)
    assert record_type is not None, f"{table} holds no record type"
    return {**values, "content_sha256": digest(record_type, transient_row(record_type, values))}


@dataclass(frozen=True)
class PushServer:
    """A server store and the users made in it, by user name."""

    engine: Engine
    acting: dict[str, Acting]

    def push(self, acting: Acting, *changes: Change) -> list[tuple[Status, str | None]]:
        """Push ``changes`` from :data:`DEVICE` as ``acting``: each one's status and reason."""
        with self.engine.begin() as conn:
            response = apply_push(
                conn, DEVICE, PushRequest(uuid.uuid4(), tuple(changes)), None, acting=acting
            )
        return [(result.status, result.reason) for result in response.results]


def push_server(folder: Path, people: Iterable[tuple[str, Role]]) -> PushServer:
    """A new server store in ``folder`` with a user for each (name, role); dispose it after."""
    store = open_server_store(f"sqlite:///{folder / 'server.db'}")
    acting: dict[str, Acting] = {}
    with store.engine.begin() as conn:
        for name, role in people:
            user = users.add_user(
                conn,
                username=name,
                display_name=f"{name.title()} Example",
                role=role,
                password="correct horse battery 1",
                professional_body=None if role is Role.ADMIN else "HCPC",
            )
            acting[name] = Acting(user, role)
    return PushServer(store.engine, acting)


def wire(by: Acting, **values: Any) -> dict[str, Any]:
    """A row's values as a device sends them, stamped as written by ``by`` now."""
    stamped = {
        "created_at": NOW,
        "updated_at": NOW,
        "created_by": by.user_id,
        "updated_by": by.user_id,
        "device_id": DEVICE,
        "deleted": False,
        **values,
    }
    return {name: wire_value(value) for name, value in stamped.items()}


def insert(table: str, row_id: uuid.UUID, by: Acting, **values: Any) -> Change:
    """A new row of ``table`` pushed by ``by``."""
    return Change(uuid.uuid4(), table, row_id, "insert", 0, wire(by, **values), by.user_id)


def update(table: str, row_id: uuid.UUID, version: int, by: Acting, **values: Any) -> Change:
    """A change to a row of ``table`` at ``version``, pushed by ``by``."""
    return Change(uuid.uuid4(), table, row_id, "update", version, wire(by, **values), by.user_id)


def example_patient(by: Acting, nhs_number: str = "9990000018") -> tuple[uuid.UUID, Change]:
    """A synthetic patient (NHS number in the 999 test range) and the change registering them."""
    patient = uuid.uuid4()
    return patient, insert(
        "patient",
        patient,
        by,
        nhs_number=nhs_number,
        given_name="Ada",
        family_name="Example",
        given_key=search_key("Ada"),
        family_key=search_key("Example"),
        date_of_birth=date(1960, 1, 1),
        sex="2",
        ethnicity="Z",
        postcode="LS1 4AP",
    )
