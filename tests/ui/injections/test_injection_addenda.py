"""Adding to a signed injection record: later facts, signed with the password, shown at once,
through the real window and the real store."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Table, update

from clinic_app.container import Services
from clinic_app.domains.injections.model import InjectionAddendum, InjectionRecord
from clinic_app.domains.injections.views import ADDENDUM_MAX
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.kernel.vocabulary import Role
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from tests.ui.injections.helpers import (
    PASSWORD,
    add_pgd,
    fill_knee_injection,
    open_injection,
    patients,
    sign_decision,
    user_of,
)
from ui.app import MainWindow
from ui.domains.injections.injection.screens import InjectionScreen, may_amend

SCREEN_SIZE = (1366, 768)
LATER = "Phoned the next day: a hot, red knee overnight, settled with ice. No sign of infection."


def _idle(window: MainWindow) -> None:
    wait_idle(window)
    wait_idle(window)


def _signed_knee_injection(
    qtbot: QtBot, window: MainWindow, clinic: Services, patient: uuid.UUID
) -> InjectionScreen:
    """A left knee injection after a shared decision, filled in, checked and signed."""
    sign_decision(clinic, window, patient)
    pgd = add_pgd(clinic, window)
    screen = open_injection(window, clinic, patient)
    form = screen.view
    fill_knee_injection(qtbot, form, pgd)
    screen.view_model.save_now()
    _idle(window)
    for _ in range(10):
        buttons = list(form.acknowledge_buttons.values())
        if not buttons:
            break
        qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
        _idle(window)
    type_into(qtbot, form.password, PASSWORD)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.view_model.busy, timeout=WAIT_MS)
    _idle(window)
    assert screen.view_model.is_signed
    return screen


def _add(qtbot: QtBot, window: MainWindow, screen: InjectionScreen, password: str) -> None:
    form = screen.view
    type_into(qtbot, form.addendum_password, password)
    qtbot.mouseClick(form.addendum_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.view_model.busy, timeout=WAIT_MS)
    _idle(window)


def _fits_a_small_laptop(window: MainWindow, screen: InjectionScreen) -> None:
    """The window fits 1366x768, the page scrolls up and down only, the Add button in reach."""
    form = screen.view
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= SCREEN_SIZE[0]
    assert hint.height() <= SCREEN_SIZE[1] - 68
    assert window.size().toTuple() == SCREEN_SIZE
    assert form.page.width() <= form.scroll_area.viewport().width()
    form.scroll_area.ensureWidgetVisible(form.addendum_button)
    QApplication.processEvents()
    assert form.addendum_button.visibleRegion().boundingRect().width() > 0


def test_an_addendum_is_refused_with_a_wrong_password_then_added_signed_and_shown(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    window.resize(*SCREEN_SIZE)
    patient = patients(clinic, window, 1)[0]
    screen = _signed_knee_injection(qtbot, window, clinic, patient)
    form = screen.view
    record = screen.view_model.record
    assert record is not None
    user = user_of(window)

    # Signed: nothing added yet, and a box to add for a clinician who gives injections.
    assert form.addenda_card.isVisibleTo(form)
    assert form.addendum_form.isVisibleTo(form)
    assert form.addendum_text.isEnabled()
    assert form.addenda_lines == ["Nothing has been added yet."]

    # Nothing typed: refused in plain words, nothing stored.
    _add(qtbot, window, screen, PASSWORD)
    assert form.addendum_error.isVisibleTo(form)
    assert form.addendum_error.text() == "Type what you are adding to the record first."

    # A wrong password: refused in plain words, the words typed kept, nothing stored.
    type_into(qtbot, form.addendum_text, LATER)
    _add(qtbot, window, screen, "not-the-password")
    assert form.addendum_error.isVisibleTo(form)
    assert "password is not right" in form.addendum_error.text()
    assert "auth." not in form.addendum_error.text()
    assert form.addendum_text.toPlainText() == LATER
    assert form.addendum_password.text() == ""
    assert clinic.injections.get(user, record.id, patient_id=patient).addenda == ()

    # The right password: stored with who and when, listed at once, the box emptied.
    before = datetime.now(UTC)
    _add(qtbot, window, screen, PASSWORD)
    assert not form.addendum_error.isVisibleTo(form)
    [stored] = clinic.injections.get(user, record.id, patient_id=patient).addenda
    assert stored.text == LATER
    assert stored.signed_by == user.id
    assert stored.intact
    assert before - timedelta(minutes=1) <= stored.signed_at <= datetime.now(UTC)
    assert LATER in form.addenda_lines
    heading = form.addenda_lines[0]
    assert heading.endswith(f", {user.display_name}")
    assert "Nothing has been added yet." not in form.addenda_lines
    assert form.addendum_text.toPlainText() == ""
    assert "Added to the injection record." in form.notice.text()
    # The signed record itself is unchanged.
    assert screen.view_model.record is not None
    assert screen.view_model.record.is_signed
    assert screen.view_model.record.intact

    _fits_a_small_laptop(window, screen)
    pictures.keep(window, "injection_addendum.png")

    # Opened again from the timeline: the addendum is there, the checks say it is signed.
    window.open_screen("patient", clinic.patients.open(user, patient))
    _idle(window)
    window.open_screen("injection", record.id)
    _idle(window)
    assert LATER in form.addenda_lines
    assert form.check_lines == ["Signed: nothing more to check."]


def test_an_addendum_finished_after_the_patient_changed_is_kept_not_shown_and_said(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    screen = _signed_knee_injection(qtbot, window, clinic, a)
    form = screen.view
    record = screen.view_model.record
    assert record is not None

    # Add pressed while the store is busy, then another patient in the banner.
    started = threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(0.3)

    window.runner.run_store(slow, on_done=lambda _r: None)
    started.wait(2)
    type_into(qtbot, form.addendum_text, LATER)
    type_into(qtbot, form.addendum_password, PASSWORD)
    qtbot.mouseClick(form.addendum_button, Qt.MouseButton.LeftButton)
    window.open_screen("patient", clinic.patients.open(user_of(window), b))
    _idle(window)
    _idle(window)

    [stored] = clinic.injections.get(user_of(window), record.id, patient_id=a).addenda
    assert stored.text == LATER
    assert screen.view_model.record is None
    assert screen.view_model.patient_id is None
    assert form.addenda_lines == []
    assert not form.addenda_card.isVisibleTo(form)
    assert form.addendum_text.toPlainText() == ""
    # Said, for the patient it was added to, on the next patient's screen.
    record_a = clinic.patients.open(user_of(window), a)
    assert window.notice.text() == (
        f"The addendum to the injection record for {record_a.family_name.upper()}, "
        f"{record_a.given_name} was added."
    )


def test_an_addendum_or_record_changed_outside_the_app_is_marked(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    patient = patients(clinic, window, 1)[0]
    screen = _signed_knee_injection(qtbot, window, clinic, patient)
    form = screen.view
    record = screen.view_model.record
    assert record is not None
    user = user_of(window)
    added = clinic.injections.add_addendum(user, record.id, LATER, PASSWORD, patient_id=patient)
    [addendum] = added.addenda

    # Someone edits the stored words, then the record, behind the app's back.
    addenda = cast(Table, InjectionAddendum.__table__)
    records = cast(Table, InjectionRecord.__table__)
    with clinic.context.store.engine.begin() as connection:
        connection.execute(
            update(addenda).where(addenda.c.id == addendum.id).values(text="Nothing happened.")
        )
    window.open_screen("patient", clinic.patients.open(user, patient))
    _idle(window)
    window.open_screen("injection", record.id)
    _idle(window)
    assert "Nothing happened." in form.addenda_lines
    assert "This addendum no longer matches its signature: report this." in form.addenda_lines
    assert "The injection record is signed." in form.notice.text()

    with clinic.context.store.engine.begin() as connection:
        connection.execute(
            update(records).where(records.c.id == record.id).values(approach="anterior")
        )
    window.open_screen("patient", clinic.patients.open(user, patient))
    _idle(window)
    window.open_screen("injection", record.id)
    _idle(window)
    assert "no longer matches its signature" in form.notice.text()


def test_the_box_to_add_is_offered_to_those_the_amend_step_allows() -> None:
    def user(role: Role) -> CurrentUser:
        return CurrentUser(id=uuid.uuid4(), username="u", display_name="U", role=role)

    for role in Role:
        assert may_amend(user(role)) == allows(role, Action.INJECTION_SIGN), role
    assert may_amend(user(Role.CLINICIAN))
    assert not may_amend(user(Role.ADMIN))


def test_words_over_the_limit_are_refused_in_plain_words_and_kept(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    patient = patients(clinic, window, 1)[0]
    screen = _signed_knee_injection(qtbot, window, clinic, patient)
    form = screen.view
    record = screen.view_model.record
    assert record is not None
    too_long = "x" * (ADDENDUM_MAX + 1)
    form.addendum_text.setPlainText(too_long)
    _add(qtbot, window, screen, PASSWORD)
    words = form.addendum_error.text()
    assert form.addendum_error.isVisibleTo(form)
    assert words
    assert "text." not in words
    assert str(ADDENDUM_MAX) in words.replace(",", "")
    assert form.addendum_text.toPlainText() == too_long
    assert clinic.injections.get(user_of(window), record.id, patient_id=patient).addenda == ()
