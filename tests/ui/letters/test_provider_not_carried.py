"""The provider typed for one patient's onward referral letter goes with that patient: it is
neither left on the letter page for the next patient nor drafted into their letter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import type_into, wait_idle
from tests.ui.late_answers import open_record, two_patients
from tests.ui.letters.helpers import open_letter
from ui.app import MainWindow


def test_provider_typed_for_one_patient_is_not_offered_for_the_next(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    first, second = two_patients(clinic, window)
    open_record(qtbot, window, first.id)
    screen = open_letter(window, clinic, first.id)
    view = screen.view
    view.kind.setCurrentIndex(view.kind.findData("onward_referral"))
    assert view.provider.isVisible()
    type_into(qtbot, view.provider, "Spire Leeds Hospital")
    # Not drafted: the clinician opens the second patient instead.
    open_record(qtbot, window, second.id)
    screen = open_letter(window, clinic, second.id)
    assert window.context.patient is not None
    assert window.context.patient.id == second.id
    assert view.provider.text() == "", (
        "the provider typed for the first patient is still in the box for the second: "
        f"{view.provider.text()!r}"
    )


def test_provider_typed_for_one_patient_is_not_drafted_into_the_next_ones_letter(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    first, second = two_patients(clinic, window)
    open_record(qtbot, window, first.id)
    screen = open_letter(window, clinic, first.id)
    view = screen.view
    view.kind.setCurrentIndex(view.kind.findData("onward_referral"))
    type_into(qtbot, view.provider, "Spire Leeds Hospital")
    open_record(qtbot, window, second.id)
    screen = open_letter(window, clinic, second.id)
    # The clinician chooses the kind again for the second patient and drafts it.
    view.kind.setCurrentIndex(view.kind.findData("onward_referral"))
    qtbot.mouseClick(view.draft_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    letter = screen.view_model.letter
    assert letter is not None
    assert letter.patient_id == second.id
    assert "Spire" not in letter.recipient, (
        f"the second patient's letter goes to the first patient's provider: {letter.recipient!r}"
    )
