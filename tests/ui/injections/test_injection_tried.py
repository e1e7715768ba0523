"""The injection screen tried as it is used: two patients in turn, a pack scanned, a decision
shared half-way through, impossible values, the keyboard alone, a small laptop screen."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.demo_imaging import add_demo_imaging
from clinic_app.people.nhs_number import synthetic_numbers
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from tests.ui.injections.helpers import (
    add_pgd,
    open_injection,
    patients,
    pick,
    sign_decision,
    user_of,
)
from ui.app import SCREEN_SIZE, MainWindow

GS = "\x1d"


def _block_store(window: MainWindow, seconds: float) -> None:
    """The store worker busy with something else for a moment (a sync round, a long read)."""
    started = threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(seconds)

    window.runner.run_store(slow, on_done=lambda _r: None)
    started.wait(2)


def test_two_patients_in_turn_keep_each_to_their_own(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    screen = open_injection(window, clinic, a)
    form = screen.view
    pick(form.target, "knee_joint")
    type_into(qtbot, form.approach, "A: superolateral")
    # The save is still waiting for the store when the banner changes to B.
    _block_store(window, 0.3)
    screen.view_model.save_now()
    type_into(qtbot, form.reaction, "A: faint for a moment")

    window.open_screen("patient", clinic.patients.open(user_of(window), b))
    wait_idle(window)
    wait_idle(window)

    # Nothing of A shows, and all that was typed for A is kept for A alone.
    assert form.approach.text() == ""
    assert form.reaction.text() == ""
    assert form.target.currentData() is None
    kept_a = clinic.injections.for_patient(user_of(window), a)
    assert len(kept_a) == 1
    assert kept_a[0].fields.approach == "A: superolateral"
    assert kept_a[0].fields.immediate_reaction == "A: faint for a moment"
    assert clinic.injections.for_patient(user_of(window), b) == []

    # B's injection opens empty, and nothing is saved for B until something is typed for B.
    screen = open_injection(window, clinic, b)
    assert form.approach.text() == ""
    assert form.target.currentData() is None
    assert screen.view_model.record is None
    assert clinic.injections.for_patient(user_of(window), b) == []
    type_into(qtbot, form.approach, "B: posterior")
    screen.view_model.save_now()
    wait_idle(window)
    kept_b = clinic.injections.for_patient(user_of(window), b)
    assert [r.fields.approach for r in kept_b] == ["B: posterior"]
    assert [r.fields.approach for r in clinic.injections.for_patient(user_of(window), a)] == [
        "A: superolateral"
    ]

    # Back to A: A's draft continues, with none of B's.
    screen = open_injection(window, clinic, a)
    assert form.approach.text() == "A: superolateral"
    assert form.target.currentData() == "knee_joint"


def test_a_scanned_pack_fills_the_batch_and_expiry_of_the_drug_being_recorded(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    screen = open_injection(window, clinic, patients(clinic, window, 1)[0])
    form = screen.view
    second = form.drug_rows[1]
    pick(second.product, "lidocaine_1")

    # GTIN, expiry (the last day of that month), batch and serial, as a scanner sends them
    # (the group separator cannot be typed through the test's key events: set as received).
    form.scan.setFocus()
    form.scan.setText(f"]d2010950600000001517281100{GS}10AB12C{GS}21SN987")
    qtbot.keyClick(form.scan, Qt.Key.Key_Return)

    assert second.batch.text() == "AB12C"
    assert second.expiry.text() == "30/11/2028"
    assert form.drug_rows[0].batch.text() == ""
    assert form.scan.text() == ""
    assert "batch AB12C" in form.scan_result.text()
    assert "30-Nov-2028" in form.scan_result.text()
    pictures.keep(window, "injection_pack_scanned.png")

    # Separators lost: still read, and the user is asked to check against the pack.
    qtbot.mouseClick(form.drug_rows[0].batch, Qt.MouseButton.LeftButton)
    pick(form.drug_rows[0].product, "methylprednisolone_acetate_40")
    type_into(qtbot, form.scan, "0109506000000015172811301012345621XYZ")
    qtbot.waitUntil(lambda: form.scan.text() == "", timeout=WAIT_MS)
    assert form.drug_rows[0].expiry.text() == "30/11/2028"
    assert "check the batch and serial number against the pack" in form.scan_result.text()

    # Text that is not a pack's code is said in plain words and fills nothing.
    type_into(qtbot, form.scan, "hello")
    qtbot.keyClick(form.scan, Qt.Key.Key_Return)
    assert "could not be read as a medicine pack's barcode" in form.scan_result.text()
    screen.view_model.save_now()
    wait_idle(window)
    record = screen.view_model.record
    assert record is not None
    assert [d.batch for d in record.fields.drugs] == []  # no dose yet: rows not kept
    assert form.drug_rows[1].note.isVisible()


def test_share_a_decision_now_and_come_back_to_it_followed(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    patient = patients(clinic, window, 1)[0]
    screen = open_injection(window, clinic, patient)
    form = screen.view
    pick(form.target, "knee_joint")
    assert form.decision_warning.isVisible()

    qtbot.mouseClick(form.share_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    wait_idle(window)
    decision = window.screen_by_id("decision")
    assert window.showing(decision)
    assert decision.view_model.aid is not None
    assert decision.view_model.aid.id == "steroid_injection"
    # What was typed was kept before leaving.
    kept = clinic.injections.for_patient(user_of(window), patient)
    assert [r.fields.target for r in kept] == ["knee_joint"]

    # Signed meanwhile: told of it, the injection follows it and the warning is gone.
    sign_decision(clinic, window, patient)
    window.context.announce("decision.signed", patient)
    wait_idle(window)
    assert form.decision_warning.isHidden()
    assert not form.decision_words.isHidden()
    # Coming back, it is read again all the same.
    screen = open_injection(window, clinic, patient)
    assert not form.decision_warning.isVisible()
    assert form.decision_words.isVisible()
    assert form.target.currentData() == "knee_joint"


def test_impossible_values_are_refused_beside_their_fields_and_kept_on_screen(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    screen = open_injection(window, clinic, patients(clinic, window, 1)[0])
    form = screen.view
    row = form.drug_rows[0]
    pick(row.product, "methylprednisolone_acetate_40")
    type_into(qtbot, row.mg, "400")
    type_into(qtbot, row.ml, "1")
    type_into(qtbot, form.review, "31/02/2026")
    type_into(qtbot, form.inr, "lots")
    screen.view_model.save_now()
    wait_idle(window)

    # Text that is no date or number is marked at once; the store refuses the dose.
    assert form.fields["review_date"].error() == (
        "Enter a date as day/month/year, for example 05/03/2026."
    )
    assert form.fields["inr_value"].error() == "Enter a number, for example 1.5."
    assert "does not match the volume" in (form.fields["drugs.0.mg"].error() or "")
    assert form.summary.isVisible()
    assert row.mg.text() == "400"
    assert form.review.text() == "31/02/2026"
    pictures.keep(window, "injection_bad_input.png")

    type_into(qtbot, row.mg, "\b\b\b40")
    assert row.mg.text() == "40"
    screen.view_model.save_now()
    wait_idle(window)
    assert form.fields["drugs.0.mg"].error() is None
    assert not form.notice.isVisible()
    record = screen.view_model.record
    assert record is not None
    assert record.fields.drugs[0].mg == 40


def test_every_control_has_a_name_and_the_keyboard_reaches_the_form(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    screen = open_injection(window, clinic, patients(clinic, window, 1)[0])
    form = screen.view
    nameless = [
        widget.metaObject().className()
        for widget in form.findChildren(QWidget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        and widget.isVisibleTo(form)
        and not widget.accessibleName()
        and not getattr(widget, "text", lambda: "")()
    ]
    assert nameless == []
    # The reason comes first; Tab moves on through the form.
    assert form.reason.hasFocus() or QApplication.focusWidget() is form.reason
    qtbot.keyClicks(form.reason, "Agreed last time")
    qtbot.keyClick(form.reason, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.share_button
    qtbot.keyClick(form.share_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.target
    qtbot.keyClick(form.target, Qt.Key.Key_Down)
    assert form.target.currentIndex() == 1
    first = form.checks_asked[next(iter(form.checks_asked))]
    first.no.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(first.no, Qt.Key.Key_Space)
    assert first.answer() == "no"


def test_the_page_fits_a_small_laptop_screen(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    window.resize(*SCREEN_SIZE)
    add_pgd(clinic, window)
    screen = open_injection(window, clinic, patients(clinic, window, 1)[0])
    form = screen.view
    pick(form.authority, "pgd")
    pick(form.guidance, "ultrasound")
    qtbot.wait(100)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280
    assert hint.height() <= 768 - 68
    assert window.size().toTuple() == SCREEN_SIZE
    # Scrolls up and down, never sideways.
    assert form.page.width() <= form.scroll_area.viewport().width()
    assert form.scroll_area.verticalScrollBar().maximum() > 0
    pictures.keep(window, "injection_top.png")
    for part in (form.pgd, form.checks_asked[next(iter(form.checks_asked))], form.drug_rows[0]):
        form.scroll_area.ensureWidgetVisible(part)
        QApplication.processEvents()
    pictures.keep(window, "injection_drugs.png")
    form.scroll_area.ensureWidgetVisible(form.checks_box)
    pictures.keep(window, "injection_checks.png")


def test_hard_stops_and_warnings_are_shown_in_plain_words_and_a_wrong_password_loses_nothing(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    screen = open_injection(window, clinic, patients(clinic, window, 1)[0])
    form = screen.view
    pick(form.target, "knee_joint")
    form.checks_asked["diabetes"].yes.setChecked(True)
    form.checks_asked["infection_local"].yes.setChecked(True)
    screen.view_model.save_now()
    wait_idle(window)
    wait_idle(window)

    lines = form.check_lines
    assert any(line.startswith("Stop: Possible infection: do not inject.") for line in lines)
    assert any(line.startswith("Warning: Diabetes:") for line in lines)
    assert any(line.startswith("Still to do: ") for line in lines)
    assert not any("injection." in line for line in lines)  # no code is ever shown
    button = form.acknowledge_buttons["diabetes"]
    assert button.accessibleName().startswith("Acknowledge: Diabetes:")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    wait_idle(window)
    assert "diabetes" not in form.acknowledge_buttons
    assert any(line.startswith("Acknowledged: Diabetes:") for line in form.check_lines)
    form.scroll_area.ensureWidgetVisible(form.checks_box)
    pictures.keep(window, "injection_checks_panel.png")

    type_into(qtbot, form.password, "not my password")
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(form.sign_problem.isVisible, timeout=WAIT_MS)
    wait_idle(window)
    assert form.sign_problem.text() == (
        "That password is not right. Type your own password and try again."
    )
    assert form.target.currentData() == "knee_joint"
    assert form.checks_asked["diabetes"].answer() == "yes"
    assert screen.view_model.record is not None
    assert not screen.view_model.record.is_signed


def test_an_ultrasound_guided_injection_offers_the_patient_s_own_scans(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    add_demo_imaging(clinic, clinic.auth.login("sonographer", demo_password("sonographer")), 60)
    scanned = clinic.patients.search(user_of(window), next(synthetic_numbers(1)), limit=1)[0].id
    studies = clinic.imaging.studies(user_of(window), scanned)
    assert studies
    other = next(p for p in patients(clinic, window, 5) if p != scanned)

    # A patient with no scans: the screen says what an ultrasound-guided injection needs.
    screen = open_injection(window, clinic, other)
    form = screen.view
    pick(form.guidance, "ultrasound")
    assert not form.no_studies.isHidden()
    assert form.study_field.isHidden()

    screen = open_injection(window, clinic, scanned)
    assert form.guidance.currentData() is None
    pick(form.guidance, "ultrasound")
    assert form.no_studies.isHidden()
    assert not form.study_field.isHidden()
    assert form.study.count() == len(studies) + 1
    pick(form.study, str(studies[0].id))
    screen.view_model.save_now()
    wait_idle(window)
    record = screen.view_model.record
    assert record is not None
    assert record.fields.imaging_study_id == studies[0].id
    assert record.fields.guidance == "ultrasound"
