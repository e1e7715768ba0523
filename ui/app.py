"""The application: Qt set-up, and the shell window built from the declared screens."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from ui.common import theme
from ui.common.screen import WindowState
from ui.common.tasks import TaskRunner
from ui.shell.registry import register_words
from ui.shell.window import APP_NAME, ShellWindow

if TYPE_CHECKING:
    # The services' Protocols are composed from every screen's view model: types only,
    # so that the sign-in window does not wait for the screens' modules.
    from ui.shell.services import ClinicServices

__all__ = [
    "APP_NAME",
    "ORGANISATION",
    "SCREEN_SIZE",
    "MainWindow",
    "WindowState",
    "build_main_window",
    "create_application",
    "open_window_size",
    "opening_size",
]

ORGANISATION = "OneStop MSK"
SCREEN_SIZE = (1280, 680)
"""The window's opening size: inside a 1366 x 768 laptop screen once its title bar and the
task bar are counted (768 - about 30 - about 40), and as wide as a 1280 x 720 screen allows."""
WINDOW_CHROME = (16, 40)
"""Room left in the screen's free area (the task bar is already out of it) for the window's
frame and title bar."""


def opening_size(available: tuple[int, int]) -> tuple[int, int]:
    """The window's first size on a screen whose free area is ``available`` (width, height)."""
    width = min(SCREEN_SIZE[0], available[0] - WINDOW_CHROME[0])
    height = min(SCREEN_SIZE[1], available[1] - WINDOW_CHROME[1])
    return width, height


def open_window_size(window: QWidget) -> None:
    """Size ``window`` to open inside the screen it is on (``SCREEN_SIZE`` at most)."""
    free = window.screen().availableGeometry()
    window.resize(*opening_size((free.width(), free.height())))


MainWindow = ShellWindow
"""The main window (the shell's window: sign-in, then the declared screens)."""


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the clinic's name, scaling policy, font, theme and error words."""
    register_words()
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        # Fractional scale factors (125 %, 150 %) are passed through rather than rounded, so
        # text is neither cramped nor blown up on clinic laptops.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    theme.apply_theme(app)
    return app


def build_main_window(
    services: ClinicServices,
    *,
    runner: TaskRunner | None = None,
    idle_lock_seconds: int | None = None,
) -> MainWindow:
    """Set up the application (if not yet) and build the main window, not yet shown.

    Args:
        services: the container from ``clinic_app.bootstrap``.
        runner: a task runner to use (tests pass their own); one is made if omitted.
        idle_lock_seconds: overrides ``services.config.idle_lock_seconds``; 0 turns the
            idle lock off.
    """
    create_application()
    return MainWindow(services, runner=runner, idle_lock_seconds=idle_lock_seconds)
