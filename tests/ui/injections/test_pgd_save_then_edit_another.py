"""PGD register: another PGD opened on the form while the last save is on its way stays there."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.injections.views import PgdInput, PgdView
from tests.ui.conftest import type_into, wait_idle
from tests.ui.injections.helpers import open_as_service_lead
from tests.ui.late_answers import Gate
from ui.app import MainWindow
from ui.domains.injections.pgds.view import PgdRegisterView


def _pgd(clinic: Services, name: str) -> PgdView:
    lead = clinic.auth.login("admin", demo_password("admin"))
    return clinic.pgds.add(
        lead,
        PgdInput(
            name=name,
            version="1.0",
            valid_from=date.today() - timedelta(days=30),
            valid_to=date.today() + timedelta(days=300),
            drugs=("methylprednisolone_acetate_40",),
            targets=("knee_joint",),
            practitioners=(),
        ),
    )


def _choose_and_edit(qtbot: QtBot, view: PgdRegisterView, pgd: PgdView) -> None:
    view.choose(pgd.id)
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    assert view.editing == pgd.id


def _open(qtbot: QtBot, window: MainWindow) -> PgdRegisterView:
    view = open_as_service_lead(qtbot, window, "pgd_register").view  # type: ignore[attr-defined]
    assert isinstance(view, PgdRegisterView)
    return view


def test_words_typed_on_another_pgd_while_the_last_save_is_answered_stay_on_the_form(
    qtbot: QtBot, window: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    knee = _pgd(clinic, "Knee steroid PGD")
    shoulder = _pgd(clinic, "Shoulder steroid PGD")
    view = _open(qtbot, window)

    # The knee PGD's version changed and saved; the store is slow to answer...
    _choose_and_edit(qtbot, view, knee)
    view.version.clear()
    type_into(qtbot, view.version, "1.1")
    gate = Gate(monkeypatch, clinic.pgds, "update")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    # ...and meanwhile the lead opens the shoulder PGD and starts changing its version.
    _choose_and_edit(qtbot, view, shoulder)
    view.version.clear()
    type_into(qtbot, view.version, "2.0")
    gate.release()
    wait_idle(window)
    wait_idle(window)

    # The knee PGD's save answer must not close the form the shoulder one is changed on.
    assert view.editor.isVisible()
    assert view.editing == shoulder.id
    assert view.version.text() == "2.0"


def test_a_refusal_for_one_pgd_is_not_shown_on_another_opened_since(
    qtbot: QtBot, window: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    knee = _pgd(clinic, "Knee steroid PGD")
    shoulder = _pgd(clinic, "Shoulder steroid PGD")
    view = _open(qtbot, window)

    # The knee PGD's name emptied by mistake and saved; the store is slow to refuse it...
    _choose_and_edit(qtbot, view, knee)
    view.name.clear()
    gate = Gate(monkeypatch, clinic.pgds, "update")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    # ...and meanwhile the lead opens the shoulder PGD, whose name is fine.
    _choose_and_edit(qtbot, view, shoulder)
    gate.release()
    wait_idle(window)
    wait_idle(window)

    assert view.editing == shoulder.id
    assert view.name.text() == "Shoulder steroid PGD"
    assert view.fields["name"].error() is None, (
        "the knee PGD's refusal is shown beside the shoulder PGD's name"
    )
