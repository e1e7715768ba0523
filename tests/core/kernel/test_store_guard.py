"""A thread kept off the store is refused every way into it; every other thread is not."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from clinic_app.container import Services
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.session import reader
from clinic_app.kernel.store_guard import (
    StoreRefusedOnThisThread,
    keep_store_off_this_thread,
    store_allowed_here,
)
from clinic_app.kernel.uow import SYSTEM


def _on_kept_off_thread(work: Callable[[], object]) -> BaseException | None:
    """Run ``work`` on a thread kept off the store, as the UI's I/O pool marks its own."""
    with ThreadPoolExecutor(
        max_workers=1, initializer=keep_store_off_this_thread, initargs=("a test's pool",)
    ) as pool:
        return pool.submit(work).exception()


def _on_plain_thread(work: Callable[[], object]) -> BaseException | None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - reported by the test thread
            errors.append(error)

    thread = threading.Thread(target=run, name="a core background thread")
    thread.start()
    thread.join()
    return errors[0] if errors else None


def test_a_service_call_on_a_thread_kept_off_the_store_is_refused(services: Services) -> None:
    refused = _on_kept_off_thread(lambda: services.users.list(SYSTEM))

    assert isinstance(refused, StoreRefusedOnThisThread)
    assert "a test's pool" in str(refused)
    assert "kept off the store" in str(refused)


@pytest.mark.parametrize("way_in", ["session", "write", "raw connection", "read-only connection"])
def test_every_way_into_the_store_is_refused_and_leaves_it_working(
    services: Services, way_in: str
) -> None:
    store = services.context.store

    def session_read() -> object:
        with store.sessions() as session:
            return session.scalar(select(StoreMeta.value).limit(1))

    def session_write() -> object:
        with store.sessions.begin() as session:
            session.add(StoreMeta(key="test.kept_off", value="never"))
        return None

    def raw() -> object:
        with store.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar()

    def read_only() -> object:
        with reader(store.engine).connect() as conn:
            return conn.execute(text("SELECT 1")).scalar()

    work = {
        "session": session_read,
        "write": session_write,
        "raw connection": raw,
        "read-only connection": read_only,
    }[way_in]

    assert isinstance(_on_kept_off_thread(work), StoreRefusedOnThisThread)
    # Nothing was written, and the refused connection went back to the pool in working order.
    with store.sessions() as session:
        assert session.get(StoreMeta, "test.kept_off") is None
    for _ in range(8):  # more than the pool holds, so every pooled connection is used
        assert _on_plain_thread(raw) is None


def test_threads_nobody_marked_use_the_store(services: Services) -> None:
    # The sync scheduler, the PACS sender and the DICOM listeners run on threads of their own.
    assert _on_plain_thread(lambda: services.users.list(SYSTEM)) is None
    assert store_allowed_here()


def test_a_mark_stays_with_its_thread(services: Services) -> None:
    # A thread started from a kept-off one is not kept off (a mark is per thread, not
    # inherited), and the test's own thread was never marked.
    def start_another() -> BaseException | None:
        return _on_plain_thread(lambda: services.users.list(SYSTEM))

    with ThreadPoolExecutor(
        max_workers=1, initializer=keep_store_off_this_thread, initargs=("a test's pool",)
    ) as pool:
        assert pool.submit(start_another).result() is None
        assert pool.submit(store_allowed_here).result() is False
    assert store_allowed_here()
