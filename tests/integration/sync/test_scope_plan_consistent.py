"""A laptop's scope plan is read as one moment, even while its holds are being written.

A record opened on demand is confirmed as held (``opened``) while the laptop's background
round may be asking for its plan. The plan compares the patients in scope with those held;
read on either side of the confirmation's commit, the just-opened patient looked held but
out of scope, the plan said "let go", and the laptop removed the record the clinician had
just opened.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, insert

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.kernel.migrate import upgrade
from clinic_app.server import scope
from clinic_app.sync.model import SyncDevice

#: How long the plan is given to start reading while the confirmation is uncommitted.
GRACE_S = 1.0


@pytest.fixture
def engine(postgres_url: str) -> Any:
    engine = create_engine(postgres_url, pool_size=3)
    upgrade(engine)
    yield engine
    engine.dispose()


def _device(engine: Engine) -> uuid.UUID:
    device = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            insert(SyncDevice).values(
                id=device, name="clinic laptop", status="approved", token_sha256="0" * 64
            )
        )
    return device


def test_a_plan_asked_while_an_opened_record_is_confirmed_never_lets_that_record_go(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = _device(engine)
    opened = uuid.uuid4()
    committed = threading.Event()
    reading = threading.Event()
    real_scope_of = scope.scope_of

    def scope_of_then_wait(*args: Any, **kwargs: Any) -> set[uuid.UUID]:
        # The patients in scope are read; the confirmation then commits before the holds are
        # read (the interleaving that lost the record, made certain here).
        found = real_scope_of(*args, **kwargs)
        reading.set()
        committed.wait(timeout=10)
        return found

    monkeypatch.setattr(scope, "scope_of", scope_of_then_wait)
    plans: list[scope.ScopePlan] = []
    failures: list[BaseException] = []

    def ask() -> None:
        try:
            with engine.connect() as conn:
                plans.append(scope.plan(conn, device))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)

    with engine.begin() as conn:
        scope.confirm(conn, device, add=[opened], reason="opened", as_of=3)
        asker = threading.Thread(target=ask)
        asker.start()
        # The plan waits for the confirmation to end, or reads before it (the old way).
        reading.wait(timeout=GRACE_S)
    committed.set()
    asker.join(timeout=30)
    assert not failures
    assert len(plans) == 1
    assert opened not in plans[0].leave
    assert opened not in plans[0].enter


def test_a_plan_still_names_patients_held_and_out_of_scope(engine: Engine) -> None:
    device = _device(engine)
    taken = uuid.uuid4()
    with engine.begin() as conn:
        scope.confirm(conn, device, add=[taken], reason="scope", as_of=3)
    with engine.connect() as conn:
        plan = scope.plan(conn, device)
    assert plan.leave == (taken,)
    assert plan.enter == ()
