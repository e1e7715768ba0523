"""An assessment asked for one patient, answered by the store after the clinician moved on."""

from __future__ import annotations

import uuid

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.assessments.model import Assessment
from clinic_app.kernel.vocabulary import AssessmentStatus
from tests.ui.conftest import CLINICIAN, WAIT_MS
from tests.ui.late_answers import (
    Gate,
    choose_meanwhile,
    in_banner,
    open_record,
    settle,
    two_patients,
)
from ui.app import MainWindow
from ui.domains.assessments.assessment.screens import AssessmentScreen


def test_an_assessment_of_one_patient_loaded_late_never_fills_the_next_ones_page(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, b = two_patients(clinic, window)
    draft = clinic.assessments.save_draft(
        user, a.id, {"presenting_complaint": "Right knee pain after a fall"}
    )
    signed = clinic.assessments.sign(user, draft.id, demo_password(CLINICIAN))
    open_record(qtbot, window, a.id)

    # A's signed assessment asked for; the store is slow; the clinician clicks B meanwhile
    # (B's record is read after A's assessment), then starts B's assessment.
    gate = Gate(monkeypatch, clinic.assessments, "get")
    window.open_screen("assessment", signed.id)
    gate.wait_entered(qtbot)
    choose_meanwhile(window, b.id)
    gate.release()
    qtbot.waitUntil(lambda: in_banner(window, b.id), timeout=WAIT_MS)
    settle(qtbot, window)
    model = window.screen_by_id("assessment").view_model
    assert model.assessment is None or model.assessment.patient_id == b.id
    window.open_screen("assessment")
    settle(qtbot, window)

    assert in_banner(window, b.id)
    assert model.patient_id == b.id
    assert model.assessment is None or model.assessment.patient_id == b.id


def _drafts_of(clinic: Services, patient_id: uuid.UUID) -> list[str]:
    """The presenting complaint of each draft assessment of the patient."""
    with clinic.context.store.sessions() as session:
        return [
            str(row.content.get("presenting_complaint", ""))
            for row in session.scalars(
                select(Assessment).where(
                    Assessment.patient_id == patient_id,
                    Assessment.status == AssessmentStatus.DRAFT,
                )
            )
        ]


def _new_assessment(qtbot: QtBot, window: MainWindow) -> AssessmentScreen:
    window.open_screen("assessment")
    settle(qtbot, window)
    screen = window.screen_by_id("assessment")
    assert isinstance(screen, AssessmentScreen)
    if screen.stack.currentWidget() is not screen.view:
        screen.offer.new_requested.emit()
        settle(qtbot, window)
    return screen


def test_words_typed_while_a_new_assessments_first_save_is_on_its_way_reach_that_draft(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    a, b = two_patients(clinic, window)
    open_record(qtbot, window, a.id)
    screen = _new_assessment(qtbot, window)
    complaint = screen.view.texts["presenting_complaint"]
    # The new assessment's first save is held on the store's worker.
    gate = Gate(monkeypatch, clinic.assessments, "save_draft")
    complaint.setPlainText("Knee pain")
    screen.view_model.save_now()
    gate.wait_entered(qtbot)
    complaint.setPlainText("Knee pain on stairs for six weeks")

    # The clinician chooses the next patient before that save is back.
    choose_meanwhile(window, b.id)
    gate.release()
    qtbot.waitUntil(lambda: in_banner(window, b.id), timeout=WAIT_MS)
    settle(qtbot, window)

    # One draft, holding everything typed: the second save went to the draft the first made.
    assert _drafts_of(clinic, a.id) == ["Knee pain on stairs for six weeks"]
    assert _drafts_of(clinic, b.id) == []


def test_a_new_assessment_is_saved_when_an_older_one_is_opened_from_the_record(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, _b = two_patients(clinic, window)
    earlier = clinic.assessments.save_draft(user, a.id, {"presenting_complaint": "Old shoulder"})
    signed = clinic.assessments.sign(user, earlier.id, demo_password(CLINICIAN))
    open_record(qtbot, window, a.id)
    screen = _new_assessment(qtbot, window)
    screen.view.texts["presenting_complaint"].setPlainText("New left knee pain")

    # Within the autosave's pause, last visit's signed assessment is opened from the record.
    window.open_screen("assessment", signed.id)
    settle(qtbot, window)

    assert _drafts_of(clinic, a.id) == ["New left knee pain"]


def test_signing_a_new_assessment_while_its_first_save_is_on_its_way_signs_the_words(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sign waits for that save; it never saves an empty draft over the words first."""
    window = signed_in
    a, _b = two_patients(clinic, window)
    open_record(qtbot, window, a.id)
    screen = _new_assessment(qtbot, window)
    gate = Gate(monkeypatch, clinic.assessments, "save_draft")
    screen.view.texts["presenting_complaint"].setPlainText("Knee pain")
    screen.view_model.save_now()
    gate.wait_entered(qtbot)
    screen.view.password.setText(demo_password(CLINICIAN))
    screen.view.sign_button.click()

    with qtbot.waitSignal(screen.view_model.signed, timeout=WAIT_MS) as signed:
        gate.release()
    settle(qtbot, window)

    assert dict(signed.args[0].content) == {"presenting_complaint": "Knee pain"}
    with clinic.context.store.sessions() as session:
        stored = session.get(Assessment, signed.args[0].id)
        assert stored is not None
        assert stored.content == {"presenting_complaint": "Knee pain"}


@pytest.mark.parametrize("held", ["save_draft", "sign"])
def test_a_sign_asked_for_just_before_the_patient_changes_is_said_for_its_patient(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    held: str,
) -> None:
    """Signed behind the save it waited for (or answered late): said, naming the patient."""
    window = signed_in
    a, b = two_patients(clinic, window)
    open_record(qtbot, window, a.id)
    screen = _new_assessment(qtbot, window)
    screen.view.texts["presenting_complaint"].setPlainText("Knee pain")
    if held == "sign":
        screen.view_model.save_now()
        settle(qtbot, window)
    gate = Gate(monkeypatch, clinic.assessments, held)
    screen.view_model.save_now()
    screen.view.password.setText(demo_password(CLINICIAN))
    screen.view.sign_button.click()
    gate.wait_entered(qtbot)

    # The page moves on (the record of the next patient was already read) before the answer.
    user = window.session.require_user()
    window.context.set_patient(clinic.patients.open(user, b.id))
    gate.release()
    settle(qtbot, window)

    with clinic.context.store.sessions() as session:
        [stored] = session.scalars(select(Assessment).where(Assessment.patient_id == a.id))
        assert stored.status == AssessmentStatus.SIGNED
        assert stored.content == {"presenting_complaint": "Knee pain"}
    assert window.notice.text() == (
        f"The assessment for {a.family_name.upper()}, {a.given_name} was signed."
    )
