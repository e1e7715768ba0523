"""A scanned pack names its product only when the service's list of pack codes links it.

The GTINs are test numbers from GS1's example range, their check digits computed
(``tests.core.injections.pack_numbers``): no real product's code is used.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.injections.model import PackCode
from tests.core.injections.pack_numbers import example_gtin, scanned
from tests.support import pictures
from tests.ui.conftest import wait_idle
from tests.ui.injections.helpers import open_injection, patients, pick
from ui.app import MainWindow
from ui.domains.injections.injection.view import InjectionForm
from ui.domains.injections.injection.view_model import PackCodeList

STEROID = "methylprednisolone_acetate_40"
LISTED = example_gtin(13435)  # a test number, linked below
NOT_LISTED = example_gtin(13436)
OTHER_STEROID = "triamcinolone_acetonide_40"  # a test number no one linked


def _scan(qtbot: QtBot, window: MainWindow, box: QLineEdit, text: str) -> None:
    box.setFocus()
    # Set as received: the group separator cannot be typed through the test's key events.
    box.setText(text)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    wait_idle(window)


def _listed_and_opened(
    clinic: Services, window: MainWindow, then: Callable[[], None] = lambda: None
) -> InjectionForm:
    """The service lead links ``LISTED`` to the steroid (``then`` runs); the form is opened."""
    lead = clinic.auth.login("admin", demo_password("admin"))
    clinic.pack_codes.add(lead, STEROID, LISTED)
    then()
    return open_injection(window, clinic, patients(clinic, window, 1)[0]).view


def test_a_pack_whose_code_is_listed_fills_its_product_batch_and_expiry(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    form = _listed_and_opened(clinic, window)
    row = form.drug_rows[0]
    assert row.product.currentData() is None

    _scan(qtbot, window, form.scan, scanned(LISTED, batch="MP77A", expiry="281100"))

    assert row.product.currentData() == STEROID
    # The product names its strength: 40 mg in each mL.
    assert "40 mg/mL" in row.product.currentText()
    assert (row.batch.text(), row.expiry.text()) == ("MP77A", "30/11/2028")
    words = form.scan_result.text()
    assert "product Methylprednisolone acetate 40 mg/mL" in words
    assert "batch MP77A" in words
    assert "not in the service's list" not in words
    pictures.keep(window, "injection_pack_listed.png")


def test_a_pack_whose_code_is_not_listed_fills_batch_and_expiry_and_says_so(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    form = _listed_and_opened(clinic, window)
    second = form.drug_rows[1]
    pick(second.product, "lidocaine_1")

    _scan(qtbot, window, form.scan, scanned(NOT_LISTED, batch="LD5", expiry="290131"))

    # The product chosen by hand stays: nothing is picked by guess.
    assert second.product.currentData() == "lidocaine_1"
    assert form.drug_rows[0].product.currentData() is None
    assert (second.batch.text(), second.expiry.text()) == ("LD5", "31/01/2029")
    words = form.scan_result.text()
    assert "This pack's product code is not in the service's list of pack codes" in words
    assert "choose it yourself" in words
    assert "The service lead can add the code to the list." in words
    assert NOT_LISTED not in words
    assert "pack_code" not in words
    pictures.keep(window, "injection_pack_not_listed.png")


def test_a_code_linked_to_two_products_fills_neither(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in

    # As if a second laptop had linked the same code to another product before they synced.
    def linked_elsewhere() -> None:
        with clinic.context.store.engine.begin() as conn:
            conn.execute(
                insert(PackCode.__table__).values(
                    id=uuid.uuid4(),
                    gtin=LISTED,
                    product_id=OTHER_STEROID,
                    created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC),
                    row_version=1,
                    deleted=False,
                )
            )

    form = _listed_and_opened(clinic, window, then=linked_elsewhere)

    _scan(qtbot, window, form.scan, scanned(LISTED))

    assert form.drug_rows[0].product.currentData() is None
    assert "not in the service's list" in form.scan_result.text()


def test_the_screen_asks_of_the_pack_codes_only_what_the_service_has(clinic: Services) -> None:
    listed: PackCodeList = clinic.pack_codes  # the Protocol is the service's shape
    assert listed is clinic.pack_codes
