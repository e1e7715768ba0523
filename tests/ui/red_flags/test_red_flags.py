"""Red-flag screening: one screening per visit, each shared question asked once."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.rules import Answer, Level
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, type_into
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.red_flags.screening.view import RedFlagsView
from ui.domains.red_flags.screening.view_model import RedFlagsViewModel

CES = "cauda_equina"
BACK = ("lumbar_spine",)
HANDOVER = {
    "hospital": "Leeds General Infirmary",
    "department": "Emergency department",
    "handed_over_at": "2026-12-04T10:40",
    "handed_over_to": "Dr Priya Shah",
    "handed_over_to_role": "ED registrar",
    "travel": "ambulance",
}


def _screen(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, user: CurrentUser
) -> tuple[RedFlagsViewModel, RedFlagsView]:
    session = UserSession()
    session.sign_in(user)
    vm = RedFlagsViewModel(clinic.red_flags, clinic.drafts, runner=runner, session=session)
    view = RedFlagsView(vm)
    vm.setParent(view)  # goes with the view: no draft saved once the test is over
    qtbot.addWidget(view)
    view.resize(1300, 900)
    view.show()
    return vm, view


def _start(
    qtbot: QtBot,
    vm: RedFlagsViewModel,
    view: RedFlagsView,
    runner: TaskRunner,
    patient_id: uuid.UUID,
    *,
    regions: tuple[str, ...] = BACK,
) -> None:
    vm.start(patient_id, regions)
    qtbot.waitUntil(lambda: bool(view.question_rows) and runner.is_idle(), timeout=WAIT_MS)


def _click(qtbot: QtBot, view: RedFlagsView, button: QWidget) -> None:
    """Scroll the button into view first: a click lands where a person would see it."""
    view.scroll_area.ensureWidgetVisible(button)
    qtbot.wait(10)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _answer(qtbot: QtBot, view: RedFlagsView, code: str, answer: Answer) -> None:
    _click(qtbot, view, view.question_rows[code].buttons[answer])


def _other(clinic: Services, user: CurrentUser, patient: PatientSummary) -> PatientSummary:
    return next(p for p in clinic.patients.search(user, "999", limit=60) if p.id != patient.id)


def test_a_low_back_pain_screening_asks_each_shared_question_once(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    vm, view = _screen(qtbot, clinic, runner, clinician)
    _start(qtbot, vm, view, runner, seeded_patient.id)
    assert {CES, "mscc", "spinal_infection"} <= set(vm.chosen)
    assert set(view.outcome_rows) == set(vm.chosen)
    # Every question of every screen is on the page, each once.
    codes = [c for s in vm.chosen for c in red_flag_screen(s).question_codes]
    assert sorted(view.question_rows) == sorted(set(codes))
    assert len(codes) > len(set(codes))  # shared questions were folded together
    assert len(view.findChildren(QRadioButton, "bladder_change_yes")) == 1
    asked_for = view.question_rows["bladder_change"].asked_for.text()
    for name in ("cauda equina", "MSCC", "spinal infection"):
        assert name in asked_for
    # Shared questions come first, before any screen's own.
    order = list(view.question_rows)
    assert order.index("bladder_change") < order.index("saddle_numbness")
    assert set(view.answers().values()) == {Answer.NOT_ASKED.value}
    assert "Cauda equina" in view.screens_list.text() or "cauda equina" in view.screens_list.text()


def test_saddle_numbness_and_a_bladder_change_raise_the_cauda_equina_emergency(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    vm, view = _screen(qtbot, clinic, runner, clinician)
    _start(qtbot, vm, view, runner, seeded_patient.id)
    assert not view.live_emergency.isVisibleTo(view)
    _answer(qtbot, view, "saddle_numbness", Answer.YES)
    _answer(qtbot, view, "bladder_change", Answer.YES)
    # Live, before anything is recorded.
    assert view.live_emergency.isVisibleTo(view)
    assert "cauda equina" in view.live_emergency.text().lower()
    assert view.outcome_rows[CES].level.text() == "Emergency: act now"
    live = {o.screen.screen_id: o for o in vm.outcomes}
    assert live[CES].live.level is Level.EMERGENCY
    assert clinic.red_flags.unresolved(clinician, seeded_patient.id) == []

    with qtbot.waitSignal(vm.recorded, timeout=WAIT_MS) as recorded:
        _click(qtbot, view, view.record_button)
    qtbot.waitUntil(lambda: len(view.banner_texts()) == 1 and runner.is_idle(), timeout=WAIT_MS)
    result = recorded.args[0]
    assert {s.screen_id for s in result.screenings} == set(vm.chosen)
    # The one bladder answer reached every screen that asks it.
    for screening in result.screenings:
        if "bladder_change" in screening.answers:
            assert screening.answers["bladder_change"] == "yes"
    assert view.banner_texts()[0].startswith("EMERGENCY: Suspected cauda equina syndrome")
    assert not view.live_emergency.isVisibleTo(view)  # now the banner says it
    assert not view.record_button.isEnabled()
    # Screens left incomplete say what is still to ask, in words.
    assert view.message.isVisibleTo(view)
    assert "incomplete for MSCC" in view.message.text()
    missing = view.outcome_rows["mscc"].missing
    assert missing.isVisibleTo(view)
    assert "Still to ask" in missing.text()
    assert "cancer" in missing.text()  # the words of a question not yet asked
    assert "bladder" not in view.outcome_rows["mscc"].missing.text().lower()

    banner = view.banners[0]
    buttons = [b.text() for b in banner.findChildren(QPushButton)]
    assert not any("close" in b.lower() or "dismiss" in b.lower() for b in buttons)
    ces = next(s for s in result.screenings if s.screen_id == CES)
    with qtbot.waitSignal(view.action_requested, timeout=WAIT_MS) as asked:
        qtbot.mouseClick(banner.record_action_button, Qt.MouseButton.LeftButton)
    assert asked.args == [ces.id]
    row = view.outcome_rows[CES]
    assert row.action_button.isVisibleTo(view)
    with qtbot.waitSignal(view.action_requested, timeout=WAIT_MS) as again:
        _click(qtbot, view, row.action_button)
    assert again.args == [ces.id]

    # A reason too short for an override is refused in words; the banner stays.
    qtbot.mouseClick(banner.override_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, banner.reason, "Seen before")
    with qtbot.waitSignal(vm.resolve_failed, timeout=WAIT_MS):
        qtbot.mouseClick(banner.confirm_override, Qt.MouseButton.LeftButton)
    assert "at least 20 characters" in banner.error.text()
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)

    # The handover recorded (as the actions screen does) clears the banner.
    clinic.red_flags.record_action(clinician, seeded_patient.id, ces.id, "ed_handover", HANDOVER)
    vm.refresh_owed()
    qtbot.waitUntil(lambda: not view.banners and runner.is_idle(), timeout=WAIT_MS)


def test_a_screen_added_keeps_the_answers_given(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    vm, view = _screen(qtbot, clinic, runner, clinician)
    _start(qtbot, vm, view, runner, seeded_patient.id)
    assert "septic_arthritis" not in vm.chosen
    _answer(qtbot, view, "bladder_change", Answer.NO)
    _answer(qtbot, view, "diabetes", Answer.YES)
    chooser = view.screen_chooser
    chooser.setCurrentIndex(chooser.findData("septic_arthritis"))
    _click(qtbot, view, view.add_screen_button)
    qtbot.waitUntil(lambda: "septic_arthritis" in view.outcome_rows, timeout=WAIT_MS)
    assert "septic_arthritis" in vm.chosen
    assert chooser.findData("septic_arthritis") == -1
    assert "(added)" in view.screens_list.text()
    for code in red_flag_screen("septic_arthritis").question_codes:
        assert code in view.question_rows
    assert view.question_rows["bladder_change"].answer() is Answer.NO
    assert view.question_rows["diabetes"].answer() is Answer.YES
    # Diabetes is now shared by spinal infection and septic arthritis: asked once, for both.
    assert len(view.findChildren(QRadioButton, "diabetes_yes")) == 1


def test_answers_from_earlier_in_the_visit_are_offered_not_asked_again(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    clinic.red_flags.record_screening(
        clinician, seeded_patient.id, (CES,), {"bladder_change": "no", "saddle_numbness": "no"}
    )
    vm, view = _screen(qtbot, clinic, runner, clinician)
    _start(qtbot, vm, view, runner, seeded_patient.id)
    row = view.question_rows["bladder_change"]
    assert row.answer() is Answer.NO
    assert row.earlier.isVisibleTo(view)
    assert "earlier in this visit" in row.earlier.text()
    assert view.question_rows["fever_or_unwell"].answer() is Answer.NOT_ASKED
    # Recorded already: cauda equina is not recorded again until its answers change.
    assert CES not in vm.pending
    assert "Recorded at" in view.outcome_rows[CES].recorded.text()
    _answer(qtbot, view, "saddle_numbness", Answer.YES)
    assert CES in vm.pending


def test_switching_patient_leaves_nothing_of_the_other(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    ada, bea = seeded_patient, _other(clinic, clinician, seeded_patient)
    vm, view = _screen(qtbot, clinic, runner, clinician)
    _start(qtbot, vm, view, runner, ada.id)
    _answer(qtbot, view, "bladder_change", Answer.NO)
    _answer(qtbot, view, "saddle_numbness", Answer.NO)
    with qtbot.waitSignal(vm.recorded, timeout=WAIT_MS):
        _click(qtbot, view, view.record_button)
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)
    _answer(qtbot, view, "fever_or_unwell", Answer.YES)  # typed for Ada, not recorded

    _start(qtbot, vm, view, runner, bea.id)
    assert vm.patient_id == bea.id
    assert set(view.answers().values()) == {Answer.NOT_ASKED.value}
    assert not any(row.earlier.isVisibleTo(view) for row in view.question_rows.values())
    assert not any(row.recorded.isVisibleTo(view) for row in view.outcome_rows.values())
    _answer(qtbot, view, "bladder_change", Answer.YES)
    _answer(qtbot, view, "saddle_numbness", Answer.YES)
    with qtbot.waitSignal(vm.recorded, timeout=WAIT_MS):
        _click(qtbot, view, view.record_button)
    qtbot.waitUntil(lambda: len(view.banners) == 1 and runner.is_idle(), timeout=WAIT_MS)

    # Back to Ada: her recorded screening and her answer not yet recorded (kept as the
    # clinician's draft for her), not Bea's answers nor Bea's emergency.
    _start(qtbot, vm, view, runner, ada.id)
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)
    assert view.question_rows["bladder_change"].answer() is Answer.NO
    assert view.question_rows["saddle_numbness"].answer() is Answer.NO
    assert view.question_rows["fever_or_unwell"].answer() is Answer.YES
    assert "Recorded at" in view.outcome_rows[CES].recorded.text()
    assert view.banners == []
    assert "cauda equina" not in view.live_emergency.text().lower()

    # Switching user forgets everything.
    vm.clear()
    assert view.question_rows == {}
    assert vm.answers == {}
    assert vm.patient_id is None


def test_a_visit_loaded_late_for_another_patient_is_never_shown(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    ada, bea = seeded_patient, _other(clinic, clinician, seeded_patient)
    clinic.red_flags.record_screening(clinician, ada.id, (CES,), {"bladder_change": "yes"})
    vm, view = _screen(qtbot, clinic, runner, clinician)
    vm.start(ada.id, BACK)
    vm.watch(bea.id)  # the patient changed before Ada's visit arrived
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)
    qtbot.wait(50)
    assert view.question_rows == {}
    assert vm.earlier == {}


def test_safety_net_card_prints_through_a_signal(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    vm, view = _screen(qtbot, clinic, runner, clinician)
    _start(qtbot, vm, view, runner, seeded_patient.id)
    panel = next(p for p in view.safety_panels if "cauda equina" in p.safety_card.intro)
    with qtbot.waitSignal(view.print_card_requested, timeout=WAIT_MS) as printed:
        _click(qtbot, view, panel.print_button)
    assert printed.args == [panel.safety_card]
