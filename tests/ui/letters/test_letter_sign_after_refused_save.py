"""A letter's sign or print asked for while a save is on its way, and that save is refused."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.letters.service import TEXT_MAX
from tests.ui.conftest import type_into, wait_idle
from tests.ui.late_answers import Gate
from tests.ui.letters.helpers import open_letter, patients_with_episodes
from tests.ui.letters.test_letter_screen import PASSWORD, _draft
from ui.app import MainWindow


@pytest.mark.parametrize("asked", ["sign", "print"])
def test_a_letter_is_never_signed_or_printed_on_words_older_than_those_on_the_screen(
    qtbot: QtBot,
    signed_in: MainWindow,
    clinic: Services,
    monkeypatch: pytest.MonkeyPatch,
    asked: str,
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    (a, _), *_others = patients_with_episodes(clinic, 1)
    screen = open_letter(window, clinic, a)
    _draft(qtbot, window, screen, "patient")
    view, vm = screen.view, screen.view_model
    printed: list[bytes] = []
    vm.printed.connect(printed.append)
    before = next(
        s.text for s in clinic.letters.for_patient(user, a)[0].sections if s.key == "actions"
    )
    # A long paste (over the limit) is being saved when Sign or Print is clicked; the save
    # is refused.
    gate = Gate(monkeypatch, clinic.letters, "edit")
    pasted = "Walk every day. " * (TEXT_MAX // 16 + 1)
    view.sections["actions"].words.setPlainText(pasted)
    vm.save_now()
    gate.wait_entered(qtbot)
    # Words typed meanwhile in another section are saved all the same.
    view.sections["come_back"].words.setPlainText("Ring us with any questions.")
    if asked == "sign":
        view.password.clear()
        type_into(qtbot, view.password, PASSWORD)
        qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    else:
        vm.print_letter()
    gate.release()
    wait_idle(window)
    wait_idle(window)

    (letter,) = clinic.letters.for_patient(user, a)
    sections = {s.key: s.text for s in letter.sections}
    assert not letter.signed
    assert printed == []
    assert sections["actions"] == before
    assert sections["come_back"] == "Ring us with any questions."
    # The words on the screen stay there, said to be too long, and wait to be saved again.
    assert view.sections["actions"].words.toPlainText() == pasted
    assert view.sections["actions"].problem.isVisibleTo(view)
    assert not vm.busy
