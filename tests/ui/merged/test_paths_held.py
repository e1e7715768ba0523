"""Paths with a merged registration that held (kept as checks, not findings)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.people.views import PatientSummary
from tests.support.merges import merged_by_sync
from tests.ui.conftest import CLINICIAN, WAIT_MS, search_for, sign_in, wait_idle
from tests.ui.injections.helpers import add_pgd, fill_knee_injection, open_injection, user_of
from tests.ui.late_answers import in_banner, open_record
from tests.ui.letters.helpers import patients_with_episodes
from tests.ui.letters.test_merged_registration import _injected_under, _summary
from tests.ui.people.test_merged_registration import _allergy_under
from tests.ui.records import merge_keeping_the_second, second_registration
from tests.ui.shell.test_patient_journey import CTRL_SHIFT, _switch_to
from ui.app import MainWindow


def test_red_flag_emergency_under_the_merged_registration_is_up_on_the_survivor(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.require_user()
    codes = red_flag_screen("cauda_equina").question_codes
    clinic.red_flags.record(user, seeded_patient.id, "cauda_equina", dict.fromkeys(codes, "yes"))
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)
    open_record(qtbot, window, survivor)
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL_SHIFT)
    screen = window.screen_by_id("red_flags")
    qtbot.waitUntil(lambda: len(screen.view.banner_texts()) == 1, timeout=WAIT_MS)
    assert "cauda equina" in screen.view.banner_texts()[0].lower()


def test_questionnaire_from_the_survivor_is_a_follow_up_of_the_merged_baseline(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    ((first, _episode),) = patients_with_episodes(clinic, 1)
    survivor = second_registration(clinic, _summary(clinic, first))
    merged_by_sync(clinic, survivor, first)
    open_record(qtbot, window, survivor)
    window.action("questionnaire").trigger()
    screen = window.screen_by_id("questionnaire")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is screen.page, timeout=WAIT_MS)
    wait_idle(window)
    chooser = screen.view.chooser
    chooser.setCurrentIndex(chooser.findData("msk_hq"))
    chooser.activated.emit(chooser.currentIndex())
    qtbot.waitUntil(lambda: screen.view_model.definition is not None, timeout=WAIT_MS)
    wait_idle(window)
    assert screen.view.timepoint_label.text() == "Follow-up in this episode"


def test_the_next_user_after_a_merge_finds_and_opens_the_survivor_only(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    _allergy_under(clinic, seeded_patient.id, "Penicillin: anaphylaxis")
    survivor = second_registration(clinic, seeded_patient)
    sign_in(qtbot, window, "supervisor")
    open_record(qtbot, window, seeded_patient.id)
    window.action("duplicates").trigger()
    view = window.screen_by_id("duplicates").view
    qtbot.waitUntil(lambda: view.pairs.count() == 1, timeout=WAIT_MS)
    wait_idle(window)
    merge_keeping_the_second(qtbot, window)
    _switch_to(qtbot, window, CLINICIAN)
    assert window.context.patient is None
    found = search_for(qtbot, window, seeded_patient.nhs_number or "")
    assert [p.id for p in found] == [survivor]
    window.screen_by_id("search").view_model.choose(0)
    qtbot.waitUntil(lambda: in_banner(window, survivor), timeout=WAIT_MS)
    wait_idle(window)
    assert any("Penicillin" in t for t in window.banner.alert_texts())


def test_the_checks_count_the_knee_injected_under_the_merged_registration(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    ((first, episode),) = patients_with_episodes(clinic, 1)
    _injected_under(clinic, first, episode, user_of(window).id, days_ago=21)
    survivor = second_registration(clinic, _summary(clinic, first))
    merged_by_sync(clinic, survivor, first)
    pgd = add_pgd(clinic, window)

    screen = open_injection(window, clinic, survivor)
    fill_knee_injection(qtbot, screen.view, pgd)
    screen.view_model.save_now()
    wait_idle(window)
    wait_idle(window)
    checks = screen.view_model.checks
    assert checks is not None
    assert "repeat_too_soon" in {w.code for w in checks.warnings}, screen.view.check_lines
    assert "repeat_too_soon" in screen.view.acknowledge_buttons
