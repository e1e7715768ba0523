"""Connecting a new laptop from the first-run window, against a real server on PostgreSQL.

The administrator approves (or refuses) through the server's own command; the user added
on the server signs in on the laptop once the first sync has brought them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from pytestqt.qtbot import QtBot

from clinic_app.server import devices
from clinic_app.server.database import open_server_store
from tests.support.memory_keyring import MemoryKeyring
from tests.support.sync_server import SyncServer, free_port
from tests.support.tls import self_signed_certificate
from tests.ui.first_run.wizard_driver import (
    PASSWORD,
    WAIT_MS,
    click,
    fill_connect,
    first_run,
    sign_in_after,
    wait_page,
)
from ui import runtime
from ui.domains.first_run.wizard.pages import ConnectPage, SyncingPage, WaitingPage
from ui.domains.first_run.wizard.view import FirstRunWindow
from ui.domains.first_run.wizard.view_model import Page

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Where the laptop's store goes: in a folder that is not there yet."""
    return tmp_path / "data" / "clinic.db"


@pytest.fixture
def run(qtbot: QtBot, store: Path) -> Iterator[runtime.FirstRun]:
    """``onestop run`` with no store: the first-run window."""
    with first_run(qtbot, store) as started:
        yield started


@pytest.fixture
def wizard(run: runtime.FirstRun) -> FirstRunWindow:
    assert isinstance(run.wizard, FirstRunWindow)
    return run.wizard


def _listed(server: SyncServer) -> list[devices.DeviceView]:
    """What ``onestop-server device list`` shows the administrator."""
    store = open_server_store(server.db_url)
    try:
        with store.engine.connect() as conn:
            return devices.list_devices(conn)
    finally:
        store.engine.dispose()


def _connect(qtbot: QtBot, wizard: FirstRunWindow, address: str, **options: str) -> ConnectPage:
    wait_page(qtbot, wizard, Page.WELCOME)
    wizard.vm.choose(Page.CONNECT)
    page = wizard.pages[Page.CONNECT]
    assert isinstance(page, ConnectPage)
    fill_connect(qtbot, page, address, **options)
    click(qtbot, page.connect_button)
    return page


def _waiting(qtbot: QtBot, wizard: FirstRunWindow, server: SyncServer) -> WaitingPage:
    """Connect to ``server`` and wait for the page that waits for approval."""
    _connect(qtbot, wizard, server.url)
    wait_page(qtbot, wizard, Page.WAITING)
    waiting = wizard.pages[Page.WAITING]
    assert isinstance(waiting, WaitingPage)
    return waiting


def _nothing_left(store: Path) -> None:
    assert not store.parent.exists(), sorted(store.parent.iterdir())
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    assert backend.secrets == {}


def test_a_laptop_enrols_waits_for_approval_syncs_and_a_server_user_signs_in(
    qtbot: QtBot, server: SyncServer, wizard: FirstRunWindow, run: runtime.FirstRun, store: Path
) -> None:
    server.add_user("priya", "Priya Shah", "clinician", PASSWORD)
    page = _connect(qtbot, wizard, server.url, name="Clinic room 3")
    wait_page(qtbot, wizard, Page.WAITING)
    waiting = wizard.pages[Page.WAITING]
    assert isinstance(waiting, WaitingPage)
    shown = waiting.code.text()
    assert "Clinic room 3" in waiting.name_line.text()
    # The administrator sees the same laptop, by name and id, waiting.
    [listed] = _listed(server)
    assert (str(listed.id), listed.name, listed.status) == (shown, "Clinic room 3", "pending")
    assert page.name_edit.text() == "Clinic room 3"

    progress: list[float] = []
    wizard.vm.progress_changed.connect(progress.append)
    with qtbot.waitSignal(wizard.vm.finished, timeout=WAIT_MS):
        server.approve(uuid.UUID(shown))
    assert progress[0] == 0.0
    assert progress[-1] == 1.0
    sign_in_after(qtbot, run, "priya", PASSWORD)
    assert store.read_bytes()[:16] != b"SQLite format 3\x00"


