"""A kept draft read late never replaces what is typed, nor shows to another user."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.late_answers import Gate, settle
from ui.app import MainWindow
from ui.domains.people.referral.view_model import DRAFT_KIND as REFERRAL_KIND
from ui.domains.people.register.view_model import DRAFT_KEY, DRAFT_KIND, empty_form
from ui.shell.window import WindowState


def _press_sign_in(qtbot: QtBot, window: MainWindow, username: str) -> None:
    """Sign in, but do not wait for the store to be idle (a draft read may still be held)."""
    view = window.login_view
    type_into(qtbot, view.username_edit, username)
    qtbot.keyClick(view.username_edit, Qt.Key.Key_Return)
    type_into(qtbot, view.password_edit, demo_password(username))
    qtbot.keyClick(view.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.state is WindowState.WORKING, timeout=WAIT_MS)


def test_a_registration_draft_read_late_does_not_replace_what_was_typed(
    qtbot: QtBot, clinic: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Yesterday's unfinished registration, kept for the clinician.
    user = clinic.auth.login(CLINICIAN, demo_password(CLINICIAN))
    kept = {**empty_form(), "given_name": "Yesterday", "family_name": "Oldform"}
    clinic.drafts.save(user, DRAFT_KIND, DRAFT_KEY, kept)

    gate = Gate(monkeypatch, clinic.drafts, "load")
    _press_sign_in(qtbot, window, CLINICIAN)
    gate.wait_entered(qtbot)
    window.action("register").trigger()
    form = window.screen_by_id("register").view
    type_into(qtbot, form.given_name, "Amara")
    type_into(qtbot, form.family_name, "Okafor")
    gate.release()
    settle(qtbot, window)

    # The new patient being registered now is still on the form.
    assert form.given_name.text() == "Amara"
    assert form.family_name.text() == "Okafor"


def test_a_registration_draft_read_for_one_user_never_shows_to_the_next(
    qtbot: QtBot, clinic: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The clinician's unfinished registration of someone else.
    user = clinic.auth.login(CLINICIAN, demo_password(CLINICIAN))
    kept = {**empty_form(), "given_name": "Private", "family_name": "Clinicianspatient"}
    clinic.drafts.save(user, DRAFT_KIND, DRAFT_KEY, kept)

    # The store is slow (a long sync round) as the clinician signs in and at once hands the
    # laptop over: their draft is still being read when Switch user gives up waiting (5 s).
    gate = Gate(monkeypatch, clinic.drafts, "load")
    _press_sign_in(qtbot, window, CLINICIAN)
    gate.wait_entered(qtbot)
    window.switch_user()
    assert window.state is WindowState.SIGNED_OUT
    gate.release()
    QApplication.processEvents()
    sign_in(qtbot, window, SUPERVISOR, wait_ms=15_000)
    settle(qtbot, window)
    assert window.session.user is not None
    assert window.session.user.username == SUPERVISOR

    form = window.screen_by_id("register").view
    window.action("register").trigger()
    wait_idle(window)
    assert form.family_name.text() == ""
    assert form.given_name.text() == ""


def _open_referral(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    wait_idle(window)


def test_a_referral_draft_read_late_does_not_replace_what_was_typed(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    seeded_patient: PatientSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    clinic.drafts.save(
        user,
        REFERRAL_KIND,
        str(seeded_patient.id),
        {"source": "", "referrer_name": "Dr Old Draft", "reason": "An older unfinished referral"},
    )
    _open_referral(qtbot, window, seeded_patient)
    gate = Gate(monkeypatch, clinic.drafts, "load")
    window.action("referral").trigger()
    gate.wait_entered(qtbot)
    form = window.screen_by_id("referral").view
    type_into(qtbot, form.referrer_name, "Dr Nkemelu")
    type_into(qtbot, form.reason, "Left knee locking after a twisting injury.")
    gate.release()
    settle(qtbot, window)

    assert form.referrer_name.text() == "Dr Nkemelu"
    assert form.reason.toPlainText() == "Left knee locking after a twisting injury."
