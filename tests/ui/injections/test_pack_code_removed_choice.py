"""Pack codes: once a code is removed, no other code is left chosen for the next Remove."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import wait_idle
from tests.ui.injections.test_pack_codes_screen import GTIN, OTHER_GTIN, STEROID, open_pack_codes
from ui.app import MainWindow


def test_removing_a_code_leaves_no_other_code_chosen_to_be_removed_next(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    lead = clinic.auth.login("admin", demo_password("admin"))
    clinic.pack_codes.add(lead, STEROID, GTIN)
    clinic.pack_codes.add(lead, STEROID, OTHER_GTIN)
    view = open_pack_codes(qtbot, window)

    # The lead chooses the first code and removes it.
    view.choose(next(c for c in view._vm.codes if c.gtin == GTIN).id)
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    wait_idle(window)
    assert [c.gtin for c in clinic.pack_codes.list(lead)] == [OTHER_GTIN]

    left = view.chosen()
    assert left is None or left.gtin != OTHER_GTIN, (
        "after the re-read the row of the removed code holds the other code, now chosen and "
        "ready to be removed by the next Remove"
    )
    # A second press of Remove (a double click) takes nothing the lead did not choose.
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    wait_idle(window)
    assert [c.gtin for c in clinic.pack_codes.list(lead)] == [OTHER_GTIN]
