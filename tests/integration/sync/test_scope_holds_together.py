"""One laptop's confirmations arriving together: each hold is written once, none refused.

The server takes scope requests on worker threads (and may run as several processes), so a
laptop's confirmation of one piece, a record opened on demand and a push can reach it at the
same moment, naming the same patients.
"""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import Engine, create_engine, func, insert, select

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.kernel.migrate import upgrade
from clinic_app.server.scope import confirm, touch
from clinic_app.sync.model import SyncDevice, SyncDevicePatient

ROUNDS = 15
PATIENTS = 300
#: How each thread says it holds the patients: two confirmations of the same piece (a
#: retried request), a record opened on demand, and a push that wrote to them.
REASONS = ("scope", "scope", "opened", "written")


def _hold(engine: Engine, device: uuid.UUID, patients: list[uuid.UUID], reason: str) -> None:
    with engine.begin() as conn:
        if reason == "written":
            touch(conn, device, patients, reason=reason)
        else:
            confirm(conn, device, add=patients, reason=reason, as_of=7)


def _together(engine: Engine, device: uuid.UUID, patients: list[uuid.UUID]) -> list[str]:
    """Every reason's hold of ``patients`` at the same moment; the failures, by name."""
    start = threading.Barrier(len(REASONS))
    failures: list[str] = []

    def hold(reason: str) -> None:
        try:
            start.wait()
            _hold(engine, device, patients, reason)
        except Exception as error:  # noqa: BLE001 - reported by the test
            failures.append(type(error).__name__)

    threads = [threading.Thread(target=hold, args=(reason,)) for reason in REASONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_holds_confirmed_at_once_by_several_threads_are_each_written_once(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url, pool_size=len(REASONS))
    try:
        upgrade(engine)
        device = uuid.uuid4()
        with engine.begin() as conn:
            conn.execute(
                insert(SyncDevice).values(
                    id=device, name="clinic laptop", status="approved", token_sha256="0" * 64
                )
            )
        for _round in range(ROUNDS):
            patients = [uuid.uuid4() for _ in range(PATIENTS)]
            assert _together(engine, device, patients) == []
            with engine.connect() as conn:
                held = conn.execute(
                    select(func.count())
                    .select_from(SyncDevicePatient)
                    .where(SyncDevicePatient.patient_id.in_(patients))
                ).scalar()
            assert held == PATIENTS
    finally:
        engine.dispose()
