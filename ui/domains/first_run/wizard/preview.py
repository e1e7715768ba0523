"""The first-run window's pages as pictures (offscreen), with sample answers and no store made."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from ui.common.tasks import TaskRunner
from ui.domains.first_run.wizard.pages import ConnectPage, StandalonePage, SyncingPage
from ui.domains.first_run.wizard.view import FirstRunWindow
from ui.domains.first_run.wizard.view_model import FirstRunViewModel, Page

SAMPLE_LAPTOP = "MSK-LAPTOP-07"
SAMPLE_DEVICE_ID = "0193a6c2-5f1e-7b40-9d2e-3c8f1a6b4e21"
SAMPLE_SERVER = "https://onestop.riverside-msk.example.nhs.uk"


def _save(window: FirstRunWindow, path: Path, size: tuple[int, int]) -> Path:
    window.resize(*size)
    for _ in range(3):
        QApplication.processEvents()
    image = QImage(window.size(), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(1.0)
    image.fill(Qt.GlobalColor.white)
    window.render(image)
    if not image.save(str(path)):
        raise OSError(f"could not write {path.name}")
    return path


def render_first_run(out_dir: Path, first: int, size: tuple[int, int]) -> list[Path]:
    """Save each page of the first-run window, numbered from ``first``, at ``size``.

    The welcome, the connect page filled in, waiting for approval, refused, the first sync
    under way, the standalone clinic with a problem beside its fields, and the stop when the
    keychain is not safe. Nothing runs: no store, no key, no server.
    """
    runner = TaskRunner(shutdown_on_quit=False)
    vm = FirstRunViewModel(runner)
    window = FirstRunWindow(vm)
    window.show()
    names = iter(range(first, first + 100))
    shots: list[Path] = []

    def shot(name: str) -> None:
        shots.append(_save(window, out_dir / f"{next(names):02d}-first-run-{name}.png", size))

    try:
        vm.preview(Page.WELCOME, computer_name=SAMPLE_LAPTOP)
        shot("welcome")
        vm.preview(Page.CONNECT, computer_name=SAMPLE_LAPTOP)
        connect = window.pages[Page.CONNECT]
        assert isinstance(connect, ConnectPage)
        connect.address_edit.setText(SAMPLE_SERVER)
        connect.show_message(
            "No server answered at that address. Check the address with IT support, or try "
            "again in a few minutes if the service's server may be down."
        )
        shot("connect")
        vm.preview(Page.WAITING, computer_name=SAMPLE_LAPTOP, device_id=SAMPLE_DEVICE_ID)
        shot("waiting")
        vm.refused.emit()
        shot("refused")
        vm.preview(Page.SYNCING, computer_name=SAMPLE_LAPTOP, device_id=SAMPLE_DEVICE_ID)
        syncing = window.pages[Page.SYNCING]
        assert isinstance(syncing, SyncingPage)
        vm.progress_changed.emit(0.4)
        shot("first-sync")
        vm.preview(Page.STANDALONE, computer_name=SAMPLE_LAPTOP)
        standalone = window.pages[Page.STANDALONE]
        assert isinstance(standalone, StandalonePage)
        standalone.clinic_edit.setText("Riverside Community MSK Clinic")
        standalone.username_edit.setText("amina.okafor")
        standalone.display_edit.setText("Amina Okafor")
        standalone.show_field_errors(
            {"password": "The password must be at least 10 characters. A few words work well."}
        )
        shot("standalone")
        vm.preview(Page.KEYCHAIN, computer_name=SAMPLE_LAPTOP)
        shot("no-safe-keychain")
    finally:
        window.close()
        window.deleteLater()
        runner.shutdown()
        QApplication.processEvents()
    return shots
