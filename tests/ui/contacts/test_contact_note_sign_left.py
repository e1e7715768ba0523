"""A contact note's sign asked for just before the page moves on: finished or not, and said."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors, ValidationError
from tests.core.contacts.booked import seen_today
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into, wait_idle
from tests.ui.contacts.test_contact_note_screen import _open, _two
from tests.ui.late_answers import Gate
from tests.ui.shell.test_lock import _unlock
from ui.app import MainWindow, WindowState
from ui.domains.contacts.note.screens import ContactNoteScreen

PASSWORD = demo_password(CLINICIAN)


class RefusingGate:
    """The next ``save_draft`` waits until released, then is refused (as a store refusal)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object) -> None:
        self.entered = threading.Event()
        self._go = threading.Event()
        self._held = False

        def held(*_args: Any, **_kwargs: Any) -> Any:
            if not self._held:
                self._held = True
                self.entered.set()
                assert self._go.wait(20)
            raise FormErrors([ValidationError("text.too_long", field="plan", max_length=10)])

        monkeypatch.setattr(owner, "save_draft", held)

    def wait_entered(self, qtbot: QtBot) -> None:
        qtbot.waitUntil(self.entered.is_set, timeout=WAIT_MS)

    def release(self) -> None:
        self._go.set()


class _Written:
    """A note of today's appointment with every section written, and the next patient."""

    def __init__(self, qtbot: QtBot, window: MainWindow, clinic: Services, words: str) -> None:
        user = window.session.user
        assert user is not None
        self.user: CurrentUser = user
        self.patient, self.other = _two(clinic, window)
        self.screen: ContactNoteScreen = _open(
            window, clinic, self.patient, seen_today(clinic, user, self.patient)
        )
        note = self.screen.view_model.note
        assert note is not None
        self.note_id: uuid.UUID = note.id
        for key in self.screen.view.boxes:
            type_into(qtbot, self.screen.view.boxes[key], words)

    def sign(self, qtbot: QtBot, password: str) -> None:
        view = self.screen.view
        type_into(qtbot, view.password, password)
        qtbot.keyClick(view.password, Qt.Key.Key_Return)

    def next_patient(self, window: MainWindow, clinic: Services) -> None:
        window.context.set_patient(clinic.patients.open(self.user, self.other))

    def name(self, clinic: Services) -> str:
        record = clinic.patients.open(self.user, self.patient)
        return f"{record.family_name.upper()}, {record.given_name}"


@pytest.mark.parametrize("password", [PASSWORD, "not my password"])
def test_a_sign_waiting_for_a_save_when_the_patient_changes_is_finished_and_said(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    password: str,
) -> None:
    window = signed_in
    note = _Written(qtbot, window, clinic, "Seen today.")
    gate = Gate(monkeypatch, clinic.contact_notes, "save_draft")
    note.screen.view_model.save_now()
    gate.wait_entered(qtbot)
    note.sign(qtbot, password)
    note.next_patient(window, clinic)
    gate.release()
    wait_idle(window)
    wait_idle(window)

    # Finished for that note alone, and the clinician is told how, naming the patient.
    kept = clinic.contact_notes.get(note.user, note.note_id)
    assert clinic.contact_notes.for_patient(note.user, note.other) == ()
    name = note.name(clinic)
    if password == PASSWORD:
        assert kept.is_signed
        assert window.notice.text() == f"The contact note for {name} was signed."
    else:
        assert not kept.is_signed
        said = window.notice.text()
        assert said.startswith(f"The contact note for {name} was not signed: ")
        assert said.endswith("It is kept as a draft: open it from their record to sign it.")


def test_a_sign_left_behind_is_not_made_when_the_save_before_it_is_refused(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    note = _Written(qtbot, window, clinic, "Earlier words.")
    view, vm = note.screen.view, note.screen.view_model
    vm.save_now()
    wait_idle(window)
    assert clinic.contact_notes.get(note.user, note.note_id).content["plan"] == "Earlier words."

    # The clinician changes the plan; that save is on its way (and will be refused) when
    # they sign, then the next patient is chosen.
    gate = RefusingGate(monkeypatch, clinic.contact_notes)
    view.boxes["plan"].selectAll()
    type_into(qtbot, view.boxes["plan"], "Changed plan: refer on.")
    vm.save_now()
    gate.wait_entered(qtbot)
    note.sign(qtbot, PASSWORD)
    note.next_patient(window, clinic)
    gate.release()
    wait_idle(window)
    wait_idle(window)

    # On the page, a refused save stops the sign waiting for it; left behind, it does too:
    # the note is never signed on a plan other than the one on the screen at Sign.
    kept = clinic.contact_notes.get(note.user, note.note_id)
    assert not kept.is_signed, f"signed with plan {kept.content.get('plan')!r}"
    assert window.notice.text().startswith(f"The contact note for {note.name(clinic)} ")
    assert "was not signed" in window.notice.text()


def test_how_a_sign_left_behind_went_is_said_once_unlocked(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    note = _Written(qtbot, window, clinic, "Seen today.")
    gate = Gate(monkeypatch, clinic.contact_notes, "save_draft")
    note.screen.view_model.save_now()
    gate.wait_entered(qtbot)
    note.sign(qtbot, "not my password")
    note.next_patient(window, clinic)
    # The clinician steps away: the screen locks before the sign is answered.
    window.lock()
    gate.release()
    wait_idle(window)
    wait_idle(window)
    assert window.state is WindowState.LOCKED
    # Nothing naming the patient on the lock screen, where anyone passing may read it.
    assert not window.notice.isVisible()

    _unlock(qtbot, window, PASSWORD)
    wait_idle(window)
    assert not clinic.contact_notes.get(note.user, note.note_id).is_signed
    # The note was not signed: the clinician hears so once they are back.
    assert "was not signed" in window.notice.text(), repr(window.notice.text())


def test_a_sign_on_its_way_when_the_patient_changes_is_said_how_it_went(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    note = _Written(qtbot, window, clinic, "Seen today.")
    note.screen.view_model.save_now()
    wait_idle(window)
    # Nothing unsaved: the sign goes at once, and is still on the store's worker (checking
    # the password) when the clinician clicks the next patient.
    gate = Gate(monkeypatch, clinic.contact_notes, "sign")
    note.sign(qtbot, "not my password")
    gate.wait_entered(qtbot)
    note.next_patient(window, clinic)
    gate.release()
    wait_idle(window)
    wait_idle(window)

    assert not clinic.contact_notes.get(note.user, note.note_id).is_signed
    # As for a sign that waited for a save: the clinician is told it was not signed.
    assert "was not signed" in window.notice.text(), repr(window.notice.text())
