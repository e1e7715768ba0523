"""``onestop run``: the first-run window when there is no store, else the sign-in window."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ui import launcher, runtime


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []

    def first(store: Path | None, *args: Any, **options: Any) -> int:
        calls.append(f"first run at {store}, insecure={options['allow_insecure_keyring']}")
        return 0

    def deferred(*args: Any) -> int:
        calls.append("sign-in")
        return 0

    monkeypatch.setattr(runtime, "run_first_run", first)
    monkeypatch.setattr(runtime, "run_deferred", deferred)
    # The launcher narrows the process's umask for the store it writes: put it back after.
    mask = os.umask(0o077)
    os.umask(mask)
    yield calls
    os.umask(mask)


def test_a_store_named_but_missing_starts_the_first_run(started: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "clinic.db"

    assert launcher.main(["run", "--store", str(missing), "--insecure-dev-keyring"]) == 0

    assert started == [f"first run at {missing}, insecure=True"]


def test_no_store_at_the_default_place_starts_the_first_run(started: list[str]) -> None:
    assert launcher.main(["run"]) == 0

    assert started == ["first run at None, insecure=False"]


def test_a_store_that_is_there_goes_straight_to_sign_in(started: list[str], tmp_path: Path) -> None:
    there = tmp_path / "clinic.db"
    there.write_bytes(b"")

    assert launcher.main(["run", "--store", str(there)]) == 0

    assert started == ["sign-in"]
