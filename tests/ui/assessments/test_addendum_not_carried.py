"""An addendum typed on one patient's signed assessment belongs to that patient: once another
patient is in the banner, their signed assessment must not show it ready to be added."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into, wait_idle
from ui.app import MainWindow

A_WORDS = "MRI reviewed with the patient: full-thickness supraspinatus tear, refer to surgeons."


def _signed(clinic: Services, window: MainWindow, patient_id, complaint: str):
    user = window.session.require_user()
    draft = clinic.assessments.save_draft(user, patient_id, {"presenting_complaint": complaint})
    return clinic.assessments.sign(user, draft.id, demo_password(CLINICIAN))


def test_an_addendum_typed_for_one_patient_is_not_offered_on_the_next_ones_assessment(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    user = window.session.require_user()
    a, b = (p.id for p in clinic.patients.search(user, "999", limit=2))
    signed_a = _signed(clinic, window, a, "Right shoulder pain")
    signed_b = _signed(clinic, window, b, "Left knee pain")

    # A's signed assessment, opened from A's record; an addendum is typed, not yet added.
    window.open_screen("patient", clinic.patients.open(user, a))
    wait_idle(window)
    window.open_screen("assessment", signed_a.id)
    screen = window.screen_by_id("assessment")
    view = screen.view
    qtbot.waitUntil(lambda: screen.view_model.is_signed, timeout=WAIT_MS)
    type_into(qtbot, view.addendum_text, A_WORDS)

    # The clinician moves on to B and opens B's signed assessment from B's record.
    window.open_screen("patient", clinic.patients.open(user, b))
    wait_idle(window)
    window.open_screen("assessment", signed_b.id)
    qtbot.waitUntil(
        lambda: (
            screen.view_model.assessment is not None
            and screen.view_model.assessment.id == signed_b.id
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert window.context.patient is not None
    assert window.context.patient.id == b
    assert view.addendum_text.isVisibleTo(view)

    # Under B's banner, B's signed assessment: A's words must not be there to add.
    assert A_WORDS not in view.addendum_text.toPlainText(), (
        "patient A's addendum is in the addendum box of patient B's signed assessment"
    )


def test_an_addendum_typed_by_one_user_is_not_offered_to_the_next_user(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    from tests.ui.conftest import SUPERVISOR, sign_in

    window = signed_in
    user = window.session.require_user()
    a = next(p.id for p in clinic.patients.search(user, "999", limit=1))
    signed_a = _signed(clinic, window, a, "Right shoulder pain")
    window.open_screen("patient", clinic.patients.open(user, a))
    wait_idle(window)
    window.open_screen("assessment", signed_a.id)
    screen = window.screen_by_id("assessment")
    qtbot.waitUntil(lambda: screen.view_model.is_signed, timeout=WAIT_MS)
    type_into(qtbot, screen.view.addendum_text, A_WORDS)

    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, SUPERVISOR)
    other = window.session.require_user()
    window.open_screen("patient", clinic.patients.open(other, a))
    wait_idle(window)
    window.open_screen("assessment", signed_a.id)
    qtbot.waitUntil(lambda: screen.view_model.is_signed, timeout=WAIT_MS)
    wait_idle(window)

    assert A_WORDS not in screen.view.addendum_text.toPlainText(), (
        "the clinician's unsent addendum is shown, ready to add, under the supervisor's sign-in"
    )


def test_the_writer_finds_their_unsent_addendum_on_that_assessment_and_adding_it_ends_the_draft(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    user = window.session.require_user()
    a, b = (p.id for p in clinic.patients.search(user, "999", limit=2))
    signed_a = _signed(clinic, window, a, "Right shoulder pain")
    window.open_screen("patient", clinic.patients.open(user, a))
    wait_idle(window)
    window.open_screen("assessment", signed_a.id)
    screen = window.screen_by_id("assessment")
    view = screen.view
    qtbot.waitUntil(lambda: screen.view_model.is_signed, timeout=WAIT_MS)
    type_into(qtbot, view.addendum_text, A_WORDS)

    # Another patient, then back to A's signed assessment: the words are there again.
    window.open_screen("patient", clinic.patients.open(user, b))
    wait_idle(window)
    window.open_screen("patient", clinic.patients.open(user, a))
    wait_idle(window)
    window.open_screen("assessment", signed_a.id)
    qtbot.waitUntil(lambda: view.addendum_text.toPlainText() == A_WORDS, timeout=WAIT_MS)

    # Added: on the record, and nothing is kept as a draft any more.
    type_into(qtbot, view.addendum_password, demo_password(CLINICIAN))
    qtbot.mouseClick(view.addendum_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.addendum_text.toPlainText() == "", timeout=WAIT_MS)
    wait_idle(window)
    stored = clinic.assessments.get(user, signed_a.id)
    assert [addendum.text for addendum in stored.addenda] == [A_WORDS]
    assert clinic.drafts.load(user, "assessment.addendum", str(signed_a.id)) is None
