"""The service lead's pack codes, kept on screen: a code added by scanning, refused, removed.

The GTINs are test numbers from GS1's example range, their check digits computed
(``tests.core.injections.pack_numbers``): no real product's code is used.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.core.injections.pack_numbers import example_gtin, scanned, with_wrong_check_digit
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, sign_in, type_into, wait_idle
from tests.ui.injections.helpers import SMALL_LAPTOP, open_as_service_lead, pick
from ui.app import MainWindow
from ui.domains.injections.pack_codes.screens import PackCodesScreen
from ui.domains.injections.pack_codes.view import PackCodesView, gtin_text
from ui.domains.injections.pack_codes.view_model import PackCodeKeeper

SCREEN_SIZE = SMALL_LAPTOP
STEROID = "methylprednisolone_acetate_40"
OTHER_STEROID = "triamcinolone_acetonide_40"
GTIN = example_gtin(13435)  # test numbers, not real packs
OTHER_GTIN = example_gtin(13436)


def open_pack_codes(qtbot: QtBot, window: MainWindow) -> PackCodesView:
    """The service lead signed in, the pack codes open from the Service menu."""
    screen = open_as_service_lead(qtbot, window, "pack_codes")
    assert isinstance(screen, PackCodesScreen)
    return screen.view


def rows(view: PackCodesView) -> list[tuple[str, str]]:
    return [
        (view.table.item(row, 0).text(), view.table.item(row, 1).text())
        for row in range(view.table.rowCount())
    ]


def codes_of(clinic: Services) -> list[tuple[str, str]]:
    lead = clinic.auth.login("admin", demo_password("admin"))
    return [(c.gtin, c.product_id) for c in clinic.pack_codes.list(lead)]


def scan_into(qtbot: QtBot, window: MainWindow, view: PackCodesView, text: str) -> None:
    """What a scanner does: the whole code typed into the box, then Enter."""
    view.code.setFocus()
    # Set as received: the group separator cannot be typed through the test's key events.
    view.code.setText(text)
    qtbot.keyClick(view.code, Qt.Key.Key_Return)
    wait_idle(window)
    wait_idle(window)


def test_the_service_lead_scans_a_pack_to_add_its_code_then_removes_it(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    view = open_pack_codes(qtbot, window)
    assert view.code.hasFocus()  # ready for the first pack
    assert all(code == "No pack code yet" for _product, code in rows(view))
    assert not view.remove_button.isEnabled()

    pick(view.product, STEROID)
    scan_into(qtbot, window, view, scanned(GTIN))

    assert codes_of(clinic) == [(GTIN, STEROID)]
    assert view.code.text() == ""
    assert "Added: pack code 0 950600 013435 2 is Methylprednisolone acetate" in (
        view.notice.text()
    )
    shown = [row for row in rows(view) if row[1] == gtin_text(GTIN)]
    assert len(shown) == 1
    assert shown[0][0].startswith("Methylprednisolone acetate 40 mg/mL (Depo-Medrone)")
    assert view.chosen() is not None
    assert view.remove_button.isEnabled()

    # Typed by hand: the 14 digits.
    type_into(qtbot, view.code, OTHER_GTIN)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    wait_idle(window)
    assert codes_of(clinic) == [(GTIN, STEROID), (OTHER_GTIN, STEROID)]

    view.choose(next(c for c in view._vm.codes if c.gtin == GTIN).id)
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    wait_idle(window)
    assert codes_of(clinic) == [(OTHER_GTIN, STEROID)]
    assert "Removed: pack code 0 950600 013435 2" in view.notice.text()
    assert gtin_text(GTIN) not in [code for _product, code in rows(view)]


def test_a_code_already_linked_to_another_product_is_refused_in_plain_words(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    lead = clinic.auth.login("admin", demo_password("admin"))
    clinic.pack_codes.add(lead, STEROID, GTIN)
    view = open_pack_codes(qtbot, window)

    pick(view.product, OTHER_STEROID)
    scan_into(qtbot, window, view, scanned(GTIN))

    assert codes_of(clinic) == [(GTIN, STEROID)]
    error = view.fields["code"].error()
    assert error is not None
    assert error.startswith(
        "That pack code is already linked to Methylprednisolone acetate 40 mg/mL"
    )
    assert "remove it there first" in error
    assert "pack_code" not in error
    # What was scanned stays, to be looked at.
    assert GTIN in view.code.text()

    # Digits that do not add up, and no product chosen: both said beside their fields.
    view.code.clear()
    type_into(qtbot, view.code, with_wrong_check_digit(OTHER_GTIN))
    qtbot.keyClick(view.code, Qt.Key.Key_Return)
    wait_idle(window)
    assert "do not add up" in (view.fields["code"].error() or "")
    pick(view.product, None)
    qtbot.keyClick(view.code, Qt.Key.Key_Return)
    wait_idle(window)
    assert view.fields["product"].error() == "Choose the product the pack is."
    assert codes_of(clinic) == [(GTIN, STEROID)]


def test_clinicians_do_not_get_the_pack_codes(window: MainWindow, qtbot: QtBot) -> None:
    sign_in(qtbot, window, CLINICIAN)
    assert not window.action("pack_codes").isEnabled()


def test_every_control_is_named_and_the_page_fits_a_small_laptop_screen(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    lead = clinic.auth.login("admin", demo_password("admin"))
    clinic.pack_codes.add(lead, STEROID, GTIN)
    clinic.pack_codes.add(lead, STEROID, OTHER_GTIN)
    clinic.pack_codes.add(lead, "lidocaine_1", example_gtin(20001))
    view = open_pack_codes(qtbot, window)
    for control in (view.table, view.product, view.code, view.add_button, view.remove_button):
        assert control.accessibleName(), control
    pick(view.product, OTHER_STEROID)
    scan_into(qtbot, window, view, scanned(GTIN))  # refused: shown with its words
    qtbot.wait(100)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= SCREEN_SIZE[0]
    assert hint.height() <= SCREEN_SIZE[1] - 68
    assert window.size().toTuple() == SCREEN_SIZE
    assert view.add_button.isVisible()
    assert view.add_button.mapTo(window, view.add_button.rect().bottomLeft()).y() < (
        window.height()
    )
    assert view.table.viewport().height() >= 3 * view.table.rowHeight(0)
    pictures.keep(window, "pack_codes.png")


def test_the_screen_asks_of_the_service_only_what_it_has(clinic: Services) -> None:
    keeper: PackCodeKeeper = clinic.pack_codes  # the Protocol is the service's shape
    assert keeper is clinic.pack_codes
