"""The care plan screen as a clinician uses it with the patient: made, signed, printed, reviewed."""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.domains.care_plans.views import CarePlanView
from clinic_app.kernel.errors import Conflict
from clinic_app.people.views import PatientInput
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.decisions.test_tried_interleaved import _block_store
from tests.ui.late_answers import Gate, print_refused_with_its_save, settle
from ui.app import MainWindow
from ui.common import formatting
from ui.common.form_parts import date_text
from ui.common.theme import apply_theme
from ui.domains.care_plans.plan.page import CarePlanPage
from ui.domains.care_plans.plan.screens import CarePlanScreen
from ui.domains.care_plans.plan.view_model import CarePlans

PASSWORD = demo_password(CLINICIAN)
SOON = date.today() + timedelta(days=30)
LATER = date.today() + timedelta(days=90)


def _two(clinic: Services, window: MainWindow) -> tuple[uuid.UUID, uuid.UUID]:
    user = window.session.user
    assert user is not None
    first, second = clinic.patients.search(user, "999", limit=2)
    return first.id, second.id


def _open(window: MainWindow, clinic: Services, patient: uuid.UUID) -> CarePlanScreen:
    """The patient's record first, then Care plan from the patient menu."""
    user = window.session.user
    assert user is not None
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    action = window.action("care_plan")
    assert action.isEnabled()
    assert action.shortcut().toString() == "Ctrl+Shift+P"
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("care_plan")
    assert isinstance(screen, CarePlanScreen)
    assert window.showing(screen)
    # The screen's Protocol is the real service's shape (checked by mypy here).
    service: CarePlans = clinic.care_plans
    assert service is clinic.care_plans
    return screen


def _add_row(qtbot: QtBot, rows: object, *words: str) -> None:
    button = rows.add_button  # type: ignore[attr-defined]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    boxes, _remove = rows.rows[-1]  # type: ignore[attr-defined]
    for box, text in zip(boxes, words, strict=False):
        type_into(qtbot, box, text)


def _make_the_plan(qtbot: QtBot, page: CarePlanPage) -> None:
    """The plan talked through with the patient, top to bottom."""
    type_into(qtbot, page.what_matters, "Playing with my grandchildren")
    type_into(qtbot, page.strengths, "My daughter drives me to appointments")
    _add_row(qtbot, page.goals, "Walk the dog to the park and back")
    _add_row(qtbot, page.goals, "Sleep through the night")
    _add_row(qtbot, page.action_rows, "Home exercises twice a day", "Me", date_text(SOON))
    _add_row(qtbot, page.conditions, "Type 2 diabetes")
    _add_row(qtbot, page.treatments, "Naproxen", "Upset my stomach")
    type_into(qtbot, page.flare_plan, "Rest for a day, then start the exercises gently")
    type_into(qtbot, page.seek_help, "If the pain is much worse after a week")
    page.net_ticks["cauda_equina"].setChecked(True)
    page.service_ticks["versus_arthritis"].setChecked(True)
    _add_row(qtbot, page.other_support, "Tuesday walking group at the library")
    type_into(qtbot, page.named_contact, "Sam Physio")
    type_into(qtbot, page.contact_route, "01632 960 000")
    page.pifu_months.setCurrentIndex(page.pifu_months.findData(3))
    type_into(qtbot, page.review_on, date_text(LATER))
    qtbot.mouseClick(page.gp_consent.yes, Qt.MouseButton.LeftButton)
    page.gp_consent_given_by.setCurrentIndex(page.gp_consent_given_by.findData("patient"))


def _print(qtbot: QtBot, screen: CarePlanScreen, folder: Path) -> tuple[Path, str]:
    """The patient's copy through the print preview; its words."""
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(folder / Path(suggested).name)
    delivery.has_printer = lambda: True
    previewed: list[Path] = []
    delivery.print_file = previewed.append
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previewed), timeout=WAIT_MS)
    [pdf] = previewed
    words = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pdf, " ".join(words.split())


