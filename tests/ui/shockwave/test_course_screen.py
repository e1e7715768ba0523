"""The shockwave course screen as a clinician uses it: a course from start to close, a reason
not to give it, two patients in turn and a small laptop screen, through the real window and
the real store."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.decisions.views import DecisionInput
from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.shockwave.content import SETTING as ESWT_SETTING
from clinic_app.kernel.session import Actor
from clinic_app.kernel.settings import ServiceSetting, setting_id
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from tests.ui.shockwave.helpers import (
    PASSWORD,
    REASON,
    acknowledge_every_warning,
    add_device,
    add_session,
    fill_course,
    fill_session,
    open_shockwave,
    patients,
    pick,
    settle,
    sign_session,
    user_of,
)
from ui.app import SCREEN_SIZE, MainWindow
from ui.common import formatting
from ui.domains.shockwave.course.screens import ShockwaveScreen
from ui.domains.shockwave.course.view import CourseForm

MSK_HQ = "Musculoskeletal Health Questionnaire (MSK-HQ)"


def _block_store(window: MainWindow, seconds: float) -> None:
    """The store worker busy with something else for a moment (a sync round, a long read)."""
    started = threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(seconds)

    window.runner.run_store(slow, on_done=lambda _r: None)
    started.wait(2)


def _msk_hq(
    clinic: Services, window: MainWindow, patient: uuid.UUID, each: int
) -> tuple[uuid.UUID, str]:
    """A complete MSK-HQ of ``patient``, every item answered ``each``, recorded through the
    questionnaire service; its id and the words it is offered by ("5 Dec 2026, total 28")."""
    answers: dict[str, int | None] = {
        item.code: each for item in questionnaire("msk_hq").scored_items
    }
    questionnaires = clinic.questionnaires
    user = user_of(window)
    timepoint = questionnaires.next_timepoint(user, patient, "msk_hq")
    view = questionnaires.record(user, patient, "msk_hq", answers, timepoint, "clinician")
    assert view.total is not None
    day = formatting.clinical_date(view.recorded_at.astimezone().date())
    return view.id, f"{day}, total {view.total}"


def _give_three_sessions(qtbot: QtBot, window: MainWindow, screen: ShockwaveScreen) -> None:
    """Sessions 1, 2 and 3 of 3, a week apart, each checked, acknowledged and signed."""
    form = screen.view
    days = [date.today() - timedelta(days=14), date.today() - timedelta(days=7), date.today()]
    for number, day in enumerate(days, start=1):
        add_session(qtbot, window, screen)
        assert form.session_card.isVisible()
        assert form.session_title.text() == f"Session {number} of 3"
        assert form.pressure_field.isVisible()
        assert not form.energy_field.isVisible()
        fill_session(qtbot, form, day)
        settle(window, screen)
        acknowledge_every_warning(qtbot, window, screen)
        assert "Nothing stands in the way of signing." in form.check_lines, form.check_lines
        if number == 1:
            form.scroll_area.ensureWidgetVisible(form.checks_panel)
            QApplication.processEvents()
            pictures.keep(window, "shockwave_session.png")
        sign_session(qtbot, window, screen)
        if number == 1:
            # Once a session is signed the plan may still change, and nothing else does.
            form.planned.clear()
            type_into(qtbot, form.planned, "4")
            settle(window, screen)
            assert form.add_button.text() == "Add session 2 of 4"
            form.planned.clear()
            type_into(qtbot, form.planned, "3")
            settle(window, screen)
            assert form.notice.property("tone") != "problem", form.notice.text()
            assert screen.view_model.course is not None
            assert screen.view_model.course.fields.planned_sessions == 3
        assert not form.sign_problem.isVisible(), form.sign_problem.text()
        assert not form.session_card.isVisible()
        assert form.session_lines[-1].endswith(": signed")
        assert form.session_lines[-1].startswith(f"Session {number} of 3, ")
        # What was signed reads under its line: the parameters given, as signed.
        assert (
            "applicator 15 mm · 2.5 bar · 10 Hz · 2,000 pulses · at Medial calcaneal tubercle"
            " · pain during 5/10 · no side effects"
        ) in form.sessions_list.text()
    # Opened again from the record: the word about the last signing is not said again.
    assert form.notice.text() == "The session is signed."
    screen.open(window.context.patient)
    settle(window, screen)
    assert form.notice.text() == ""


def _offered(form: CourseForm) -> set[uuid.UUID]:
    """Every response offered before the course and at follow-up, by its id."""
    return {
        uuid.UUID(box.itemData(i))
        for choices in (form.before_choices, form.after_choices)
        for box in choices.boxes.values()
        for i in range(1, box.count())
    }


def _completed(clinic: Services, window: MainWindow, patient: uuid.UUID) -> set[uuid.UUID]:
    """The patient's completed questionnaire responses, as the questionnaire service has them."""
    questionnaires = clinic.questionnaires
    return {
        entry.response.id
        for questionnaire_id, _title in questionnaires.catalogue()
        for entry in questionnaires.history(user_of(window), patient, questionnaire_id)
        if entry.response.complete
    }


