"""The assessment form: a draft kept as typed, signing with the password, then an addendum."""

from __future__ import annotations

import os
import tempfile

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.common.theme import apply_theme
from ui.domains.assessments.assessment.view import AssessmentView
from ui.domains.assessments.assessment.view_model import AssessmentViewModel


def _form(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, user: CurrentUser
) -> tuple[AssessmentViewModel, AssessmentView]:
    session = UserSession()
    session.sign_in(user)
    vm = AssessmentViewModel(clinic.assessments, runner=runner, session=session, autosave_ms=50)
    view = AssessmentView(vm, clinic.reference.diagnoses)
    qtbot.addWidget(view)
    view.resize(1100, 900)
    view.show()
    return vm, view


def test_draft_signed_with_password_then_addendum(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    vm, view = _form(qtbot, clinic, runner, clinician)
    vm.start(seeded_patient.id)

    type_into(qtbot, view.texts["presenting_complaint"], "Low back pain after lifting")
    view.body_chart.toggle("lumbar_spine")
    view.pain["pain_now"].setValue(6)
    qtbot.mouseClick(view.medicines.add_button, Qt.MouseButton.LeftButton)
    row = view.medicines.rows[0]
    type_into(qtbot, row.name, "Codeine")
    # Recognised from the coded list, not ticked by hand.
    assert not row.review.isHidden()
    assert row.review.text() == "Opioid or gabapentinoid — review"
    assert row.recognised.text() == "Opioid analgesic"
    # An opioid listed: whether it was reviewed with the patient is asked, and answered.
    qtbot.mouseClick(view.medicine_review.reviewed.yes, Qt.MouseButton.LeftButton)
    view.medicine_review.outcomes["refer_for_review"].click()

    with qtbot.waitSignal(vm.draft_saved, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: not vm.has_unsaved_changes and runner.is_idle(), timeout=WAIT_MS)
    saved = clinic.assessments.get(clinician, vm.assessment.id)  # type: ignore[union-attr]
    assert saved.content["presenting_complaint"] == "Low back pain after lifting"
    assert saved.content["body_regions"] == ["lumbar_spine"]
    assert saved.medicines_for_review == ("Codeine",)
    assert saved.content["medicine_review"] == {"reviewed": True, "outcome": "refer_for_review"}
    assert view.draft_status.text() == "Draft saved."

    # The sentence agreed to is shown before signing, and kept with the signed assessment.
    assert view.attestation.text().startswith("By signing: I assessed this patient")
    type_into(qtbot, view.password, "not the password")
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    assert view.sign_error.isVisibleTo(view)
    assert "password is not right" in view.sign_error.text()
    assert not view.is_read_only()

    type_into(qtbot, view.password, demo_password(CLINICIAN))
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    assert view.is_read_only()
    assert not view.sign_bar.isVisibleTo(view)
    assert view.signed_label.text().startswith(f"Signed by {clinician.display_name} on ")
    assert view.status_label.text() == "Signed"
    assert view.signed_attestation.text().startswith("They agreed: I assessed this patient")
    assert vm.assessment.attestation == clinic.assessments.attestation_for(clinician)  # type: ignore[union-attr]
    assert not view.integrity.isVisibleTo(view)

    type_into(qtbot, view.addendum_text, "Reviewed imaging: no change to plan.")
    type_into(qtbot, view.addendum_password, "wrong")
    with qtbot.waitSignal(vm.addendum_failed, timeout=WAIT_MS):
        qtbot.mouseClick(view.addendum_button, Qt.MouseButton.LeftButton)
    assert "password is not right" in view.addendum_error.text()
    type_into(qtbot, view.addendum_password, demo_password(CLINICIAN))
    with qtbot.waitSignal(vm.addendum_added, timeout=WAIT_MS):
        qtbot.mouseClick(view.addendum_button, Qt.MouseButton.LeftButton)
    assert [a.text for a in vm.assessment.addenda] == [  # type: ignore[union-attr]
        "Reviewed imaging: no change to plan."
    ]
    assert view.addendum_text.toPlainText() == ""
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)


def test_signing_needs_the_presenting_complaint(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    vm, view = _form(qtbot, clinic, runner, clinician)
    vm.start(seeded_patient.id)
    type_into(qtbot, view.lines["onset"], "Gradual")
    type_into(qtbot, view.password, demo_password(CLINICIAN))
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    assert view.error_texts() == {"presenting_complaint": "Fill this in before signing."}
    assert not view.is_read_only()
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)


