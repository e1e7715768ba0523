"""Images waiting for a patient: the notice after an assign names the patient the image went to."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from tests.ui.conftest import WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.imaging.test_imaging_screen import _two_orphans
from tests.ui.late_answers import Gate, settle
from ui.app import MainWindow
from ui.common import formatting


def test_the_assigned_notice_names_the_patient_given_the_image_not_the_row_chosen_since(
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    clinician: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _two_orphans(clinic, clinician)
    sign_in(qtbot, window, "sonographer")
    window.action("orphans").trigger()
    view = window.screen_by_id("orphans").view
    qtbot.waitUntil(lambda: view.queue.count() == 2, timeout=WAIT_MS)
    wait_idle(window)
    view.search.clear()
    type_into(qtbot, view.search, "999")
    qtbot.waitUntil(lambda: view.results.count() >= 2, timeout=WAIT_MS)
    wait_idle(window)
    view.results.setCurrentRow(0)
    given = view.results.item(0).data(Qt.ItemDataRole.UserRole)
    other = view.results.item(1).data(Qt.ItemDataRole.UserRole)
    orphan = view.queue.currentItem().data(Qt.ItemDataRole.UserRole)

    gate = Gate(monkeypatch, clinic.imaging, "assign")
    view.confirm = lambda _question: True
    view.assign_button.click()
    gate.wait_entered(qtbot)
    # While the store is slow the sonographer's eye (and click) moves on to the next row.
    view.results.setCurrentRow(1)
    gate.release()
    settle(qtbot, window)

    user = window.session.require_user()
    (study,) = clinic.imaging.studies(user, given.id)
    assert orphan.id in [i.id for i in study.instances]  # the image went to the first patient
    words = view.notice.message.text()
    assert formatting.patient_name(given.family_name, given.given_name) in words, words
    assert formatting.patient_name(other.family_name, other.given_name) not in words, words