def _choose_the_follow_up_msk_hq(
    window: MainWindow,
    clinic: Services,
    screen: ShockwaveScreen,
    patient: uuid.UUID,
    baseline_words: str,
) -> uuid.UUID:
    """At follow-up the patient fills in the MSK-HQ again (on the questionnaire screen, which
    tells the window): it is offered at once and chosen to count after the course."""
    form = screen.view
    follow_up, follow_up_words = _msk_hq(clinic, window, patient, 3)
    window.context.announce("questionnaire.recorded", patient)
    wait_idle(window)
    offered = form.after_choices.offered("msk_hq")
    assert offered[0] == "Not counted"
    assert {follow_up_words, baseline_words} <= set(offered)
    pick(form.after_choices.boxes["msk_hq"], str(follow_up))
    # What was chosen before the course stays chosen.
    assert form.before_choices.choice_words() == [f"{MSK_HQ}: {baseline_words}"]
    form.scroll_area.ensureWidgetVisible(form.close_button)
    QApplication.processEvents()
    pictures.keep(window, "shockwave_follow_up.png")
    return follow_up


def test_a_three_session_course_from_start_to_close_shows_its_pain_before_and_after(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    patient = patients(clinic, window, 1)[0]
    device = add_device(clinic)
    baseline, baseline_words = _msk_hq(clinic, window, patient, 2)
    screen = open_shockwave(window, clinic, patient)
    form = screen.view

    # No shared decision: the warning, and a box for the reason to go on.
    assert form.decision_warning.isVisible()
    assert form.decision_warning.text().startswith(
        "No shared decision about shockwave therapy is recorded in this episode."
    )
    assert form.reason_field.isVisible()
    # Nothing is kept before anything is typed.
    assert clinic.shockwave.for_patient(user_of(window), patient) == []

    fill_course(qtbot, form, device)
    # The MSK-HQ the patient filled in today counts before the course.
    assert baseline_words in form.before_choices.offered("msk_hq")
    pick(form.before_choices.boxes["msk_hq"], str(baseline))
    settle(window, screen)
    # The indication names its NICE guidance; the device its service.
    assert "IPG311" in form.indication.currentText()
    assert form.guidance_words.text().startswith(
        "NICE interventional procedures guidance IPG311 (2009)"
    )
    assert form.device_words.text().startswith("Last serviced ")
    assert form.add_button.text() == "Add session 1 of 3"
    assert form.anaesthetic_note.text().startswith("Local anaesthesia may be used")

    _give_three_sessions(qtbot, window, screen)

    # Every session planned is signed: the course closes with the pain after.
    assert not form.add_button.isVisible()
    assert form.close_card.isVisible()
    # What the sessions were given on no longer changes; the plan still may.
    assert not form.indication.isEnabled()
    assert not form.before_choices.boxes["msk_hq"].isEnabled()
    assert form.planned.isEnabled()
    follow_up = _choose_the_follow_up_msk_hq(window, clinic, screen, patient, baseline_words)
    type_into(qtbot, form.pain_after, "3")
    type_into(qtbot, form.close_password, PASSWORD)
    qtbot.mouseClick(form.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.view_model.busy, timeout=WAIT_MS)
    wait_idle(window)

    assert not form.close_problem.isVisible(), form.close_problem.text()
    assert form.change_words.isVisible()
    assert form.change_words.text().splitlines() == [
        "Before -> after the course:",
        "Pain (0-10): 7 -> 3",
        f"{MSK_HQ}: 28 -> 42 (higher scores are better)",
    ]
    assert form.state.text().startswith("Closed on ")
    assert not form.close_form.isVisible()
    assert form.notice.isVisible()
    # What the course was given on stays on show, read only.
    assert form.contraindications["infection"].answer() == "no"
    assert form.indication.currentData() == "plantar_fasciitis"
    assert not form.planned.isEnabled()
    kept = clinic.shockwave.for_patient(user_of(window), patient)
    assert len(kept) == 1
    assert kept[0].is_closed
    assert [s.is_signed for s in kept[0].sessions] == [True, True, True]
    assert kept[0].fields.sdm_missing_reason == REASON
    assert (kept[0].fields.outcome_before.responses, kept[0].outcome_after.responses) == (
        (baseline,),
        (follow_up,),
    )
    change = clinic.shockwave.outcome_change(user_of(window), kept[0].id, patient_id=patient)
    assert [(c.measure, c.words) for c in change.changes] == [
        ("pain_nrs", "7 -> 3"),
        ("msk_hq", "28 -> 42"),
    ]
    pictures.keep(window, "shockwave_closed.png")
    _open_again_from_the_timeline(window, clinic, screen, patient)


def _open_again_from_the_timeline(
    window: MainWindow, clinic: Services, screen: ShockwaveScreen, patient: uuid.UUID
) -> None:
    """The closed course opened from the patient's timeline: read only, its change shown; the
    menu then starts a new course."""
    form = screen.view
    entries = clinic.timeline.for_patient(user_of(window), patient).entries
    course = next(e for e in entries if e.kind == "eswt_course")
    assert course.screen_id == "shockwave"
    window.open_screen("patient", clinic.patients.open(user_of(window), patient))
    wait_idle(window)
    window.open_screen(course.screen_id, course)
    wait_idle(window)
    wait_idle(window)
    assert window.showing(screen)
    assert screen.view_model.course is not None
    assert screen.view_model.course.id == course.item_id
    assert "Pain (0-10): 7 -> 3" in form.change_words.text()
    assert f"{MSK_HQ}: 28 -> 42" in form.change_words.text()
    assert len(form.session_lines) == 3
    assert not form.indication.isEnabled()
    window.action("shockwave").trigger()
    wait_idle(window)
    assert screen.view_model.course is None
    assert form.indication.currentData() is None
    assert form.indication.isEnabled()


def test_an_absolute_contraindication_stops_signing_in_words_and_loses_nothing(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    patient = patients(clinic, window, 1)[0]
    device = add_device(clinic)
    screen = open_shockwave(window, clinic, patient)
    form = screen.view
    fill_course(qtbot, form, device)
    form.contraindications["infection"].yes.setChecked(True)
    settle(window, screen)
    add_session(qtbot, window, screen)
    fill_session(qtbot, form, date.today())
    settle(window, screen)

    stop = (
        "Stop: A reason not to give shockwave therapy was answered yes. It cannot be given. "
        "(Is there an infection in the area to be treated?)"
    )
    assert stop in form.check_lines
    sign_session(qtbot, window, screen)

    # Refused, said in words beside the question, and not one thing typed is lost.
    assert form.sign_problem.isVisible()
    assert "eswt." not in form.sign_problem.text()
    error = form.fields["contraindications.infection"].error()
    assert error is not None
    assert "cannot be given" in error
    assert form.applicator.text() == "15 mm"
    assert form.pressure.text() == "2.5"
    assert form.target.text() == "Medial calcaneal tubercle"
    assert form.pain_before.text() == "7"
    assert form.contraindications["infection"].answer() == "yes"
    assert form.session_card.isVisible()
    pictures.keep(window, "shockwave_stopped.png")
    kept = clinic.shockwave.for_patient(user_of(window), patient)
    assert len(kept) == 1
    assert [s.is_signed for s in kept[0].sessions] == [False]
    assert kept[0].sessions[0].fields.applicator == "15 mm"
    assert kept[0].sessions[0].fields.pressure_bar == 2.5


def test_two_patients_in_turn_keep_each_to_their_own(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    add_device(clinic)
    screen = open_shockwave(window, clinic, a)
    form = screen.view
    pick(form.indication, "lateral_elbow")
    type_into(qtbot, form.planned, "4")
    # The save is still waiting for the store when the banner changes to B.
    _block_store(window, 0.3)
    screen.view_model.save_now()
    type_into(qtbot, form.pain_before, "6")

    window.open_screen("patient", clinic.patients.open(user_of(window), b))
    wait_idle(window)
    wait_idle(window)

    # Nothing of A shows, and all that was typed for A is kept for A alone.
    assert form.planned.text() == ""
    assert form.pain_before.text() == ""
    assert form.indication.currentData() is None
    kept_a = clinic.shockwave.for_patient(user_of(window), a)
    assert len(kept_a) == 1
    assert kept_a[0].fields.indication == "lateral_elbow"
    assert kept_a[0].fields.planned_sessions == 4
    assert kept_a[0].fields.outcome_before.pain_nrs == 6
    assert clinic.shockwave.for_patient(user_of(window), b) == []

    # B's course opens empty, and nothing is saved for B until something is typed for B.
    screen = open_shockwave(window, clinic, b)
    assert screen.view_model.course is None
    assert form.indication.currentData() is None
    assert form.session_lines == []
    assert clinic.shockwave.for_patient(user_of(window), b) == []
    pick(form.indication, "achilles_tendinopathy")
    type_into(qtbot, form.planned, "3")
    settle(window, screen)
    assert [c.fields.indication for c in clinic.shockwave.for_patient(user_of(window), b)] == [
        "achilles_tendinopathy"
    ]
    assert [c.fields.indication for c in clinic.shockwave.for_patient(user_of(window), a)] == [
        "lateral_elbow"
    ]

    # Back to A: A's course continues, with none of B's.
    screen = open_shockwave(window, clinic, a)
    assert form.indication.currentData() == "lateral_elbow"
    assert form.planned.text() == "4"
    assert form.pain_before.text() == "6"


def test_two_patients_in_turn_never_see_each_others_questionnaires(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    add_device(clinic)
    a_response, a_words = _msk_hq(clinic, window, a, 1)
    b_response, b_words = _msk_hq(clinic, window, b, 4)
    screen = open_shockwave(window, clinic, a)
    form = screen.view
    # A's completed questionnaires, every one of them and nothing else.
    assert a_words in form.before_choices.offered("msk_hq")
    assert _offered(form) == _completed(clinic, window, a)
    assert b_response not in _offered(form)
    pick(form.before_choices.boxes["msk_hq"], str(a_response))
    type_into(qtbot, form.planned, "3")
    settle(window, screen)

    # Another patient in the banner: A's questionnaires and A's choice are gone at once.
    window.open_screen("patient", clinic.patients.open(user_of(window), b))
    wait_idle(window)
    assert form.before_choices.boxes == {}
    assert form.before_choices.chosen() == ()
    assert form.after_choices.boxes == {}

    # B's course offers B's questionnaire alone; A's cannot be chosen.
    screen = open_shockwave(window, clinic, b)
    assert b_words in form.before_choices.offered("msk_hq")
    assert _offered(form) == _completed(clinic, window, b)
    assert a_response not in _offered(form)
    assert form.before_choices.chosen() == ()
    pick(form.before_choices.boxes["msk_hq"], str(b_response))
    type_into(qtbot, form.planned, "2")
    settle(window, screen)
    (kept_b,) = clinic.shockwave.for_patient(user_of(window), b)
    assert kept_b.fields.outcome_before.responses == (b_response,)

    # A's response recorded meanwhile is announced for A: B's screen does not read it.
    later, _words = _msk_hq(clinic, window, a, 2)
    window.context.announce("questionnaire.recorded", a)
    wait_idle(window)
    assert _offered(form) == _completed(clinic, window, b)
    assert later not in _offered(form)

    # Back to A: A's choice, and none of B's.
    screen = open_shockwave(window, clinic, a)
    assert form.before_choices.chosen() == (a_response,)
    assert _offered(form) == _completed(clinic, window, a)
    assert b_response not in _offered(form)
    (kept_a,) = clinic.shockwave.for_patient(user_of(window), a)
    assert kept_a.fields.outcome_before.responses == (a_response,)


def test_the_page_fits_a_small_laptop_screen(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    window.resize(*SCREEN_SIZE)
    device = add_device(clinic, serviced_days_ago=400)
    screen = open_shockwave(window, clinic, patients(clinic, window, 1)[0])
    form = screen.view
    fill_course(qtbot, form, device)
    settle(window, screen)
    # The device's service is overdue: said beside it.
    assert form.device_words.text().startswith("Overdue for its service")
    add_session(qtbot, window, screen)
    qtbot.wait(100)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280
    assert hint.height() <= 768 - 68
    assert window.size().toTuple() == SCREEN_SIZE
    # Scrolls up and down, never sideways.
    assert form.page.width() <= form.scroll_area.viewport().width()
    form.scroll_area.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    pictures.keep(window, "shockwave_top.png")
    form.scroll_area.ensureWidgetVisible(form.session_title)
    QApplication.processEvents()
    pictures.keep(window, "shockwave_session_form.png")
    form.scroll_area.ensureWidgetVisible(form.checks_panel)
    QApplication.processEvents()
    pictures.keep(window, "shockwave_checks.png")


def test_a_focused_device_asks_for_energy_and_a_session_waits_for_a_plan(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    patient = patients(clinic, window, 1)[0]
    focused = add_device(clinic, kind="focused")
    screen = open_shockwave(window, clinic, patient)
    form = screen.view
    pick(form.indication, "calcific_shoulder")
    pick(form.device, str(focused.id))
    settle(window, screen)

    # No sessions planned yet: adding one is refused beside the plan, in words.
    add_session(qtbot, window, screen)
    assert not form.session_card.isVisible()
    error = form.fields["planned_sessions"].error()
    assert error == "Fill this in before signing the session."
    assert "eswt." not in form.notice.text()

    type_into(qtbot, form.planned, "3")
    settle(window, screen)
    add_session(qtbot, window, screen)
    assert form.session_card.isVisible()
    # A focused device is set by its energy flux density, not a pressure.
    assert form.energy_field.isVisible()
    assert not form.pressure_field.isVisible()
    type_into(qtbot, form.energy, "0.12")
    settle(window, screen)
    kept = clinic.shockwave.for_patient(user_of(window), patient)
    assert kept[0].sessions[0].fields.energy_mj_mm2 == 0.12
    assert kept[0].sessions[0].fields.pressure_bar is None
    assert any(line.startswith("Warning: There is no typical energy") for line in form.check_lines)


def test_every_control_has_a_name_and_the_keyboard_reaches_the_form(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    device = add_device(clinic)
    screen = open_shockwave(window, clinic, patients(clinic, window, 1)[0])
    form = screen.view
    # The shortcut opens it as the menu does.
    assert window.action("shockwave").shortcut().toString() == "Ctrl+Shift+K"
    fill_course(qtbot, form, device)
    settle(window, screen)
    add_session(qtbot, window, screen)
    nameless = [
        widget.metaObject().className()
        for widget in form.findChildren(QWidget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        and widget.isVisibleTo(form)
        and not widget.accessibleName()
        and not getattr(widget, "text", lambda: "")()
    ]
    assert nameless == []
    # The reason comes first; Tab moves on to what is treated.
    form.focus_first_field()
    assert QApplication.focusWidget() is form.reason
    qtbot.keyClick(form.reason, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.indication
    first = form.contraindications["pregnancy"]
    first.yes.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(first.yes, Qt.Key.Key_Space)
    assert first.answer() == "yes"


def test_a_sign_asked_for_just_before_the_patient_changes_is_done_for_that_patient_and_said(
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
    fill_session(qtbot, form, date.today())
    settle(window, screen)
    acknowledge_every_warning(qtbot, window, screen)
    # One more word typed, Sign pressed while the store is busy, then the banner changes.
    type_into(qtbot, form.target, ", deepest point")
    _block_store(window, 0.3)
    type_into(qtbot, form.password, PASSWORD)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    window.open_screen("patient", clinic.patients.open(user_of(window), b))
    wait_idle(window)
    wait_idle(window)

    screen = open_shockwave(window, clinic, b)
    assert screen.view_model.course is None
    assert form.session_lines == []
    assert not form.session_card.isVisible()
    assert not form.notice.isVisible()
    assert form.applicator.text() == ""
    assert clinic.shockwave.for_patient(user_of(window), b) == []
    # A's session was signed for A alone, as asked, with the last word typed, and said so.
    kept_a = clinic.shockwave.for_patient(user_of(window), a)
    assert [s.is_signed for s in kept_a[0].sessions] == [True]
    assert kept_a[0].sessions[0].fields.target == "Medial calcaneal tubercle, deepest point"
    assert "was signed" in window.notice.text()


def test_a_sign_left_behind_with_an_impossible_value_signs_nothing_and_says_why(
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
    fill_session(qtbot, form, date.today())
    settle(window, screen)
    acknowledge_every_warning(qtbot, window, screen)
    # A pain of 50 typed (a slip for 5), Sign pressed, the banner changed before the answer.
    type_into(qtbot, form.pain_during, "0")
    _block_store(window, 0.3)
    type_into(qtbot, form.password, PASSWORD)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    window.open_screen("patient", clinic.patients.open(user_of(window), b))
    wait_idle(window)
    wait_idle(window)

    kept_a = clinic.shockwave.for_patient(user_of(window), a)
    assert [s.is_signed for s in kept_a[0].sessions] == [False]
    assert kept_a[0].sessions[0].fields.pain_during == 5
    said = window.notice.text()
    assert "was not signed" in said
    assert "eswt." not in said


def test_with_no_service_interval_set_the_device_says_its_service_is_not_checked(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    # A service that has not set how often its devices are serviced (the demo service has).
    store = clinic.context.store
    with store.sessions.begin() as session:
        session.actor = Actor(device_id=clinic.context.device_id)
        row = session.get(ServiceSetting, setting_id(ESWT_SETTING))
        assert row is not None
        row.value = {**row.value, "device_service_interval_months": None}
    device = add_device(clinic, serviced_days_ago=900)
    screen = open_shockwave(window, clinic, patients(clinic, window, 1)[0])
    form = screen.view
    fill_course(qtbot, form, device)
    settle(window, screen)
    words = form.device_words.text()
    assert words.startswith("Last serviced "), words
    assert "whether it is due is not checked" in words
    assert not words.startswith("Overdue")
    add_session(qtbot, window, screen)
    fill_session(qtbot, form, date.today())
    settle(window, screen)
    assert any("service date is not checked" in line for line in form.check_lines), form.check_lines


def test_share_a_decision_now_opens_the_shockwave_aid_and_the_course_then_follows_it(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    device = add_device(clinic)
    screen = open_shockwave(window, clinic, a)
    form = screen.view
    pick(form.indication, "lateral_elbow")
    assert form.decision_warning.isVisible()
    assert form.share_row.isVisible()

    qtbot.mouseClick(form.share_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    wait_idle(window)
    decision = window.screen_by_id("decision")
    assert window.showing(decision)
    assert decision.view_model.aid is not None
    assert decision.view_model.aid.id == "shockwave_therapy"
    # For the banner's patient, and what was typed was kept before leaving.
    banner = window.context.patient
    assert banner is not None
    assert banner.id == a
    kept = clinic.shockwave.for_patient(user_of(window), a)
    assert [c.fields.indication for c in kept] == ["lateral_elbow"]

    # The patient chooses shockwave therapy and the decision is signed: the course follows it.
    user = user_of(window)
    started = clinic.decisions.start(user, a, "shockwave_therapy")
    clinic.decisions.save(
        user,
        started.id,
        a,
        DecisionInput(
            options_discussed=("self_management", "eswt", "not_now"),
            leaning="eswt",
            choice="eswt",
            choice_words="I would like to try it.",
            teach_back=True,
            decision_maker="patient",
        ),
    )
    clinic.decisions.sign(user, started.id, a, PASSWORD)
    window.context.announce("decision.signed", a)
    screen = open_shockwave(window, clinic, a)
    assert form.decision_warning.isHidden()
    assert form.share_row.isHidden()
    assert form.decision_words.text().startswith("Follows the shared decision of ")

    # Patient B's course is warned, and A's decision never reaches it.
    screen = open_shockwave(window, clinic, b)
    pick(form.indication, "plantar_fasciitis")
    assert form.decision_warning.isVisible()
    assert form.share_row.isVisible()

    # Once a session is given the decision can no longer change: no button to share one.
    fill_course(qtbot, form, device)
    type_into(qtbot, form.reason, REASON)
    settle(window, screen)
    add_session(qtbot, window, screen)
    fill_session(qtbot, form, date.today())
    settle(window, screen)
    acknowledge_every_warning(qtbot, window, screen)
    sign_session(qtbot, window, screen)
    assert form.share_row.isHidden()
