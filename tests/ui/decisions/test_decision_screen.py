"""The shared-decision screen as a clinician uses it: open, talk through, choose, sign, print."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QScrollArea,
    QScrollBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.decisions.content import UNDECIDED, decision_aids
from clinic_app.people.views import PatientInput
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, WAIT_MS, WindowFactory, sign_in, type_into, wait_idle
from tests.ui.late_answers import Gate
from ui.app import MainWindow, WindowState
from ui.common.tasks import TaskRunner
from ui.common.theme import apply_theme
from ui.domains.decisions.consultation.page import ConversationPage
from ui.domains.decisions.consultation.screens import DecisionScreen
from ui.domains.decisions.consultation.view_model import Decisions

AIDS = Path(__file__).parents[2] / "core" / "decisions" / "aids" / "good"
PASSWORD = demo_password(CLINICIAN)


@pytest.fixture(autouse=True)
def _test_aids(clinic: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service offers the tests' small aid instead of the shipped ones."""
    # The screen's Protocol is the real service's shape (checked by mypy here).
    service: Decisions = clinic.decisions
    assert service is clinic.decisions
    catalogue = decision_aids(AIDS)
    monkeypatch.setattr(clinic.decisions, "aids", lambda: catalogue)


def _shot(widget: object, name: str) -> None:
    pictures.keep(widget, name)


def _two(clinic: Services, window: MainWindow) -> tuple[uuid.UUID, uuid.UUID]:
    user = window.session.user
    assert user is not None
    first, second = clinic.patients.search(user, "999", limit=2)
    return first.id, second.id


def _open(window: MainWindow, clinic: Services, patient: uuid.UUID) -> DecisionScreen:
    """The patient's record first, then Shared decision from the patient menu."""
    user = window.session.user
    assert user is not None
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    action = window.action("decision")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("decision")
    assert isinstance(screen, DecisionScreen)
    assert window.showing(screen)
    return screen


def _choose_aid(qtbot: QtBot, window: MainWindow, screen: DecisionScreen) -> None:
    chooser = screen.view.chooser
    assert chooser.isVisibleTo(screen.view)
    titles = [chooser.aids.item(i).text() for i in range(chooser.aids.count())]
    assert titles == ["Sample aid for the tests: choosing what to do next"]
    chooser.aids.setFocus()
    qtbot.keyClick(chooser.aids, Qt.Key.Key_Return)
    wait_idle(window)
    assert screen.view_model.aid is not None
    assert screen.view.page is not None


def _look_at_the_options(window: MainWindow, page: ConversationPage) -> None:
    """The options side by side, the numbers as pictures with the words beside them."""
    assert page.question.text() == "What would you like to do now?"
    assert page.grid.cells[("involves", "injection")].text() == "One injection in clinic."
    injection = next(part for part in page.outcomes if part.option.id == "injection")
    assert [a.sentence for a in injection.arrays] == [
        "50 in 100 people feel better",
        "10 in 100 people feel worse",
        "5 in 100 people have a painful flare for a day or two",
    ]
    assert injection.arrays[0].accessibleName() == "50 in 100 people feel better, after 6 weeks"
    assert injection.arrays[0].grid.array.filled == 50
    # Large type for the patient, and no sideways scrolling of the page.
    assert page.question.font().pointSizeF() >= 14
    assert page.grid.cells[("involves", "injection")].font().pointSizeF() >= 14
    scroll = page.parentWidget().parentWidget()
    assert isinstance(scroll, QScrollArea)
    assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert page.width() <= scroll.viewport().width()
    _shot(window, "decision_grid.png")
    scroll.ensureWidgetVisible(injection)
    QApplication.processEvents()
    _shot(window, "decision_icon_arrays.png")


def _talk_it_through(qtbot: QtBot, window: MainWindow, page: ConversationPage) -> None:
    """Ratings, leaning, choice and reasons, who was there, teach-back and CollaboRATE."""
    # What matters, from the keyboard: arrow keys move the focused slider.
    needles = page.matters.sliders["avoid_needles"]
    needles.setFocus(Qt.FocusReason.TabFocusReason)
    for _ in range(8):
        qtbot.keyClick(needles, Qt.Key.Key_Right)
    assert page.matters.values["avoid_needles"].text() == "8 out of 10"
    relief = page.matters.sliders["quick_relief"]
    relief.setFocus(Qt.FocusReason.TabFocusReason)
    for _ in range(3):
        qtbot.keyClick(relief, Qt.Key.Key_Right)
    page.leaning.setCurrentIndex(page.leaning.findData("injection"))
    qtbot.mouseClick(page.choice_buttons["self_management"], Qt.MouseButton.LeftButton)
    type_into(qtbot, page.choice_words, "I would rather avoid needles for now.")
    type_into(qtbot, page.questions, "Can I keep swimming?")
    tick, name = page.people["interpreter"]
    qtbot.mouseClick(tick, Qt.MouseButton.LeftButton)
    type_into(qtbot, name, "Ana Lopes")
    type_into(qtbot, page.language, "Portuguese")
    page.teach_back.setFocus(Qt.FocusReason.ShortcutFocusReason)
    qtbot.keyClick(page.teach_back, Qt.Key.Key_Space)
    assert page.teach_back.isChecked()
    page.decision_maker.setCurrentIndex(page.decision_maker.findData("patient"))
    scroll = page.parentWidget().parentWidget()
    assert isinstance(scroll, QScrollArea)
    scroll.ensureWidgetVisible(page.teach_back)
    QApplication.processEvents()
    _shot(window, "decision_choice.png")


