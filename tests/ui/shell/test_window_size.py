"""Every page fits a 1366x768 laptop (and a 1280x720 screen) with its content on show."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.support.summary import SUMMARY_LINES
from tests.ui.conftest import SUPERVISOR, WAIT_MS, sign_in, wait_idle
from tests.ui.shell.test_patient_context import open_record, show_page, two_patients
from ui.app import SCREEN_SIZE, MainWindow, opening_size
from ui.common.screen import Placement

TITLE_BAR_AND_TASK_BAR = 68
"""What a laptop's own chrome takes of the screen's height (about 30 + 38 pixels)."""
FITS = (1280, 720 - TITLE_BAR_AND_TASK_BAR)
"""The most a page may make the window ask for: a 1280x720 screen less its chrome (and so a
1366x768 one too)."""
OPENS_WITHIN = (1280, 768 - TITLE_BAR_AND_TASK_BAR)
"""The largest the window opens at (on a 1366x768 screen; smaller screens clamp it)."""


def test_the_window_opens_inside_a_small_laptop_screen() -> None:
    # The free areas of a 1366x768 and a 1280x720 screen with a 40-pixel task bar.
    for free in ((1366, 728), (1280, 680)):
        width, height = opening_size(free)
        assert width <= free[0] - 16
        assert height <= free[1] - 30
    assert SCREEN_SIZE[0] <= OPENS_WITHIN[0]
    assert SCREEN_SIZE[1] <= OPENS_WITHIN[1]


def _minimum_sizes(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> dict[str, tuple[int, int]]:
    """The window's minimum size with each page on show, by page id."""
    sign_in(qtbot, window, SUPERVISOR)
    user = window.session.user
    assert user is not None
    first, referral = two_patients(clinic, window)
    # Content that makes pages taller: an MSK-HQ history (its chart shows) and a queue.
    answers: dict[str, int | None] = {f"mskhq_{n:02d}": 2 for n in range(1, 15)}
    timepoint = clinic.questionnaires.next_timepoint(user, first.id, "msk_hq")
    clinic.questionnaires.record(user, first.id, "msk_hq", answers, timepoint, "clinician")
    open_record(qtbot, window, first.id)
    window.resize(*SCREEN_SIZE)
    measured: dict[str, tuple[int, int]] = {}
    for spec in window.specs.values():
        if spec.placement is Placement.SIDE or not spec.may_use(user):
            continue
        if not show_page(qtbot, window, spec.id, referral):
            continue
        if spec.id == "questionnaire":
            chart = window.screen_by_id("questionnaire").score_chart
            qtbot.waitUntil(chart.isVisible, timeout=WAIT_MS)
        wait_idle(window)
        # Layouts settle on posted events: let them run before the window is measured.
        qtbot.wait(100)
        QApplication.processEvents()
        hint = window.minimumSizeHint()
        measured[spec.id] = (hint.width(), hint.height())
    SUMMARY_LINES.append(
        "minimum window sizes: " + ", ".join(f"{page} {w}x{h}" for page, (w, h) in measured.items())
    )
    return measured


def _too_big(measured: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return {
        page: (width, height)
        for page, (width, height) in measured.items()
        if width > FITS[0] or height > FITS[1]
    }


def test_every_page_with_its_content_fits_a_small_laptop_screen(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    measured = _minimum_sizes(qtbot, clinic, window)
    assert len(measured) >= 10
    assert {"worklist", "review", "imaging", "assessment", "questionnaire"} <= set(measured)
    assert {"today", "site_day", "appointments", "sessions", "contact_note"} <= set(measured)
    too_big = _too_big(measured)
    assert too_big == {}, f"pages asking for more than {FITS}: {too_big}"
