"""How many changes a laptop sends in one push: 500 until the server says it takes more."""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

import pytest

from clinic_app.container import Services
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.session import Actor
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.sync import client as client_module
from clinic_app.sync.client import SyncClient
from clinic_app.sync.protocol import (
    FIRST_BATCH,
    MAX_BATCH,
    Change,
    PullPage,
    PushRequest,
    PushResponse,
    Result,
    Status,
)

USER = uuid.UUID("01900000-0000-7000-8000-00000000c001")


class _Server:
    """Answers every change as applied; says it takes ``most`` per push (None: says nothing)."""

    def __init__(self, most: int | None) -> None:
        self.most = most
        self.sizes: list[int] = []

    def push(self, request: PushRequest, user_token: str | None = None) -> PushResponse:
        assert user_token == "token"
        self.sizes.append(len(request.changes))
        results = tuple(Result(c.key, Status.APPLIED, row_version=1) for c in request.changes)
        return PushResponse(request.batch_key, results, len(self.sizes), self.most)

    def pull(self, cursor: int, limit: int) -> PullPage:
        return PullPage((), cursor, False, cursor)


def _add_patients(services: Services, count: int) -> None:
    numbers = synthetic_numbers(count)
    rng = random.Random(3)
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id, user_id=USER)
        for index in range(count):
            session.add(
                Patient(
                    id=uuid7(),
                    nhs_number=next(numbers),
                    given_name=rng.choice(("Ada", "Grace")),
                    family_name=f"Size{index:05d}",
                    date_of_birth=date(1960, 1, 1),
                    sex="2",
                    ethnicity="Z",
                    postcode="LS1 4AP",
                )
            )


@pytest.mark.parametrize(
    ("most", "own", "sizes"),
    [
        (600, 2000, [500, 600, 100]),  # the server takes more: after its first answer
        (None, 2000, [500, 500, 200]),  # a server that does not say: 500 at a time
        (600, 300, [300, 300, 300, 300]),  # never more than the laptop's own size
        (200, 2000, [500, 200, 200, 200, 100]),  # fewer when the server takes fewer
    ],
)
def test_a_laptop_sends_as_many_changes_at_once_as_the_server_says_it_takes(
    services: Services, most: int | None, own: int, sizes: list[int]
) -> None:
    assert FIRST_BATCH == 500
    _add_patients(services, 1200)
    server = _Server(most)
    client = SyncClient(
        services.context.store, server, batch_size=own, user_tokens=lambda _user: "token"
    )
    report = client.push()
    assert server.sizes == sizes
    assert report.pushed == 1200
    assert client.outbox_size() == 0


def test_the_most_a_server_takes_travels_in_its_answer_and_is_checked() -> None:
    answer = PushResponse(uuid.uuid4(), (), 7, 2000)
    assert PushResponse.from_json(answer.to_json()) == answer
    older = {"batch_key": str(uuid.uuid4()), "results": [], "last_seq": 7}
    assert PushResponse.from_json(older).max_batch is None
    for bad in (0, -1, "2000", True):
        with pytest.raises(ClinicError) as refused:
            PushResponse.from_json({**older, "max_batch": bad})
        assert refused.value.code == "sync.bad_message"


def test_a_server_takes_up_to_its_most_changes_in_one_push_and_refuses_more() -> None:
    assert MAX_BATCH == 2000
    changes = [
        Change(uuid.uuid4(), "patient", uuid.uuid4(), "update", 1, {}, USER).to_json()
        for _ in range(MAX_BATCH + 1)
    ]
    body = {"protocol": 1, "batch_key": str(uuid.uuid4()), "changes": changes[:MAX_BATCH]}
    assert len(PushRequest.from_json(body).changes) == MAX_BATCH
    with pytest.raises(ClinicError) as refused:
        PushRequest.from_json({**body, "changes": changes})
    assert refused.value.code == "sync.bad_message"


def test_a_batch_of_long_values_ends_before_they_pass_the_laptops_size_for_one_push(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each patient's values are a few hundred bytes: 20 KB is about 50 of them.
    monkeypatch.setattr(client_module, "BATCH_BYTES", 20_000)
    _add_patients(services, 200)
    server = _Server(2000)
    client = SyncClient(services.context.store, server, user_tokens=lambda _user: "token")
    assert client.push().pushed == 200
    assert len(server.sizes) > 2
    assert sum(server.sizes) == 200
    assert max(server.sizes) < 100


@pytest.mark.parametrize(("most", "frozen_again"), [(2000, False), (600, True), (None, True)])
def test_the_batch_after_the_first_is_frozen_again_only_when_the_server_takes_fewer(
    services: Services, monkeypatch: pytest.MonkeyPatch, most: int | None, frozen_again: bool
) -> None:
    # Frozen at the laptop's own size while the first batch is out: a server taking that
    # many gets it as it is, without the laptop reading its outbox a second time.
    _add_patients(services, 1200)
    server = _Server(most)
    client = SyncClient(services.context.store, server, user_tokens=lambda _user: "token")
    again: list[bool] = []
    following = client._following

    def spy(after: Any, **kwargs: bool) -> Any:
        again.append(kwargs.get("again", False))
        return following(after, **kwargs)

    monkeypatch.setattr(client, "_following", spy)
    assert client.push().pushed == 1200
    assert any(again) is frozen_again
    assert server.sizes[0] == 500
    assert sum(server.sizes) == 1200
    assert max(server.sizes[1:]) <= (most or 500)


@pytest.mark.parametrize(
    "result",
    [
        {"status": "approved"},
        {"status": ["applied"]},
        {"status": None},
        {"status": "applied", "conflicts": "given_name"},
        {"status": "conflict", "conflicts": ["given_name", 3]},
    ],
)
def test_an_answer_whose_results_a_laptop_cannot_read_is_refused_as_a_bad_message(
    result: dict[str, Any],
) -> None:
    answer = {
        "batch_key": str(uuid.uuid4()),
        "results": [{"key": str(uuid.uuid4()), "row_version": 1, **result}],
        "last_seq": 7,
    }
    with pytest.raises(ClinicError) as refused:
        PushResponse.from_json(answer)
    assert refused.value.code == "sync.bad_message"


def test_a_result_reads_back_as_it_was_answered() -> None:
    for status in Status:
        result = Result(uuid.uuid4(), status, 3, ("given_name",), "sync.conflict")
        assert Result.from_json(result.to_json()) == result
