"""Answers not yet recorded are the clinician's draft for that patient, never anyone else's."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.rules import Answer
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import (
    CLINICIAN,
    SUPERVISOR,
    WAIT_MS,
    search_for,
    switch_user_to,
    wait_idle,
)
from tests.ui.red_flags.test_actions_window import _open
from ui.app import MainWindow
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.red_flags.screening.draft import DRAFT_KIND
from ui.domains.red_flags.screening.screens import RedFlagsScreen
from ui.domains.red_flags.screening.view import RedFlagsView
from ui.domains.red_flags.screening.view_model import RedFlagsViewModel

CES = "cauda_equina"


def _screening(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> RedFlagsScreen:
    """The patient's record opened, then their red-flag screening, as its menu item does."""
    _open(qtbot, window, patient)
    window.open_screen("red_flags")
    flags = window.screen_by_id("red_flags")
    assert isinstance(flags, RedFlagsScreen)
    qtbot.waitUntil(lambda: bool(flags.view.question_rows), timeout=WAIT_MS)
    wait_idle(window)
    if CES not in flags.view_model.chosen:
        flags.view_model.add_screen(CES)
        wait_idle(window)
    return flags


def _answer_yes(qtbot: QtBot, flags: RedFlagsScreen, codes: list[str]) -> None:
    """Click Yes on each question, as the clinician does."""
    for code in codes:
        button = flags.view.question_rows[code].buttons[Answer.YES]
        flags.view.scroll_area.ensureWidgetVisible(button)
        qtbot.wait(10)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _yes(flags: RedFlagsScreen) -> set[str]:
    return {code for code, answer in flags.view.answers().items() if answer == Answer.YES.value}


def _other(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> PatientSummary:
    return next(p for p in search_for(qtbot, window, "999") if p.id != patient.id)


def test_an_emergency_answered_and_not_recorded_comes_back_after_another_patient(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    assert user is not None
    flags = _screening(qtbot, window, seeded_patient)
    three = list(red_flag_screen(CES).question_codes[:3])
    _answer_yes(qtbot, flags, three)
    wait_idle(window)
    assert flags.view.live_emergency.isVisibleTo(flags.view)

    _open(qtbot, window, _other(qtbot, window, seeded_patient))
    flags = _screening(qtbot, window, seeded_patient)
    qtbot.waitUntil(lambda: _yes(flags) >= set(three), timeout=WAIT_MS)
    assert flags.view.live_emergency.isVisibleTo(flags.view)
    assert "not recorded yet" in flags.view.message.text()
    assert flags.view.record_button.isEnabled()

    # Recorded: the draft is done with, and nothing comes back as unrecorded.
    qtbot.mouseClick(flags.view.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: flags.view_model.pending == (), timeout=WAIT_MS)
    wait_idle(window)
    assert clinic.drafts.load(user, DRAFT_KIND, str(seeded_patient.id)) is None


def test_a_draft_is_only_ever_shown_to_its_user_under_its_patients_banner(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    window.resize(1366, 768)
    ada, bea = seeded_patient, _other(qtbot, window, seeded_patient)
    codes = list(red_flag_screen(CES).question_codes)
    for_ada, for_bea = codes[:2], codes[2:4]

    # The clinician answers some questions for Ada, then others for Bea; none is recorded.
    flags = _screening(qtbot, window, ada)
    _answer_yes(qtbot, flags, for_ada)
    flags = _screening(qtbot, window, bea)
    assert flags.banner.name_label.text().upper().startswith(bea.family_name.upper())
    assert _yes(flags) == set()
    _answer_yes(qtbot, flags, for_bea)

    # Another user signs in on the laptop: neither patient shows the clinician's answers.
    switch_user_to(qtbot, window, SUPERVISOR)
    for patient in (ada, bea):
        flags = _screening(qtbot, window, patient)
        assert _yes(flags) == set()
        assert not flags.view.live_emergency.isVisibleTo(flags.view)
    switch_user_to(qtbot, window, CLINICIAN)

    # Back as the clinician: each patient's own answers, under their own banner.
    flags = _screening(qtbot, window, ada)
    qtbot.waitUntil(lambda: _yes(flags) == set(for_ada), timeout=WAIT_MS)
    assert flags.banner.name_label.text().upper().startswith(ada.family_name.upper())
    flags = _screening(qtbot, window, bea)
    qtbot.waitUntil(lambda: _yes(flags) == set(for_bea), timeout=WAIT_MS)
    assert flags.banner.name_label.text().upper().startswith(bea.family_name.upper())


def test_a_draft_answered_late_never_lands_on_another_patient_or_user(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    ada = seeded_patient
    bea = next(p for p in clinic.patients.search(clinician, "999", limit=60) if p.id != ada.id)
    yes = {"saddle_numbness": Answer.YES.value, "bladder_change": Answer.YES.value}
    draft = {"screens": [CES], "answers": yes, "cleared": []}
    clinic.drafts.save(clinician, DRAFT_KIND, str(ada.id), draft)

    # Ada's screening is asked for, then Bea's before Ada's draft is read: Bea's page is Bea's.
    vm, view = _view(qtbot, clinic, runner, clinician)
    vm.start(ada.id)
    vm.start(bea.id)
    qtbot.waitUntil(lambda: bool(view.question_rows) and runner.is_idle(), timeout=WAIT_MS)
    assert vm.patient_id == bea.id
    assert Answer.YES.value not in view.answers().values()

    # Another user opening Ada's screening never reads the clinician's draft.
    supervisor = clinic.auth.login(SUPERVISOR, demo_password(SUPERVISOR))
    vm, view = _view(qtbot, clinic, runner, supervisor)
    vm.start(ada.id)
    qtbot.waitUntil(lambda: bool(view.question_rows) and runner.is_idle(), timeout=WAIT_MS)
    assert Answer.YES.value not in view.answers().values()

    # The clinician does get it back.
    vm, view = _view(qtbot, clinic, runner, clinician)
    vm.start(ada.id)
    qtbot.waitUntil(lambda: _yes_codes(view) == set(yes), timeout=WAIT_MS)


def _view(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, user: CurrentUser
) -> tuple[RedFlagsViewModel, RedFlagsView]:
    session = UserSession()
    session.sign_in(user)
    vm = RedFlagsViewModel(clinic.red_flags, clinic.drafts, runner=runner, session=session)
    view = RedFlagsView(vm)
    vm.setParent(view)  # goes with the view: no draft saved once the test is over
    qtbot.addWidget(view)
    view.show()
    return vm, view


def _yes_codes(view: RedFlagsView) -> set[str]:
    return {code for code, answer in view.answers().items() if answer == Answer.YES.value}
