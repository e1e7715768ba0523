"""Screenshots of every screen, offscreen: for the demo without a display, and for review."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QSignalBlocker, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from clinic_app.people.nhs_number import synthetic_numbers
from ui.app import SCREEN_SIZE, MainWindow, WindowState, build_main_window
from ui.domains.assessments.assessment.screens import AssessmentScreen
from ui.domains.care_plans.plan.sample import SAMPLE_PLAN
from ui.domains.care_plans.plan.screens import CarePlanScreen
from ui.domains.experience.response.screens import ExperienceScreen
from ui.domains.figures.dashboard.screens import ServiceFiguresScreen
from ui.domains.first_run.wizard.preview import render_first_run
from ui.domains.imaging.images.screens import ImagingScreen
from ui.domains.imaging.orphans.screens import OrphansScreen
from ui.domains.people.register.screens import RegisterScreen
from ui.domains.people.search.screens import SearchScreen
from ui.domains.shockwave.course.screens import ShockwaveScreen
from ui.domains.shockwave.course.view import CourseForm

if TYPE_CHECKING:
    # The services' Protocols are composed from every screen's view model: types only,
    # so that the sign-in window does not wait for the screens' modules.
    from ui.shell.services import ClinicServices

S = TypeVar("S")


def _screen(window: MainWindow, screen_id: str, kind: type[S]) -> S:
    """The screen ``screen_id``, as the class that builds it (its view and view model)."""
    screen = window.screen_by_id(screen_id)
    if not isinstance(screen, kind):
        raise TypeError(f"{screen_id!r} is a {type(screen).__name__}, not a {kind.__name__}")
    return screen


def _settle(window: MainWindow) -> None:
    for _ in range(3):
        QApplication.processEvents()
    window.runner.wait_idle(timeout=20.0)
    for _ in range(3):
        QApplication.processEvents()


def _save(window: MainWindow, path: Path) -> Path:
    # Back to the opening size: a page that needed more leaves no larger frame to the next.
    window.resize(*SCREEN_SIZE)
    _settle(window)
    image = QImage(window.size(), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(1.0)
    image.fill(Qt.GlobalColor.white)
    window.render(image)
    if not image.save(str(path)):
        raise OSError(f"could not write {path.name}")
    return path


def _clinician(credentials: list[tuple[str, str, str]]) -> tuple[str, str]:
    for username, password, role in credentials:
        if str(role) == "clinician":
            return username, password
    if not credentials:
        raise ValueError("no demo credentials given")
    return credentials[0][0], credentials[0][1]


def _render_sign_in(window: MainWindow, out_dir: Path, username: str, password: str) -> list[Path]:
    shots = [_save(window, out_dir / "01-login.png")]
    login = window.login_view
    login.username_edit.setText(username)
    login.password_edit.setText("not the right password")
    login.submit_button.click()
    shots.append(_save(window, out_dir / "02-login-wrong-password.png"))
    login.password_edit.setText(password)
    login.submit_button.click()
    _settle(window)
    if window.state is not WindowState.WORKING:
        raise RuntimeError("the demo clinician could not sign in")
    return shots


def _render_search_and_record(window: MainWindow, out_dir: Path) -> list[Path]:
    search = _screen(window, "search", SearchScreen)
    search.view.search_box.setText("999")
    search.view_model.search_now()
    _settle(window)
    # A patient with an alert shows more of the record than one without.
    ranked = sorted(
        search.view_model.results,
        key=lambda p: p.alert_count,
        reverse=True,
    )
    if ranked:
        search.view.search_box.setText(ranked[0].family_name[:3].lower())
        search.view_model.search_now()
    shots = [_save(window, out_dir / "03-search-results.png")]
    shown = search.view_model.results
    if shown:
        chosen = next((row for row, p in enumerate(shown) if p.id == ranked[0].id), 0)
        search.view.table.selectRow(chosen)
        search.view_model.choose(chosen)
    shots.append(_save(window, out_dir / "04-patient-record.png"))
    return shots


def _render_forms(window: MainWindow, out_dir: Path) -> list[Path]:
    window.open_screen("register")
    shots = [_save(window, out_dir / "05-register-empty.png")]
    form = _screen(window, "register", RegisterScreen).view
    form.nhs_number.setText("999 000 0019")
    form.given_name.setText("Alex")
    form.date_of_birth.setText("01/01/2090")
    form.submit()
    shots.append(_save(window, out_dir / "06-register-errors.png"))
    # Nothing typed for a screenshot is kept as a draft.
    _screen(window, "register", RegisterScreen).view_model.clear_form()
    window.open_screen("referral")
    shots.append(_save(window, out_dir / "07-new-referral.png"))
    return shots


def _render_clinical(window: MainWindow, out_dir: Path) -> list[Path]:
    search = _screen(window, "search", SearchScreen)
    window.open_screen("worklist")
    _settle(window)
    shots = [_save(window, out_dir / "09-triage-worklist.png")]
    # The demo's first patient is part-way through an episode, with MSK-HQ scores to chart.
    search.view.search_box.setText(next(synthetic_numbers(1)))
    search.view_model.search_now()
    _settle(window)
    search.view.table.selectRow(0)
    search.view_model.choose(0)
    _settle(window)
    window.open_screen("questionnaire")
    # Two steps: which timepoint comes next, then the questionnaire itself.
    _settle(window)
    _settle(window)
    shots.append(_save(window, out_dir / "10-msk-hq.png"))
    window.open_screen("assessment")
    _settle(window)
    view = _screen(window, "assessment", AssessmentScreen).view
    # Filled as a form is filled from a stored draft: shown, not saved to the demo store.
    view.fill(
        {
            "presenting_complaint": "Pain on the inner side of the left knee for 4 months, "
            "worse on stairs and after walking more than a mile.",
            "body_regions": ["left_knee"],
            "onset": "Gradual, no injury",
            "duration": "4 months",
            "pain_now": 3,
            "pain_best": 2,
            "pain_worst": 7,
            "examination": "Medial joint line tenderness, crepitus, full extension, flexion "
            "to 120 degrees, no effusion.",
            "diagnosis_code": "knee_osteoarthritis",
            "diagnosis_text": "Medial compartment more than lateral",
            "reasoning": "Aged 45 or over, activity-related joint pain, morning stiffness "
            "no longer than 30 minutes: a clinical diagnosis without imaging (NICE NG226).",
        }
    )
    shots.append(_save(window, out_dir / "11-assessment.png"))
    view.scroll_area.ensureWidgetVisible(view.fields["reasoning"])
    shots.append(_save(window, out_dir / "13-assessment-diagnosis.png"))
    view.scroll_area.verticalScrollBar().setValue(0)
    window.open_screen("red_flags")
    _settle(window)
    _settle(window)
    shots.append(_save(window, out_dir / "12-red-flag-screening.png"))
    window.open_screen("settings")
    _settle(window)
    shots.append(_save(window, out_dir / "14-waiting-time-targets.png"))
    return shots


def _render_imaging(window: MainWindow, out_dir: Path) -> list[Path]:
    """The first demo patient's knee scan: capture (no frame grabber here), then the clip."""
    search = _screen(window, "search", SearchScreen)
    search.view.search_box.setText(next(synthetic_numbers(1)))
    search.view_model.search_now()
    _settle(window)
    search.view.table.selectRow(0)
    search.view_model.choose(0)
    _settle(window)
    window.open_screen("imaging")
    _settle(window)
    shots = [_save(window, out_dir / "16-imaging.png")]
    studies = _screen(window, "imaging", ImagingScreen).view_model.studies
    if studies and studies[0].instances:
        _screen(window, "imaging", ImagingScreen).view_model.open_image(studies[0].instances[-1])
        _settle(window)
        viewer = _screen(window, "imaging", ImagingScreen).view.viewer
        viewer.pause()
        viewer.set_frame(viewer.frame_count() // 2)
        _settle(window)
    shots.append(_save(window, out_dir / "17-imaging-viewer.png"))
    _screen(window, "imaging", ImagingScreen).view.viewer.close_source()
    window.open_screen("orphans")
    _settle(window)
    _settle(window)
    shots.append(_save(window, out_dir / "18-orphan-queue.png"))
    _screen(window, "orphans", OrphansScreen).view.viewer.close_source()
    window.open_screen("dicom_settings")
    _settle(window)
    shots.append(_save(window, out_dir / "19-dicom-settings.png"))
    return shots


def _render_clinic_day(window: MainWindow, out_dir: Path) -> list[Path]:
    """The open patient's appointments, then the clinician's own day and the site's day."""
    window.open_screen("appointments")
    _settle(window)
    _settle(window)
    shots = [_save(window, out_dir / "20-appointments.png")]
    window.open_screen("today")
    _settle(window)
    shots.append(_save(window, out_dir / "21-day-list.png"))
    window.open_screen("site_day")
    # Two steps: the sites, then the first site's day.
    _settle(window)
    _settle(window)
    shots.append(_save(window, out_dir / "22-site-day-list.png"))
    return shots


def _render_injection(window: MainWindow, out_dir: Path) -> list[Path]:
    """The open patient's injection form as it opens: nothing is typed, so nothing is saved."""
    # From the patient's record: patient actions are off while a day list is on show.
    window.open_screen("patient")
    _settle(window)
    window.open_screen("injection")
    # Two steps: the form, then its first field's focus once the form is enabled.
    _settle(window)
    _settle(window)
    return [_save(window, out_dir / "23-injection.png")]


def _render_decision_and_shockwave(window: MainWindow, out_dir: Path) -> list[Path]:
    """A decision aid opened with the patient, then their shockwave course: nothing is kept."""
    window.open_screen("patient")
    _settle(window)
    window.open_screen("decision", "knee_osteoarthritis")
    _settle(window)
    _settle(window)
    shots = [_save(window, out_dir / "24-shared-decision.png")]
    window.open_screen("patient")
    _settle(window)
    window.open_screen("shockwave")
    _settle(window)
    _settle(window)
    _show_outcomes_before(_screen(window, "shockwave", ShockwaveScreen).view)
    shots.append(_save(window, out_dir / "25-shockwave-course.png"))
    return shots


def _render_care_plan(window: MainWindow, out_dir: Path) -> list[Path]:
    """The open patient's care plan, a plan shown on it as if talked through: nothing is kept."""
    window.open_screen("patient")
    _settle(window)
    window.open_screen("care_plan")
    _settle(window)
    _settle(window)
    screen = _screen(window, "care_plan", CarePlanScreen)
    rules = screen.view_model.rules
    if rules is not None:
        # Shown only: the page's signals are blocked, so the form is not told.
        with QSignalBlocker(screen.view.page):
            screen.view.page.show_values(SAMPLE_PLAN, rules)
    return [_save(window, out_dir / "27-care-plan.png")]


def _render_letters(window: MainWindow, out_dir: Path) -> list[Path]:
    """The open patient's letter screen as it opens, then the clinician's letters due.

    The letter screen asks for a kind to choose: nothing is drafted, so nothing is kept.
    """
    window.open_screen("patient")
    _settle(window)
    window.open_screen("letter")
    _settle(window)
    shots = [_save(window, out_dir / "28-letter.png")]
    window.open_screen("letters_due")
    _settle(window)
    shots.append(_save(window, out_dir / "29-letters-due.png"))
    return shots


def _render_pifu_windows(window: MainWindow, out_dir: Path) -> list[Path]:
    """The clinician's open PIFU windows (the patients who can book straight back)."""
    window.open_screen("pifu_windows")
    _settle(window)
    return [_save(window, out_dir / "30-pifu-windows.png")]


def _render_experience(window: MainWindow, out_dir: Path, password: str) -> list[Path]:
    """The Friends and Family Test in the patient's hands, an answer chosen but not sent.

    The device is taken back with the clinician's password: nothing is recorded.
    """
    window.open_screen("patient")
    _settle(window)
    window.open_screen("experience")
    _settle(window)
    screen = _screen(window, "experience", ExperienceScreen)
    screen.view_model.hand_to_patient()
    _settle(window)
    screen.view_model.choose("very_good")
    shots = [_save(window, out_dir / "31-experience.png")]
    screen.view_model.request_exit()
    screen.view_model.confirm_exit(password)
    _settle(window)
    if screen.view_model.patient_mode:
        raise RuntimeError("the device could not be taken back from the patient")
    return shots


def _render_service_figures(window: MainWindow, out_dir: Path) -> list[Path]:
    """The clinician's own figures, read on this laptop (the demo syncs with no server)."""
    screen = _screen(window, "service_figures", ServiceFiguresScreen)
    # The demo's records are of this month: shown as they will be once it is a whole month.
    this_month = screen.view_model.today().replace(day=1)
    screen.view_model.today = lambda: this_month + timedelta(days=31)
    window.open_screen("service_figures")
    _settle(window)
    screen.view_model.choose("did_not_attend_rate", "age_band")
    _settle(window)
    shots = [_save(window, out_dir / "32-service-figures.png")]
    screen.view.charts.setCurrentIndex(1)
    _settle(window)
    shots.append(_save(window, out_dir / "33-service-figures-breakdown.png"))
    screen.view.charts.setCurrentIndex(0)
    return shots


def _show_outcomes_before(form: CourseForm) -> None:
    """The pain and the newest of each questionnaire shown as chosen before the course, in view.

    Shown only: the form is not told, so nothing is kept.
    """
    form.pain_before.setText("7")
    for box in form.before_choices.boxes.values():
        with QSignalBlocker(box):
            box.setCurrentIndex(1)
    form.scroll_area.verticalScrollBar().setValue(form.course_card.y())


def _render_pack_codes(
    window: MainWindow, out_dir: Path, credentials: list[tuple[str, str, str]]
) -> list[Path]:
    """The service lead's pack codes, signed in as the service lead: nothing is added."""
    lead = next(((name, word) for name, word, role in credentials if str(role) == "admin"), None)
    if lead is None:
        return []
    window.switch_user()
    _settle(window)
    login = window.login_view
    login.username_edit.setText(lead[0])
    login.password_edit.setText(lead[1])
    login.submit_button.click()
    _settle(window)
    if window.state is not WindowState.WORKING:
        raise RuntimeError("the demo service lead could not sign in")
    window.open_screen("pack_codes")
    _settle(window)
    return [_save(window, out_dir / "26-pack-codes.png")]


def render_screens(
    services: ClinicServices, out_dir: Path, credentials: list[tuple[str, str, str]]
) -> list[Path]:
    """Sign in as the demo clinician, offscreen, and save a PNG of every screen.

    Saves, at the window's opening size (``SCREEN_SIZE``) and a device pixel ratio of 1:
    sign-in, sign-in after a wrong password, search results, a patient record, the register
    form empty and with problems shown, the new-referral form, the lock screen, the triage
    worklist, the MSK-HQ, an assessment, its diagnosis section, red-flag screening, the
    waiting-time targets (as the clinician sees them: read only), the imaging screen (live
    capture, then a clip in the viewer), the images waiting for a patient, the DICOM and
    PACS settings, the patient's appointments, the clinician's day list and the site's, the
    patient's injection form, a shared decision with a decision aid, the patient's
    shockwave course, their care plan (shown, not kept), the letter screen and the letters
    due, the open PIFU windows, the Friends and Family Test in the patient's hands (an answer
    chosen, not sent), the clinician's own service figures, and (signed in as the service
    lead) the pack codes; then each page of the first-run window (with sample answers).
    Nothing is saved to the store except what any sign-in and record opening writes to the
    audit trail.

    Returns:
        The paths of the PNG files, in that order.
    """
    if QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out_dir.mkdir(parents=True, exist_ok=True)
    username, password = _clinician(credentials)
    window = build_main_window(services, idle_lock_seconds=0)
    window.resize(*SCREEN_SIZE)
    window.show()
    try:
        shots = _render_sign_in(window, out_dir, username, password)
        shots += _render_search_and_record(window, out_dir)
        shots += _render_forms(window, out_dir)
        window.lock()
        shots.append(_save(window, out_dir / "08-lock-screen.png"))
        window.login_vm.unlock(password)
        _settle(window)
        shots += _render_clinical(window, out_dir)
        shots += _render_imaging(window, out_dir)
        shots += _render_clinic_day(window, out_dir)
        shots += _render_injection(window, out_dir)
        shots += _render_decision_and_shockwave(window, out_dir)
        shots += _render_care_plan(window, out_dir)
        shots += _render_letters(window, out_dir)
        shots += _render_pifu_windows(window, out_dir)
        shots += _render_experience(window, out_dir, password)
        shots += _render_service_figures(window, out_dir)
        shots += _render_pack_codes(window, out_dir, credentials)
        shots += render_first_run(out_dir, 34, SCREEN_SIZE)
    finally:
        window.shutdown()
        # Closed and deleted now: processing events alone never deletes it (a deferred
        # delete waits for the event loop), and the window stayed on screen behind.
        window.close()
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return shots
