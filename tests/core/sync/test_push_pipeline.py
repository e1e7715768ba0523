"""A push overlaps this laptop's work with the server's, and still sends batches one by one.

While the server takes one batch in, the laptop acknowledges the one before and freezes the
one after. The one after is sent only once the answer is back; its changes to rows the batch
before also changed name the versions that batch gave them; an answer that holds changes
back stops the push with the batch after it unsent; and an answer lost before it was
recorded here is asked for again under the same keys, with nothing applied twice.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.session import Actor
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.sync import client as client_module
from clinic_app.sync.client import NEXT_KEY, PENDING_KEY, SyncClient
from clinic_app.sync.protocol import PullPage, PushRequest, PushResponse, Result, Status

USER = uuid.UUID("01900000-0000-7000-8000-00000000c002")


class _Server:
    """Keeps each row's version and each batch's answer, as the real server does.

    A change whose base is not the row's version is answered as a conflict; a batch key seen
    before is answered as it was the first time, and applied once.
    """

    def __init__(self) -> None:
        self.versions: dict[tuple[str, uuid.UUID], int] = {}
        self.answers: dict[uuid.UUID, PushResponse] = {}
        self.keys: list[uuid.UUID] = []
        self.applied: list[tuple[str, uuid.UUID, str]] = []
        self.hold_back: set[uuid.UUID] = set()
        self.in_flight = threading.Event()
        self.seq = 0

    def push(self, request: PushRequest, user_token: str | None = None) -> PushResponse:
        assert user_token == "token"
        assert not self.in_flight.is_set(), "a batch was sent before the one before it was answered"
        self.in_flight.set()
        try:
            self.keys.append(request.batch_key)
            if request.batch_key in self.answers:
                return self.answers[request.batch_key]
            results = []
            for change in request.changes:
                key = (change.table, change.row_id)
                if change.row_id in self.hold_back:
                    results.append(Result(change.key, Status.DEFERRED))
                    continue
                current = self.versions.get(key, 0)
                if change.operation != "insert" and change.base_version != current:
                    results.append(
                        Result(change.key, Status.CONFLICT, row_version=current, conflicts=("x",))
                    )
                    continue
                self.seq += 1
                self.versions[key] = self.seq
                self.applied.append((change.table, change.row_id, change.operation))
                results.append(Result(change.key, Status.APPLIED, row_version=self.seq))
            answer = PushResponse(request.batch_key, tuple(results), self.seq, 2000)
            self.answers[request.batch_key] = answer
            return answer
        finally:
            self.in_flight.clear()

    def pull(self, cursor: int, limit: int) -> PullPage:
        return PullPage((), cursor, False, cursor)


def _patients(services: Services, count: int) -> list[uuid.UUID]:
    numbers = synthetic_numbers(count)
    ids = [uuid7() for _ in range(count)]
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id, user_id=USER)
        for index, patient_id in enumerate(ids):
            session.add(
                Patient(
                    id=patient_id,
                    nhs_number=next(numbers),
                    given_name="Ada",
                    family_name=f"Pipe{index:04d}",
                    date_of_birth=date(1961, 3, 4),
                    sex="2",
                    ethnicity="Z",
                    postcode="LS1 4AP",
                )
            )
    return ids


def _rename(services: Services, patient_id: uuid.UUID, given: str) -> None:
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id, user_id=USER)
        patient = session.get(Patient, patient_id)
        assert patient is not None
        patient.given_name = given


def _client(services: Services, server: _Server, size: int) -> SyncClient:
    return SyncClient(
        services.context.store, server, batch_size=size, user_tokens=lambda _user: "token"
    )


def _meta(services: Services, key: str) -> str | None:
    with services.context.store.engine.connect() as conn:
        return conn.execute(select(StoreMeta.value).where(StoreMeta.key == key)).scalar()


@pytest.fixture
def server() -> _Server:
    return _Server()


def test_a_row_changed_in_two_batches_names_the_version_the_first_one_gave_it(
    services: Services, server: _Server
) -> None:
    ids = _patients(services, 4)
    # Batches of two entries: the inserts of the first two, of the last two, then the
    # renames of the first patient, each in a batch frozen while the one before was away.
    _rename(services, ids[0], "Grace")
    _rename(services, ids[1], "Mary")
    _rename(services, ids[0], "Joan")
    report = _client(services, server, 2).push()
    assert report.statuses == {"applied": 7}
    assert report.pushed == 7
    assert [operation for _t, _r, operation in server.applied].count("update") == 3
    assert _meta(services, PENDING_KEY) is None
    assert _meta(services, NEXT_KEY) is None


def test_an_answer_holding_changes_back_stops_the_push_before_the_batch_after_it(
    services: Services, server: _Server
) -> None:
    ids = _patients(services, 6)
    server.hold_back = {ids[1]}  # its file is not on the server yet, say
    client = _client(services, server, 2)
    report = client.push()
    # Only the first batch went; the one frozen after it was thawed, never sent.
    assert len(server.keys) == 1
    assert report.statuses == {"applied": 1, "deferred": 1}
    assert _meta(services, PENDING_KEY) is None
    assert _meta(services, NEXT_KEY) is None
    assert client.outbox_size() == 5
    server.hold_back = set()
    client.push()
    assert client.outbox_size() == 0
    assert [row for _t, row, _o in server.applied] == ids


def test_an_answer_lost_before_it_was_recorded_goes_again_under_the_same_keys(
    services: Services, server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _patients(services, 6)
    real = SyncClient._acknowledge
    calls: list[int] = []

    def fail_first(self: SyncClient, *args: Any, **kwargs: Any) -> dict[str, int]:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the laptop was switched off")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(client_module.SyncClient, "_acknowledge", fail_first)
    with pytest.raises(OSError, match="switched off"):
        _client(services, server, 2).push()
    # The first batch's answer was not recorded, and the second was sent meanwhile: both
    # stay frozen under their keys.
    first, second = server.keys
    assert _meta(services, PENDING_KEY) is not None
    assert str(first) in str(_meta(services, PENDING_KEY))
    assert str(second) in str(_meta(services, NEXT_KEY))
    client = _client(services, server, 2)
    client.push()
    assert server.keys[2:4] == [first, second]
    assert len(set(server.keys)) == 3
    assert client.outbox_size() == 0
    assert [row for _t, row, _o in server.applied] == ids