def _hand_to_the_patient(qtbot: QtBot, window: MainWindow, screen: DecisionScreen) -> None:
    """CollaboRATE at the end: the patient answers with the device, the clinician takes it back."""
    view, vm = screen.view, screen.view_model
    page = view.page
    assert page is not None
    qtbot.mouseClick(page.hand_over_button, Qt.MouseButton.LeftButton)
    assert window.facts().handed_over
    assert not window.menuBar().isVisible()
    panel = view.patient_panel
    assert view.stack.currentWidget() is panel
    assert not view.save_button.isVisibleTo(view)
    _shot(window, "decision_collaborate.png")
    # Every effort was made, say the patient's answers: End takes each slider to 9.
    for slider in panel.answers.sliders:
        slider.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.keyClick(slider, Qt.Key.Key_End)
    assert [v.text() for v in panel.answers.values] == ["9 out of 9"] * 3
    # Only the clinician's password hands the device back.
    type_into(qtbot, panel.password, "not my password")
    with qtbot.waitSignal(vm.hand_back_failed, timeout=WAIT_MS):
        qtbot.keyClick(panel.password, Qt.Key.Key_Return)
    assert "Only the clinician" in panel.problem.text()
    assert window.facts().handed_over
    type_into(qtbot, panel.password, PASSWORD)
    with qtbot.waitSignal(vm.patient_mode_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.take_back_button, Qt.MouseButton.LeftButton)
    assert not window.facts().handed_over
    assert view.stack.currentWidget() is view.scroll_area
    assert [v.text() for v in page.collaborate.values] == ["9 out of 9"] * 3


def _sign(qtbot: QtBot, screen: DecisionScreen) -> None:
    """A wrong password is refused; the right one signs, and the form is read only."""
    view, vm = screen.view, screen.view_model
    type_into(qtbot, view.password, "not my password")
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    assert "password is not right" in view.sign_problem.text()
    assert not vm.is_signed
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    assert vm.is_signed
    page = view.page
    assert page is not None
    assert not page.matters.sliders["avoid_needles"].isEnabled()
    assert page.choice_words.isReadOnly()
    assert not view.sign_button.isVisibleTo(view)
    assert view.change_button.isVisibleTo(view)