def test_the_medicines_review_is_asked_only_while_an_opioid_is_listed(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    vm, view = _form(qtbot, clinic, runner, clinician)
    vm.start(seeded_patient.id)
    review = view.medicine_review
    type_into(qtbot, view.texts["presenting_complaint"], "Neck pain")
    view.medicines.add_row()
    type_into(qtbot, view.medicines.rows[0].name, "Naproxen 500 mg")
    assert not view.review_field.isVisibleTo(view)

    view.medicines.add_row()
    type_into(qtbot, view.medicines.rows[1].name, "Tramadol 50 mg")
    assert view.review_field.isVisibleTo(view)
    assert review.listed.text() == "Flagged for review: Tramadol 50 mg"
    assert not review.outcome_part.isVisibleTo(view)
    assert not review.reason_part.isVisibleTo(view)

    # Signing with the question unanswered is refused, in words beside it.
    qtbot.waitUntil(lambda: not vm.has_unsaved_changes and runner.is_idle(), timeout=WAIT_MS)
    type_into(qtbot, view.password, demo_password(CLINICIAN))
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    assert view.error_texts() == {
        "medicine_review": "Say whether you reviewed the opioid or gabapentinoid with the "
        "patient before signing."
    }
    assert view.review_field.error_label.isVisibleTo(view)
    assert not view.is_read_only()

    # No: a reason may be given; the outcomes are not asked.
    qtbot.mouseClick(review.reviewed.no, Qt.MouseButton.LeftButton)
    assert review.reason_part.isVisibleTo(view)
    assert not review.outcome_part.isVisibleTo(view)
    assert "medicine_review" not in view.error_texts()
    type_into(qtbot, review.reason, "Seen by the pain team last week")
    assert view.values()["medicine_review"] == {
        "reviewed": False,
        "reason": "Seen by the pain team last week",
    }

    # The opioid taken off the list: the question goes, and nothing of it is sent.
    view.medicines.rows[1].remove.click()
    assert not view.review_field.isVisibleTo(view)
    assert view.values()["medicine_review"] is None
    qtbot.waitUntil(lambda: not vm.has_unsaved_changes and runner.is_idle(), timeout=WAIT_MS)
    saved = clinic.assessments.get(clinician, vm.assessment.id)  # type: ignore[union-attr]
    assert "medicine_review" not in saved.content


def test_diagnosis_picked_by_typing_keeps_its_snomed_code(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    """Knee regions bring knee diagnoses first; a typed name not in the list is refused."""
    vm, view = _form(qtbot, clinic, runner, clinician)
    vm.start(seeded_patient.id)
    type_into(qtbot, view.texts["presenting_complaint"], "Knee pain on stairs")
    view.body_chart.toggle("left_knee")
    picker = view.diagnosis
    assert picker.combo.itemText(1) == "Osteoarthritis of the knee"

    type_into(qtbot, picker.combo.lineEdit(), "Ligament strain of my own")
    with qtbot.waitSignal(vm.field_errors_changed, timeout=WAIT_MS):
        pass
    assert "not in the list" in view.error_texts()["diagnosis_code"]

    picker.combo.setCurrentIndex(picker.combo.findText("Osteoarthritis of the knee"))
    assert picker.code() == "knee_osteoarthritis"
    assert picker.code_label.text() == "SNOMED CT 239873007"
    qtbot.waitUntil(lambda: "diagnosis_code" not in view.error_texts(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not vm.has_unsaved_changes and runner.is_idle(), timeout=WAIT_MS)
    saved = clinic.assessments.get(clinician, vm.assessment.id)  # type: ignore[union-attr]
    assert saved.content["diagnosis_code"] == "knee_osteoarthritis"
    assert saved.content["diagnosis"]["snomed_ct_id"] == "239873007"

    type_into(qtbot, view.password, demo_password(CLINICIAN))
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    assert not picker.combo.isEnabled()
    assert picker.combo.currentText() == "Osteoarthritis of the knee"
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)


def test_screenshot_of_the_form(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    """Grab the form to a private folder when ONESTOP_SCREENSHOTS is set (for review)."""
    if not os.environ.get("ONESTOP_SCREENSHOTS"):
        return
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    vm, view = _form(qtbot, clinic, runner, clinician)
    vm.start(seeded_patient.id)
    view.fill(
        {
            "presenting_complaint": "Low back pain after lifting a box, spreading to the left leg.",
            "body_regions": ["lumbar_spine", "left_buttock", "left_thigh"],
            "onset": "Sudden, lifting",
            "duration": "3 weeks",
            "pain_now": 6,
            "pain_best": 3,
            "pain_worst": 8,
            "medicines": [
                {"name": "Codeine", "dose": "30 mg four times a day", "flags": ["opioid"]}
            ],
            "medicine_review": {"reviewed": True, "outcome": "reduce_or_stop"},
        }
    )
    view.resize(1100, 1500)
    qtbot.wait(50)  # rows added after show appear on the next turn of the event loop
    folder = tempfile.mkdtemp(prefix="assessment-shots-")
    view.grab().save(os.path.join(folder, "assessment.png"))
    medicines_card = view.review_field.parentWidget()
    assert medicines_card is not None
    medicines_card.grab().save(os.path.join(folder, "medicines-review.png"))
    print(folder)
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)
