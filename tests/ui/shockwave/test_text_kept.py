"""What a clinician types that the course cannot read yet ("7/10" for a pain score) is kept for
that patient and that clinician through opening another patient and switching user, and comes
back with its problem shown; it never appears on another patient's course or another user's."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import (
    CLINICIAN,
    SUPERVISOR,
    WAIT_MS,
    switch_user_to,
    type_into,
    wait_idle,
)
from tests.ui.shockwave.helpers import (
    add_device,
    add_session,
    fill_course,
    open_shockwave,
    patients,
    settle,
    user_of,
)
from ui.app import MainWindow
from ui.domains.shockwave.course.view import CourseForm


def _error_of(form: CourseForm, key: str) -> str:
    return (
        form.fields[key].error_label.text()
        if form.fields[key].error_label.isVisibleTo(form)
        else ""
    )


def test_unreadable_pain_comes_back_for_its_patient_and_user_only(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    device = add_device(clinic)
    screen = open_shockwave(window, clinic, a)
    form = screen.view
    fill_course(qtbot, form, device)
    form.pain_before.clear()
    type_into(qtbot, form.pain_before, "7/10")
    settle(window, screen)
    assert form.pain_before.text() == "7/10"
    assert _error_of(form, "outcome_before")

    # Another patient: nothing of A's text on B's course.
    screen = open_shockwave(window, clinic, b)
    assert form.pain_before.text() == ""
    assert not _error_of(form, "outcome_before")

    # Back to A: the text as typed, with its problem beside it, the rest of the course as saved.
    screen = open_shockwave(window, clinic, a)
    qtbot.waitUntil(lambda: form.pain_before.text() == "7/10", timeout=WAIT_MS)
    assert _error_of(form, "outcome_before")
    assert form.planned.text() == "3"
    course = screen.view_model.course
    assert course is not None
    assert course.fields.outcome_before.pain_nrs is None

    # Another user on this laptop never sees it, on A's course or anywhere.
    switch_user_to(qtbot, window, SUPERVISOR)
    screen = open_shockwave(window, clinic, a)
    wait_idle(window)
    assert form.pain_before.text() != "7/10"
    switch_user_to(qtbot, window, CLINICIAN)
    screen = open_shockwave(window, clinic, a)
    qtbot.waitUntil(lambda: form.pain_before.text() == "7/10", timeout=WAIT_MS)

    # Typed again so it reads: saved in the course, and nothing is kept any more.
    form.pain_before.clear()
    type_into(qtbot, form.pain_before, "7")
    settle(window, screen)
    screen.save_now()
    wait_idle(window)
    assert not _error_of(form, "outcome_before")
    screen = open_shockwave(window, clinic, b)
    screen = open_shockwave(window, clinic, a)
    wait_idle(window)
    assert form.pain_before.text() == "7"
    assert screen.kept.texts == {}


def test_an_unreadable_session_setting_comes_back_in_the_session_it_was_typed_in(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    device = add_device(clinic)
    screen = open_shockwave(window, clinic, a)
    form = screen.view
    fill_course(qtbot, form, device)
    settle(window, screen)
    add_session(qtbot, window, screen)
    assert form.session_card.isVisible()
    type_into(qtbot, form.pain_during, "5 out of 10")
    type_into(qtbot, form.pressure, "2.5")
    settle(window, screen)
    assert _error_of(form, "pain_during")

    screen = open_shockwave(window, clinic, b)
    assert form.pain_during.text() == ""
    screen = open_shockwave(window, clinic, a)
    qtbot.waitUntil(lambda: form.pain_during.text() == "5 out of 10", timeout=WAIT_MS)
    assert _error_of(form, "pain_during")
    assert form.pressure.text() == "2.5"
    assert user_of(window).username == CLINICIAN