def test_a_refused_laptop_is_told_plainly_and_starting_again_leaves_nothing(
    qtbot: QtBot, server: SyncServer, wizard: FirstRunWindow, run: runtime.FirstRun, store: Path
) -> None:
    waiting = _waiting(qtbot, wizard, server)
    assert store.exists()
    with qtbot.waitSignal(wizard.vm.refused, timeout=WAIT_MS):
        server.revoke(waiting.code.text())
    assert "refused" in waiting.heading.text()
    assert waiting.start_again_button.isVisible()
    click(qtbot, waiting.start_again_button)
    wait_page(qtbot, wizard, Page.WELCOME)
    _nothing_left(store)


def test_cancelling_while_waiting_leaves_no_store_and_no_key(
    qtbot: QtBot, server: SyncServer, wizard: FirstRunWindow, run: runtime.FirstRun, store: Path
) -> None:
    page = _connect(qtbot, wizard, server.url)
    wait_page(qtbot, wizard, Page.WAITING)
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    assert len(backend.secrets) == 3  # the store's key, its audit key, the device token
    waiting = wizard.pages[Page.WAITING]
    assert isinstance(waiting, WaitingPage)
    click(qtbot, waiting.cancel_button)
    wait_page(qtbot, wizard, Page.CONNECT)
    # Back where the address was typed, to correct it or go on.
    assert page.address_edit.text() == server.url
    _nothing_left(store)


def test_cancelling_the_first_sync_leaves_no_store_and_no_key(
    qtbot: QtBot, server: SyncServer, wizard: FirstRunWindow, run: runtime.FirstRun, store: Path
) -> None:
    _waiting(qtbot, wizard, server)

    def cancel_as_it_starts(page: str) -> None:
        # The sync is in hand (queued or running) when its page shows: Cancel there.
        if page == Page.SYNCING.value:
            syncing = wizard.pages[Page.SYNCING]
            assert isinstance(syncing, SyncingPage)
            syncing.cancel_button.click()

    wizard.vm.page_changed.connect(cancel_as_it_starts)
    server.approve(wizard.vm.device_id)
    qtbot.waitUntil(lambda: wizard.vm.page is Page.CONNECT, timeout=WAIT_MS)
    wait_page(qtbot, wizard, Page.CONNECT)
    assert not wizard.vm.done
    assert run.signed_in is None
    _nothing_left(store)


def test_closing_the_window_while_waiting_removes_what_was_made(
    qtbot: QtBot, server: SyncServer, wizard: FirstRunWindow, run: runtime.FirstRun, store: Path
) -> None:
    _waiting(qtbot, wizard, server)
    with qtbot.waitSignal(wizard.vm.closed_down, timeout=WAIT_MS):
        wizard.close()
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=WAIT_MS)
    _nothing_left(store)


def test_a_server_that_is_down_is_said_plainly_and_the_address_can_be_corrected(
    qtbot: QtBot, server: SyncServer, wizard: FirstRunWindow, run: runtime.FirstRun, store: Path
) -> None:
    page = _connect(qtbot, wizard, f"http://127.0.0.1:{free_port()}")
    qtbot.waitUntil(lambda: bool(page.message.text()), timeout=WAIT_MS)
    assert "No server answered" in page.message.text()
    assert wizard.vm.page is Page.CONNECT
    _nothing_left(store)

    fill_connect(qtbot, page, server.url)
    click(qtbot, page.connect_button)
    wait_page(qtbot, wizard, Page.WAITING)


def test_a_certificate_the_laptop_does_not_trust_and_then_its_authority_chosen(
    qtbot: QtBot, postgres_url: str, tmp_path: Path, wizard: FirstRunWindow, store: Path
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with SyncServer(postgres_url, tmp_path / "server.log", tls=(cert, key)) as server:
        page = _connect(qtbot, wizard, server.url)
        qtbot.waitUntil(lambda: bool(page.message.text()), timeout=WAIT_MS)
        assert "certificate is not one this laptop trusts" in page.message.text()
        _nothing_left(store)

        fill_connect(qtbot, page, server.url, ca=str(cert))
        click(qtbot, page.connect_button)
        wait_page(qtbot, wizard, Page.WAITING)
        # The authority is kept beside the store: the file chosen may be moved or deleted.
        assert (store.parent / "server-ca.pem").read_bytes() == cert.read_bytes()
