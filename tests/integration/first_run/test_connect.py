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
from ui.domains.first_run.wizard.pages import ConnectPage, WaitingPage
from ui.domains.first_run.wizard.view import FirstRunWindow
from ui.domains.first_run.wizard.view_model import Page

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        yield running


def _listed(server: SyncServer) -> list[devices.DeviceView]:
    """What ``onestop-server device list`` shows the administrator."""
    store = open_server_store(server.db_url)
    try:
        with store.engine.connect() as conn:
            return devices.list_devices(conn)
    finally:
        store.engine.dispose()


def _wizard(run: runtime.FirstRun) -> FirstRunWindow:
    assert isinstance(run.wizard, FirstRunWindow)
    return run.wizard


def _connect(qtbot: QtBot, wizard: FirstRunWindow, address: str, **options: str) -> ConnectPage:
    wait_page(qtbot, wizard, Page.WELCOME)
    wizard.vm.choose(Page.CONNECT)
    page = wizard.pages[Page.CONNECT]
    assert isinstance(page, ConnectPage)
    fill_connect(qtbot, page, address, **options)
    click(qtbot, page.connect_button)
    return page


def _nothing_left(store: Path) -> None:
    assert not store.parent.exists(), sorted(store.parent.iterdir())
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    assert backend.secrets == {}


def test_a_laptop_enrols_waits_for_approval_syncs_and_a_server_user_signs_in(
    qtbot: QtBot, server: SyncServer, tmp_path: Path
) -> None:
    server.add_user("priya", "Priya Shah", "clinician", PASSWORD)
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = _wizard(run)
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

        with qtbot.waitSignal(wizard.vm.finished, timeout=WAIT_MS):
            server.approve(uuid.UUID(shown))
        sign_in_after(qtbot, run, "priya", PASSWORD)
    assert store.read_bytes()[:16] != b"SQLite format 3\x00"


def test_a_refused_laptop_is_told_plainly_and_starting_again_leaves_nothing(
    qtbot: QtBot, server: SyncServer, tmp_path: Path
) -> None:
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = _wizard(run)
        _connect(qtbot, wizard, server.url)
        wait_page(qtbot, wizard, Page.WAITING)
        waiting = wizard.pages[Page.WAITING]
        assert isinstance(waiting, WaitingPage)
        assert store.exists()
        with qtbot.waitSignal(wizard.vm.refused, timeout=WAIT_MS):
            server.revoke(waiting.code.text())
        assert "refused" in waiting.heading.text()
        assert waiting.start_again_button.isVisible()
        click(qtbot, waiting.start_again_button)
        wait_page(qtbot, wizard, Page.WELCOME)
        _nothing_left(store)


def test_cancelling_while_waiting_leaves_no_store_and_no_key(
    qtbot: QtBot, server: SyncServer, tmp_path: Path
) -> None:
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = _wizard(run)
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


def test_closing_the_window_while_waiting_removes_what_was_made(
    qtbot: QtBot, server: SyncServer, tmp_path: Path
) -> None:
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = _wizard(run)
        _connect(qtbot, wizard, server.url)
        wait_page(qtbot, wizard, Page.WAITING)
        with qtbot.waitSignal(wizard.vm.closed_down, timeout=WAIT_MS):
            wizard.close()
        qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=WAIT_MS)
        _nothing_left(store)


def test_a_server_that_is_down_is_said_plainly_and_the_address_can_be_corrected(
    qtbot: QtBot, server: SyncServer, tmp_path: Path
) -> None:
    store = tmp_path / "data" / "clinic.db"
    with first_run(qtbot, store) as run:
        wizard = _wizard(run)
        page = _connect(qtbot, wizard, f"http://127.0.0.1:{free_port()}")
        qtbot.waitUntil(lambda: bool(page.message.text()), timeout=WAIT_MS)
        assert "No server answered" in page.message.text()
        assert wizard.vm.page is Page.CONNECT
        _nothing_left(store)

        fill_connect(qtbot, page, server.url)
        click(qtbot, page.connect_button)
        wait_page(qtbot, wizard, Page.WAITING)


def test_a_certificate_the_laptop_does_not_trust_and_then_its_authority_chosen(
    qtbot: QtBot, postgres_url: str, tmp_path: Path
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    store = tmp_path / "data" / "clinic.db"
    with (
        SyncServer(postgres_url, tmp_path / "server.log", tls=(cert, key)) as server,
        first_run(qtbot, store) as run,
    ):
        wizard = _wizard(run)
        page = _connect(qtbot, wizard, server.url)
        qtbot.waitUntil(lambda: bool(page.message.text()), timeout=WAIT_MS)
        assert "certificate is not one this laptop trusts" in page.message.text()
        _nothing_left(store)

        fill_connect(qtbot, page, server.url, ca=str(cert))
        click(qtbot, page.connect_button)
        wait_page(qtbot, wizard, Page.WAITING)
        # The authority is kept beside the store: the file chosen may be moved or deleted.
        assert (store.parent / "server-ca.pem").read_bytes() == cert.read_bytes()
