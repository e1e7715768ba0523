"""How many patients a laptop asks the server for at once: the server's limit from its plan."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from clinic_app.container import Services
from clinic_app.sync.scope import FETCH_PIECE, MAX_FETCH_PIECE, run_scope


class _Server:
    """A scope plan naming ``count`` patients to take in; every request is kept."""

    def __init__(self, count: int, limit: object = None) -> None:
        self.enter = [str(uuid.uuid4()) for _ in range(count)]
        self.limit = limit
        self.asked: list[int] = []
        self.held: list[int] = []

    def scope_plan(self, *, full: bool = False) -> dict[str, Any]:
        answer: dict[str, Any] = {"enter": self.enter, "leave": [], "scope": self.enter}
        if self.limit is not None:
            answer["fetch_limit"] = self.limit
        return answer

    def scope_rows(self, patients: Sequence[str], user_token: str | None = None) -> dict[str, Any]:
        self.asked.append(len(patients))
        return {"rows": [], "as_of": 1}

    def scope_held(
        self,
        add: Sequence[str],
        remove: Sequence[str],
        reason: str = "scope",
        user_token: str | None = None,
        as_of: int = 0,
    ) -> dict[str, Any]:
        self.held.append(len(add))
        return {"held": len(add), "let_go": len(remove)}


def _take_in(services: Services, server: _Server) -> int:
    report = run_scope(services.context.store, server, len)
    return report.taken_in


def test_a_laptop_asks_for_as_many_patients_at_once_as_the_servers_plan_allows(
    services: Services,
) -> None:
    server = _Server(1100, limit=400)
    assert _take_in(services, server) == 1100
    assert server.asked == [400, 400, 300]
    assert server.held == [400, 400, 300]


def test_a_server_that_names_no_limit_is_asked_for_250_at_a_time(services: Services) -> None:
    server = _Server(600)
    assert _take_in(services, server) == 600
    assert server.asked == [FETCH_PIECE, FETCH_PIECE, 100] == [250, 250, 100]


def test_a_limit_over_the_laptops_own_or_not_a_count_is_not_followed(services: Services) -> None:
    assert MAX_FETCH_PIECE == 500
    for limit, expected in ((1000, 500), (0, FETCH_PIECE), ("1000", FETCH_PIECE)):
        server = _Server(2100, limit=limit)
        assert _take_in(services, server) == 2100
        assert max(server.asked) == expected


class _Recording(_Server):
    """Every request and every piece stored, in the order they happened; one may fail."""

    def __init__(self, count: int, *, fail: str | None = None, at: int = 0) -> None:
        super().__init__(count, limit=100)
        self.events: list[str] = []
        self.fail, self.at = fail, at

    def scope_rows(self, patients: Sequence[str], user_token: str | None = None) -> dict[str, Any]:
        piece = len(self.asked)
        super().scope_rows(patients, user_token)
        self.events.append(f"fetch {piece}")
        if self.fail == "fetch" and piece == self.at:
            raise ConnectionError("the server went away")
        return {"rows": [], "as_of": piece + 1}

    def scope_held(
        self,
        add: Sequence[str],
        remove: Sequence[str],
        reason: str = "scope",
        user_token: str | None = None,
        as_of: int = 0,
    ) -> dict[str, Any]:
        piece = len(self.held)
        super().scope_held(add, remove, reason, user_token, as_of)
        # The as_of of each piece is the one its own rows came with.
        self.events.append(f"held {piece} as of {as_of}")
        if self.fail == "held" and piece == self.at:
            raise ConnectionError("the server went away")
        return {"held": len(add), "let_go": len(remove)}


def _stored_in_order(server: _Recording) -> Any:
    def store(rows: Any) -> int:
        server.events.append(f"stored {len([e for e in server.events if e.startswith('stored')])}")
        return len(rows)

    return store


def test_each_piece_is_confirmed_only_after_it_is_stored_with_its_own_as_of(
    services: Services,
) -> None:
    server = _Recording(300)
    report = run_scope(services.context.store, server, _stored_in_order(server))
    assert report.taken_in == 300
    for piece in range(3):
        stored = server.events.index(f"stored {piece}")
        assert server.events.index(f"fetch {piece}") < stored
        assert server.events.index(f"held {piece} as of {piece + 1}") > stored
    assert server.held == [100, 100, 100]


def test_a_fetch_that_fails_stops_the_round_and_nothing_after_it_is_confirmed(
    services: Services,
) -> None:
    server = _Recording(500, fail="fetch", at=2)
    with pytest.raises(ConnectionError):
        run_scope(services.context.store, server, _stored_in_order(server))
    assert "stored 2" not in server.events
    assert not any(event.startswith(("held 2", "held 3", "fetch 3")) for event in server.events)


def test_a_confirmation_that_fails_stops_the_round(services: Services) -> None:
    server = _Recording(1000, fail="held", at=1)
    with pytest.raises(ConnectionError):
        run_scope(services.context.store, server, _stored_in_order(server))
    # Found at the latest when the piece after next is stored: the round goes no further.
    assert "held 4 as of 5" not in server.events
    assert "fetch 9" not in server.events
