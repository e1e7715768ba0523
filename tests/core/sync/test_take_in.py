"""Taking patients in piece by piece: each piece confirmed only once stored, in order."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from clinic_app.kernel.errors import ClinicError
from clinic_app.sync import scope


class _Server:
    """A scope transport that records what it was asked, and when."""

    def __init__(self, events: list[tuple[str, tuple[str, ...]]], fail_held: int = -1) -> None:
        self.events = events
        self._fail_held = fail_held
        self._held = 0
        self._lock = threading.Lock()

    def scope_plan(self, *, full: bool = False) -> dict[str, Any]:
        return {"enter": [], "leave": []}

    def scope_rows(self, patients: Sequence[str], user_token: str | None = None) -> dict[str, Any]:
        with self._lock:
            self.events.append(("rows", tuple(patients)))
        return {"rows": [], "as_of": 7}

    def scope_held(
        self,
        add: Sequence[str],
        remove: Sequence[str],
        reason: str = "scope",
        user_token: str | None = None,
        as_of: int = 0,
    ) -> dict[str, Any]:
        with self._lock:
            self.events.append(("held", tuple(add)))
            self._held += 1
            if self._held - 1 == self._fail_held:
                raise ClinicError("sync.unreachable")
        return {"held": len(add)}


def _patients(count: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=index + 1) for index in range(count)]


def _pieces(patients: list[uuid.UUID], size: int) -> list[tuple[str, ...]]:
    return [
        tuple(str(p) for p in patients[start : start + size])
        for start in range(0, len(patients), size)
    ]


def test_every_piece_is_stored_before_the_server_is_told_it_is_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scope, "FETCH_PIECE", 2)
    events: list[tuple[str, tuple[str, ...]]] = []
    server = _Server(events)
    patients = _patients(5)
    pieces = iter(_pieces(patients, 2))

    def store_rows(rows: tuple[Any, ...]) -> int:
        events.append(("stored", next(pieces)))
        return len(rows)

    taken = scope.take_in(None, server, patients, store_rows)  # type: ignore[arg-type]

    assert taken == 5
    for piece in _pieces(patients, 2):
        assert events.index(("rows", piece)) < events.index(("stored", piece))
        assert events.index(("stored", piece)) < events.index(("held", piece))
    held = [piece for kind, piece in events if kind == "held"]
    assert held == _pieces(patients, 2)


def test_a_failed_confirmation_stops_the_round_with_at_most_one_piece_unconfirmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scope, "FETCH_PIECE", 2)
    events: list[tuple[str, tuple[str, ...]]] = []
    server = _Server(events, fail_held=0)
    patients = _patients(8)
    pieces = iter(_pieces(patients, 2))

    def store_rows(rows: tuple[Any, ...]) -> int:
        events.append(("stored", next(pieces)))
        return len(rows)

    with pytest.raises(ClinicError):
        scope.take_in(None, server, patients, store_rows)  # type: ignore[arg-type]

    stored = [piece for kind, piece in events if kind == "stored"]
    assert stored == _pieces(patients, 2)[:2]