def _print(qtbot: QtBot, screen: DecisionScreen, folder: Path, family: str) -> str:
    """The take-home summary, saved where chosen under the patient's name; its words."""
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(folder / Path(suggested).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    [pdf] = opened
    assert pdf.name.startswith(family.upper())
    words = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(words.split())


def _change_of_mind(
    qtbot: QtBot, window: MainWindow, screen: DecisionScreen, signed: uuid.UUID
) -> None:
    """A new draft that names the signed one; what mattered carries over, the choice not."""
    view, vm = screen.view, screen.view_model
    qtbot.mouseClick(view.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.record is not None and not vm.is_signed, timeout=WAIT_MS)
    wait_idle(window)
    assert vm.record is not None
    assert vm.record.supersedes_id == signed
    page = view.page
    assert page is not None
    assert page.matters.values["avoid_needles"].text() == "8 out of 10"
    assert page.questions.toPlainText() == "Can I keep swimming?"
    assert not any(button.isChecked() for button in page.choice_buttons.values())
    assert not page.choice_words.isReadOnly()


def test_a_decision_is_talked_through_chosen_signed_and_printed(
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
    _shot(window, "decision_choose_aid.png")
    view, vm = screen.view, screen.view_model
    _choose_aid(qtbot, window, screen)
    page = view.page
    assert page is not None
    _look_at_the_options(window, page)
    _talk_it_through(qtbot, window, page)
    _hand_to_the_patient(qtbot, window, screen)

    # Saved as a draft, of this patient, with what was said.
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.record is not None, timeout=WAIT_MS)
    wait_idle(window)
    assert vm.record is not None
    stored = clinic.decisions.get(user, vm.record.id, patient)
    assert (stored.patient_id, stored.aid_id) == (patient, "sample_aid")
    assert (stored.choice, stored.leaning) == ("self_management", "injection")
    assert dict(stored.ratings) == {"avoid_needles": 8, "quick_relief": 3}
    assert stored.choice_words == "I would rather avoid needles for now."
    assert [(p.role, p.name) for p in stored.participants] == [("interpreter", "Ana Lopes")]
    assert stored.interpreter_language == "Portuguese"
    assert stored.teach_back
    assert stored.collaborate == (9, 9, 9)
    assert not stored.is_signed

    _sign(qtbot, screen)
    signed = clinic.decisions.get(user, stored.id, patient)
    assert signed.is_signed
    assert signed.collaborate_top_box
    _shot(window, "decision_signed.png")

    family = clinic.patients.open(user, patient).family_name
    words = _print(qtbot, screen, tmp_path, family)
    assert "What you chose Looking after it yourself" in words
    assert "I would rather avoid needles for now." in words
    assert "50 in 100 people feel better" in words

    _change_of_mind(qtbot, window, screen, signed.id)
    assert clinic.decisions.get(user, signed.id, patient).is_signed


def test_not_decided_yet_and_another_patient_leaves_nothing_behind(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, other = _two(clinic, window)
    screen = _open(window, clinic, patient)
    view, vm = screen.view, screen.view_model
    _choose_aid(qtbot, window, screen)
    page = view.page
    assert page is not None
    qtbot.mouseClick(page.choice_buttons[UNDECIDED], Qt.MouseButton.LeftButton)
    type_into(qtbot, page.questions, "What does the scan show?")
    screen.save_now()
    wait_idle(window)
    qtbot.waitUntil(lambda: vm.record is not None, timeout=WAIT_MS)
    assert vm.record is not None
    draft = vm.record.id
    assert clinic.decisions.get(user, draft, patient).choice == UNDECIDED

    # Another patient in the banner: the screen forgets the first one's conversation.
    window.context.set_patient(clinic.patients.open(user, other))
    wait_idle(window)
    assert vm.patient_id is None
    assert vm.record is None
    assert view.page is None
    # The first patient's record never opens for the second.
    window.open_screen("decision", draft)
    wait_idle(window)
    assert vm.record is None
    assert view.notice.text().startswith("That shared decision could not be found.")
    assert clinic.decisions.for_patient(user, other) == []

    # Back to the first patient: the draft continues where it was left.
    screen = _open(window, clinic, patient)
    wait_idle(window)
    assert vm.record is not None
    assert vm.record.id == draft
    assert view.page is not None
    assert view.page.choice_buttons[UNDECIDED].isChecked()
    assert view.page.questions.toPlainText() == "What does the scan show?"

    # Opened again from the patient's timeline, it is the same draft.
    (entry,) = clinic.timeline.for_patient(user, patient).of_kind("sdm")
    screen.view_model.choose_again()
    window.open_screen("decision", entry)
    wait_idle(window)
    assert vm.record is not None
    assert vm.record.id == draft

    # Back to the list and the same aid chosen again: the draft continues, never a blank one.
    qtbot.mouseClick(view.again_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert view.page is None
    _choose_aid(qtbot, window, screen)
    assert vm.record is not None
    assert vm.record.id == draft
    assert view.page is not None
    assert view.page.questions.toPlainText() == "What does the scan show?"


def _body_heights(pdf: Path, word: str) -> list[float]:
    """The heights (points) of each ``word`` printed in the PDF."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">' + re.escape(word) + "<", html
    )
    return [float(bottom) - float(top) for top, bottom in found]


def test_an_aid_past_review_opens_with_a_warning_and_large_print_is_chosen_for_the_patient(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    assert user is not None
    old = json.loads((AIDS / "sample_aid.json").read_text(encoding="utf-8"))
    old |= {"id": "old_aid", "written": "2020-01-10", "review_by": "2022-01-10"}
    folder = tmp_path / "aids"
    folder.mkdir()
    (folder / "old_aid.json").write_text(json.dumps(old), encoding="utf-8")
    catalogue = decision_aids(folder)
    monkeypatch.setattr(clinic.decisions, "aids", lambda: catalogue)
    # A patient whose record asks for information in large print.
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
    window.open_screen("patient", clinic.patients.open(user, reader.id))
    wait_idle(window)
    # Started straight from an aid's id (as another screen would), past its review date.
    window.open_screen("decision", "old_aid")
    wait_idle(window)
    screen = window.screen_by_id("decision")
    assert isinstance(screen, DecisionScreen)
    view, vm = screen.view, screen.view_model
    assert vm.aid is not None
    assert vm.aid.id == "old_aid"
    assert view.review_banner.isVisibleTo(view)
    assert "due for review on 10-Jan-2022" in view.review_banner.text()
    _shot(window, "decision_past_review.png")
    page = view.page
    assert page is not None
    qtbot.mouseClick(page.choice_buttons["injection"], Qt.MouseButton.LeftButton)

    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(tmp_path / Path(suggested).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    wait_idle(window)
    [pdf] = opened
    assert pdf.name.startswith("LARGEPRINT_")
    # Printed large: its body text is 17 pt (the regular summary's is 12 pt).
    heights = _body_heights(pdf, "injection")
    assert heights
    assert min(heights) > 16
    # Printing kept the conversation as this patient's draft first.
    assert vm.record is not None
    assert clinic.decisions.get(user, vm.record.id, reader.id).choice == "injection"


def test_every_control_has_a_name_and_tab_runs_down_the_page(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    window.resize(1366, 768)
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient)
    _choose_aid(qtbot, window, screen)
    view = screen.view
    page = view.page
    assert page is not None
    # Screen readers: every control that takes the focus has a name (its own words or set).
    unnamed = [
        type(widget).__name__
        for widget in view.findChildren(QWidget)
        if widget.isVisibleTo(view)
        and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        and not isinstance(widget, QScrollArea | QScrollBar)
        and not widget.accessibleName()
        and not (isinstance(widget, QAbstractButton) and widget.text().replace("&", ""))
    ]
    assert unnamed == []
    # Keyboard only: Tab from the last question of the page reaches the buttons under it.
    last = page.collaborate.sliders[-1]
    last.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(last, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.hand_over_button
    qtbot.keyClick(page.hand_over_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.save_button
    # Its mnemonic takes the focus to the reasons box (Alt+W: "Why, in your own words").
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is page.choice_words


def test_signing_without_a_choice_says_what_is_missing(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient)
    _choose_aid(qtbot, window, screen)
    view, vm = screen.view, screen.view_model
    page = view.page
    assert page is not None
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)
    assert not vm.is_signed
    assert page.choice_problem.isVisibleTo(view)
    assert page.choice_problem.text().startswith("Record the patient's choice")
    assert "Record who made the decision." in view.summary.text()
    # The draft was kept, unsigned, for this patient.
    assert vm.record is not None
    assert not clinic.decisions.get(user, vm.record.id, patient).is_signed


def test_a_summary_ready_while_the_patient_holds_the_device_is_never_offered(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient)
    _choose_aid(qtbot, window, screen)
    view, vm = screen.view, screen.view_model
    page = view.page
    assert page is not None
    type_into(qtbot, page.questions, "Can I keep swimming?")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.record is not None, timeout=WAIT_MS)
    wait_idle(window)
    offered: list[str] = []
    screen.pdf_delivery.choose_path = lambda _title, suggested: offered.append(suggested) or ""
    gate = Gate(monkeypatch, clinic.decisions, "printable")
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    # The clinician hands the device over for CollaboRATE while the summary is being made.
    qtbot.mouseClick(page.hand_over_button, Qt.MouseButton.LeftButton)
    assert window.facts().handed_over
    gate.release()
    wait_idle(window)

    # No save dialog (naming the patient, on a folder of other patients' documents) opened for
    # the patient, and nothing was said to them.
    assert offered == []
    assert not window.notice.isVisible()
    # Handed back: the clinician is told the summary was not printed.
    panel = view.patient_panel
    type_into(qtbot, panel.password, PASSWORD)
    with qtbot.waitSignal(vm.patient_mode_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.take_back_button, Qt.MouseButton.LeftButton)
    assert window.notice.text().startswith("A document asked for was not saved or printed")
    assert offered == []


def test_a_window_left_with_the_patient_is_shut_down_and_the_next_window_answers(
    qtbot: QtBot, clinic: Services, make_window: WindowFactory
) -> None:
    """The tests' own harness: a test may end while the patient holds the device.

    The patient's guard refuses the window's close and drops clicks and keys everywhere
    else in the application: the harness takes the window out of patient mode, shuts it down
    and deletes it at once, so the next window (the next test's) signs in as usual.
    """
    first = make_window()
    sign_in(qtbot, first, CLINICIAN)
    screen = _open(first, clinic, _two(clinic, first)[0])
    _choose_aid(qtbot, first, screen)
    page = screen.view.page
    assert page is not None
    qtbot.mouseClick(page.hand_over_button, Qt.MouseButton.LeftButton)
    assert first.facts().handed_over
    first.close()
    assert first.isVisible(), "the patient's guard lets the window be closed"
    wait_idle(first)

    make_window.close_all()

    assert not shiboken6.isValid(first)
    # The next test's window, with its own task runner (the first one's stopped with it).
    following = WindowFactory(qtbot, clinic, TaskRunner(), [])
    try:
        second = following()
        sign_in(qtbot, second, CLINICIAN)
        assert second.state is WindowState.WORKING
    finally:
        following.close_all()
