"""The service figures dashboard against a real server over PostgreSQL.

The server is a real ``onestop-server`` process; the seeded service (``tests.core.figures.
seed``) is written to its database, where every laptop's records meet. A laptop enrolled
through the app's own sync service signs the service lead in online, and the dashboard reads
the whole service's figures from the server. Hand-worked (January 2027): five care contacts,
one not attended, 20%; over February 2026 to January 2027 by site, North 2 of 3 (66.7%),
South 0 of 3.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.uow import SYSTEM, AppConfig, Context
from clinic_app.server.database import open_server_store
from tests.core.figures.seed import seed_service
from tests.support.sync_server import SyncServer
from tests.ui.conftest import ONLINE_WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow, build_main_window
from ui.common.figure_chart import ChartKind
from ui.domains.figures.dashboard.screens import ServiceFiguresScreen

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"
TODAY = date(2027, 2, 10)


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        running.add_user("bea", "Bea Boss", "admin", PASSWORD)
        yield running


def _seed(server: SyncServer) -> None:
    """The seeded service, written to the server's database (no laptop takes it in)."""
    store = open_server_store(server.db_url)
    try:
        services = Services.build(Context(store=store, device_id=uuid7(), config=AppConfig()))
        seed_service(services)
    finally:
        store.close()


def _open(qtbot: QtBot, window: MainWindow) -> ServiceFiguresScreen:
    screen = window.screen_by_id("service_figures")
    assert isinstance(screen, ServiceFiguresScreen)
    screen.view_model.today = lambda: TODAY
    window.action("service_figures").trigger()
    qtbot.waitUntil(lambda: bool(screen.view.where.text()), timeout=ONLINE_WAIT_MS)
    wait_idle(window)
    return screen


def _line(screen: ServiceFiguresScreen, title: str) -> list[str]:
    table = screen.view.table
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == title:
            return [table.item(row, c).text() for c in range(table.columnCount())]
    raise AssertionError(title)


def test_the_service_lead_reads_the_service_s_figures_from_the_server(
    qtbot: QtBot, server: SyncServer, tmp_path: Path
) -> None:
    laptop = create_clinic(tmp_path / "laptop.db")
    try:
        laptop.sync.enrol(SYSTEM, server.url, "service lead's laptop")
        server.approve(laptop.context.device_id)
        # The service lead (Bea) signs in here through the server; the service's records
        # stay on the server, where the figures are read.
        laptop.auth.login("bea", PASSWORD)
        _seed(server)
        window: MainWindow = build_main_window(laptop, idle_lock_seconds=0)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        try:
            sign_in(qtbot, window, "bea", PASSWORD, wait_ms=ONLINE_WAIT_MS)
            screen = _open(qtbot, window)
            view = screen.view
            assert view.where.text() == "The whole service's figures, from the service's server."
            assert _line(screen, "Care contacts not attended")[1] == "20%"

            view_model = screen.view_model
            view_model.choose("did_not_attend_rate", "site")
            qtbot.waitUntil(lambda: view_model.by_breakdown is not None, timeout=ONLINE_WAIT_MS)
            QApplication.processEvents()
            bars = view.bars.data
            assert bars is not None
            assert bars.categories == ("North Clinic", "South Clinic")
            assert bars.series[0].shown == ("66.7%", "0%")

            view.choose_csv_path = lambda _title, _suggested: str(tmp_path / "trend.csv")
            saved = view.save_table(ChartKind.TREND)
            assert saved is not None
            with saved.open(encoding="utf-8-sig", newline="") as file:
                rows = list(csv.reader(file))
            assert ["January 2027", "<5", "5", "<5"] in rows
            wait_idle(window)
            assert not view.notice.isVisible() or "Saved as" in view.notice.message.text()
        finally:
            window.shutdown()
    finally:
        laptop.close()