def _sign(qtbot: QtBot, window: MainWindow, screen: CarePlanScreen) -> None:
    """A wrong password is refused beside the button; the right one signs, read only."""
    view, vm, page = screen.view, screen.view_model, screen.view.page
    type_into(qtbot, view.password, "not my password")
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    assert "password is not right" in view.sign_problem.text()
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)
    assert vm.is_signed
    assert page.what_matters.isReadOnly()
    assert not page.goals.add_button.isVisibleTo(view)
    assert not page.net_ticks["cauda_equina"].isEnabled()
    assert not view.sign_button.isVisibleTo(view)
    assert view.review_button.isVisibleTo(view)
    assert view.state.text().startswith("Signed ")
    pictures.keep(window, "care_plan_signed.png")
    view.scroll_area.ensureWidgetVisible(page.fields["information_needs"])
    QApplication.processEvents()
    pictures.keep(window, "care_plan_signed_end.png")
    view.scroll_area.ensureWidgetVisible(page.net_ticks["cauda_equina"])
    QApplication.processEvents()
    pictures.keep(window, "care_plan_signed_middle.png")


def _review(
    qtbot: QtBot, window: MainWindow, clinic: Services, screen: CarePlanScreen, signed: CarePlanView
) -> None:
    """A review makes a new draft version pointing at the signed one, which stays as it is."""
    view, vm, page = screen.view, screen.view_model, screen.view.page
    user = window.session.user
    assert user is not None
    patient = signed.patient_id
    qtbot.mouseClick(view.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.plan is not None and not vm.is_signed, timeout=WAIT_MS)
    wait_idle(window)
    assert vm.plan is not None
    assert vm.plan.supersedes_id == signed.id
    assert not page.what_matters.isReadOnly()
    assert page.goals.values()[0] == ("Walk the dog to the park and back",)
    assert page.review_on.text() == ""
    assert page.gp_consent.answer() is None
    assert "replace the signed plan" in view.state.text()
    assert clinic.care_plans.get(user, signed.id, patient).is_signed
    _add_row(qtbot, page.goals, "Go back to the allotment")
    type_into(qtbot, page.review_on, date_text(LATER))
    qtbot.mouseClick(page.gp_consent.no, Qt.MouseButton.LeftButton)
    page.gp_consent_given_by.setCurrentIndex(page.gp_consent_given_by.findData("patient"))
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)
    versions = clinic.care_plans.for_patient(user, patient)
    assert len(versions) == 2
    newest = next(v for v in versions if v.supersedes_id == signed.id)
    assert newest.is_current
    assert newest.plan.goals[-1] == "Go back to the allotment"
    assert clinic.care_plans.get(user, signed.id, patient).superseded_by == newest.id

    # Opened from the timeline, the replaced version is read only, with nothing to review.
    old = next(
        e
        for e in clinic.timeline.for_patient(user, patient).of_kind("care_plan")
        if e.item_id == signed.id
    )
    window.open_screen("care_plan", old)
    wait_idle(window)
    assert vm.plan is not None
    assert vm.plan.id == signed.id
    assert not view.review_button.isVisibleTo(view)
    assert "A later version replaces it." in view.state.text()


def test_a_plan_is_made_with_the_patient_signed_printed_and_reviewed(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, tmp_path: Path
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    assert user is not None
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient)
    view, vm = screen.view, screen.view_model
    page = view.page
    # Empty, and nothing kept until something is typed.
    assert vm.plan is None
    assert page.goals.values() == []
    assert page.pifu_months.currentData() == 6
    assert clinic.care_plans.for_patient(user, patient) == []
    # Large type, turned to the patient.
    assert page.what_matters.font().pointSizeF() >= 14
    _make_the_plan(qtbot, page)
    pictures.keep(window, "care_plan_draft.png")

    # Kept as typed, once the changes pause.
    qtbot.waitUntil(
        lambda: vm.plan is not None and vm.plan.plan.gp_consent_given_by == "patient",
        timeout=WAIT_MS,
    )
    wait_idle(window)
    (draft,) = clinic.care_plans.for_patient(user, patient)
    assert draft.plan.goals == ("Walk the dog to the park and back", "Sleep through the night")
    assert draft.plan.actions[0].by == SOON
    assert draft.plan.safety_nets == ("cauda_equina",)
    assert [c.service_id or c.text for c in draft.plan.support_services] == [
        "versus_arthritis",
        "Tuesday walking group at the library",
    ]
    assert (draft.plan.pifu_months, draft.plan.review_on, draft.plan.gp_consent) == (3, LATER, True)

    _sign(qtbot, window, screen)
    signed = clinic.care_plans.get(user, draft.id, patient)
    assert signed.is_signed
    assert signed.pifu_ends_on is not None
    # Printed for the patient through the print preview, under their name.
    pdf, words = _print(qtbot, screen, tmp_path)
    family = clinic.patients.open(user, patient).family_name
    assert pdf.name.startswith(family.upper())
    assert "Walk the dog to the park and back" in words
    assert "Home exercises twice a day" in words
    assert "Playing with my grandchildren" in words
    assert "Versus Arthritis" in words
    assert "Tuesday walking group at the library" in words
    assert "Sam Physio" in words
    pictures.keep_pdf(pdf, "care_plan_pdf")

    # The timeline opens the plan with this screen.
    (entry,) = clinic.timeline.for_patient(user, patient).of_kind("care_plan")
    assert entry.screen_id == "care_plan"

    _review(qtbot, window, clinic, screen, signed)


def test_errors_are_shown_beside_their_fields_in_plain_words(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient)
    view, vm = screen.view, screen.view_model
    page = view.page
    type_into(qtbot, page.review_on, "31/02/2020x")
    assert "Enter a date as day/month/year" in page.fields["review_on"].error_label.text()
    page.review_on.clear()
    type_into(qtbot, page.what_matters, "Getting back to work")
    # Signed with nothing agreed: each problem beside its field, in words, never a code.
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)
    goals = page.fields["goals"].error_label.text()
    assert goals == "Write at least one goal, in the patient's own words, before signing."
    assert page.fields["review_on"].error_label.text() == "Agree a review date before signing."
    assert page.fields["named_contact"].error_label.isVisibleTo(view)
    assert "GP may have a copy" in page.fields["gp_consent"].error_label.text()
    assert "care_plan." not in view.summary.text()
    assert not vm.is_signed


def test_two_patients_in_turn_never_see_each_others_plan(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, vm = screen.view, screen.view_model
    type_into(qtbot, view.page.what_matters, "Gardening again")
    _add_row(qtbot, view.page.goals, "Dig the vegetable bed")
    screen.save_now()
    wait_idle(window)
    qtbot.waitUntil(lambda: vm.plan is not None, timeout=WAIT_MS)
    assert vm.plan is not None
    a_plan = vm.plan.id

    # Another patient in the banner: the screen forgets the first one's plan at once.
    window.context.set_patient(clinic.patients.open(user, b))
    wait_idle(window)
    assert vm.patient_id is None
    assert vm.plan is None
    assert not view.scroll_area.isVisibleTo(view)
    # B's plan is empty; A's plan never opens for B.
    screen = _open(window, clinic, b)
    assert vm.plan is None
    assert view.page.what_matters.toPlainText() == ""
    assert view.page.goals.values() == []
    window.open_screen("care_plan", a_plan)
    wait_idle(window)
    assert vm.plan is None
    assert view.notice.text().startswith("That care plan could not be found.")
    assert clinic.care_plans.for_patient(user, b) == []

    # Back to A: their draft continues where it was left.
    screen = _open(window, clinic, a)
    assert vm.plan is not None
    assert vm.plan.id == a_plan
    assert view.page.what_matters.toPlainText() == "Gardening again"
    assert view.page.goals.values() == [("Dig the vegetable bed",)]


def test_switching_user_leaves_nothing_of_the_plan_in_the_hidden_page(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    page = screen.view.page
    _make_the_plan(qtbot, page)
    wait_idle(window)

    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, "supervisor")

    # Not on screen, and not held out of sight either, for the next user to come upon.
    typed = ("Playing with my grandchildren", "Sam Physio", "Walk the dog to the park and back")
    for box in page.findChildren(QPlainTextEdit) + page.findChildren(QLineEdit):
        held = box.text() if isinstance(box, QLineEdit) else box.toPlainText()
        assert not any(words in held for words in typed), held
    assert page.goals.values() == []
    assert page.action_rows.values() == []
    assert not any(tick.isChecked() for tick in page.net_ticks.values())
    assert page.pifu_months.currentData() is None


def _ready_to_sign(qtbot: QtBot, page: CarePlanPage) -> None:
    _add_row(qtbot, page.goals, "Climb the stairs without stopping")
    type_into(qtbot, page.named_contact, "Sam Physio")
    type_into(qtbot, page.review_on, date_text(LATER))
    qtbot.mouseClick(page.gp_consent.yes, Qt.MouseButton.LeftButton)
    page.gp_consent_given_by.setCurrentIndex(page.gp_consent_given_by.findData("patient"))


def _name(clinic: Services, window: MainWindow, patient: uuid.UUID) -> str:
    user = window.session.user
    assert user is not None
    record = clinic.patients.open(user, patient)
    return formatting.patient_name(record.family_name, record.given_name, record.title)


def test_a_sign_asked_for_just_before_the_patient_changes_is_finished_for_that_patient(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view = screen.view
    _ready_to_sign(qtbot, view.page)
    _block_store(window, 0.8)
    type_into(qtbot, view.password, PASSWORD)
    qtbot.keyClick(view.password, Qt.Key.Key_Return)
    window.context.set_patient(clinic.patients.open(user, b))
    wait_idle(window)
    (plan,) = clinic.care_plans.for_patient(user, a)
    assert plan.is_signed
    assert plan.plan.goals == ("Climb the stairs without stopping",)
    assert clinic.care_plans.for_patient(user, b) == []
    assert window.notice.text() == f"The care plan for {_name(clinic, window, a)} was signed."


def test_a_refused_sign_before_the_patient_changes_says_the_draft_is_kept(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view = screen.view
    _ready_to_sign(qtbot, view.page)
    _block_store(window, 0.8)
    type_into(qtbot, view.password, "not the password")
    qtbot.keyClick(view.password, Qt.Key.Key_Return)
    window.context.set_patient(clinic.patients.open(user, b))
    wait_idle(window)
    (plan,) = clinic.care_plans.for_patient(user, a)
    assert not plan.is_signed
    said = window.notice.text()
    assert said.startswith(f"The care plan for {_name(clinic, window, a)} was not signed: ")
    assert "password" in said
    assert said.endswith("It is kept as a draft: open it from their record to sign it.")


def test_the_page_fits_1366_by_768_and_scrolls_inside(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    window.resize(1366, 768)
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient)
    view = screen.view
    for _ in range(4):
        _add_row(qtbot, view.page.action_rows, "A long action that the patient agreed", "Me", "")
    QApplication.processEvents()
    scroll = view.scroll_area
    assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert view.page.width() <= scroll.viewport().width()
    assert scroll.verticalScrollBar().maximum() > 0
    # The buttons stay on screen, inside the window, under the scrolling page.
    for button in (view.save_button, view.sign_button, view.print_button):
        corner = button.mapTo(window, button.rect().bottomRight())
        assert window.rect().contains(corner), button.text()
    pictures.keep(window, "care_plan_1366.png")


def test_large_print_is_chosen_from_the_record_and_the_needs_are_shown(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, tmp_path: Path
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    reader = clinic.patients.register(
        user,
        PatientInput(
            given_name="Edith",
            family_name="Largeprint",
            date_of_birth="1941-03-02",
            sex="2",
            accessible_information_needs=("large_print",),
        ),
    )
    screen = _open(window, clinic, reader.id)
    view = screen.view
    assert "large print" in view.page.needs.text().lower()
    _ready_to_sign(qtbot, view.page)
    pdf, words = _print(qtbot, screen, tmp_path)
    assert "Climb the stairs without stopping" in words
    # Large print: the patient's words are printed larger than the usual 11 points.
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">\W?Climb<', html)
    heights = [float(bottom) - float(top) for top, bottom in found]
    assert heights
    assert min(heights) >= 14


def test_the_keyboard_reaches_every_field(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    window.resize(1366, 768)
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient)
    view = screen.view
    page = view.page
    for rows in (
        page.goals,
        page.action_rows,
        page.conditions,
        page.treatments,
        page.other_support,
    ):
        _add_row(qtbot, rows)
    wanted = [w for w in page.focus_chain() if w.isVisibleTo(view) and w.isEnabled()]
    # Only one of a pair of radio buttons takes the Tab key; arrows move between them.
    wanted.remove(page.gp_consent.no)
    page.what_matters.setFocus(Qt.FocusReason.TabFocusReason)
    reached: list[QWidget] = []
    for _ in range(len(wanted) + 10):
        focused = QApplication.focusWidget()
        assert focused is not None
        reached.append(focused)
        if focused is view.save_button:
            break
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    missed = [w.accessibleName() or type(w).__name__ for w in wanted if w not in reached]
    assert missed == []
    # Every control has a name a screen reader reads out.
    for widget in wanted:
        assert widget.accessibleName() or (getattr(widget, "text", lambda: "")()), widget


def test_words_typed_while_a_new_plans_first_save_is_on_its_way_reach_that_plan(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    page, vm = screen.view.page, screen.view_model
    # The new plan's first save is held on the store's worker.
    gate = Gate(monkeypatch, clinic.care_plans, "save")
    page.what_matters.setPlainText("Walking the dog")
    vm.save_now()
    gate.wait_entered(qtbot)
    page.what_matters.setPlainText("Walking the dog to the park")

    # The clinician chooses the next patient before that save is back.
    user = window.session.user
    assert user is not None
    window.open_screen("patient", clinic.patients.open(user, b))
    gate.release()
    wait_idle(window)

    # One plan, holding everything typed: the second save went to the plan the first made.
    with clinic.context.store.sessions() as session:
        plans = session.execute(
            select(CarePlan.patient_id, CarePlan.what_matters).where(
                CarePlan.patient_id.in_((a, b))
            )
        ).all()
    assert [(row.patient_id, row.what_matters) for row in plans] == [
        (a, "Walking the dog to the park")
    ]


def _never_delivered(screen: CarePlanScreen) -> list[bytes]:
    """What reaches the screen to be saved and printed (a print for the banner's patient)."""
    delivered: list[bytes] = []
    screen.view_model.printed.connect(delivered.append)
    return delivered


def test_a_print_waiting_for_a_save_when_the_patient_changes_is_said_not_made(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    delivered = _never_delivered(screen)
    page, vm = screen.view.page, screen.view_model
    gate = Gate(monkeypatch, clinic.care_plans, "save")
    page.what_matters.setPlainText("Walking the dog")
    vm.save_now()
    gate.wait_entered(qtbot)
    # Print is asked for while the save is on its way: it waits for that save.
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)

    window.context.set_patient(clinic.patients.open(user, b))
    gate.release()
    wait_idle(window)
    wait_idle(window)

    assert delivered == []
    assert window.notice.text() == (
        f"The care plan for {_name(clinic, window, a)} was not printed: the page moved on "
        "before it was ready. Open it again from their record to print it."
    )


def test_a_print_answered_after_the_patient_changed_is_said_not_made(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    screen.view.page.what_matters.setPlainText("Walking the dog")
    screen.view_model.save_now()
    wait_idle(window)
    delivered = _never_delivered(screen)
    gate = Gate(monkeypatch, clinic.care_plans, "printable")
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)

    window.context.set_patient(clinic.patients.open(user, b))
    gate.release()
    wait_idle(window)

    assert delivered == []
    assert window.notice.text().startswith(
        f"The care plan for {_name(clinic, window, a)} was not printed: "
    )
    # Someone else signing in hears nothing of a print the user before them asked for.
    delivered.clear()
    window.context.say("", "info")
    gate2 = Gate(monkeypatch, clinic.care_plans, "printable")
    screen = _open(window, clinic, a)
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    gate2.wait_entered(qtbot)
    window.switch_user()
    gate2.release()
    wait_idle(window)
    assert "was not printed" not in window.notice.text()


def _print_and_sign_behind_a_save(
    qtbot: QtBot, window: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch, order: str
) -> tuple[CarePlanScreen, list[bytes]]:
    """Print and Sign (in ``order``) while a save is held on the store's worker."""
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, vm = screen.view, screen.view_model
    printed: list[bytes] = []
    vm.printed.connect(printed.append)
    screen.pdf_delivery.choose_path = lambda _title, _suggested: ""  # the dialog cancelled
    _ready_to_sign(qtbot, view.page)
    gate = Gate(monkeypatch, clinic.care_plans, "save")
    vm.save_now()
    gate.wait_entered(qtbot)
    for step in order.split(","):
        if step == "print":
            qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
        else:
            type_into(qtbot, view.password, PASSWORD)
            qtbot.keyClick(view.password, Qt.Key.Key_Return)
    gate.release()
    settle(qtbot, window)
    return screen, printed


@pytest.mark.parametrize("order", ["print,sign", "sign,print"])
def test_print_and_sign_asked_for_behind_a_save_are_both_done(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    order: str,
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    screen, printed = _print_and_sign_behind_a_save(qtbot, window, clinic, monkeypatch, order)
    vm = screen.view_model
    assert vm.patient_id is not None
    (plan,) = clinic.care_plans.for_patient(user, vm.patient_id)
    # Neither replaced the other: the plan is signed, the copy printed, the form free again.
    assert plan.is_signed
    assert len(printed) == 1
    assert not vm.busy


def test_a_print_whose_save_is_refused_says_why_and_leaves_the_sign_box_alone(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a print waited for the save: the refusal is said, and not as a failed sign."""
    window = signed_in
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)

    def refused(*_args: object, **_kwargs: object) -> CarePlanView:
        raise Conflict("care_plan.signed")

    monkeypatch.setattr(clinic.care_plans, "save", refused)
    screen.view.page.what_matters.setPlainText("Walking the dog")
    said = print_refused_with_its_save(qtbot, window, screen.view, screen.view_model)
    assert "signed" in said
