"""Running the app: crash handling, the event loop, and the sign-in-first start-up."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtWidgets import QApplication, QWidget

from ui.app import MainWindow, create_application, open_window_size
from ui.common import errors
from ui.common.deferred import DeferredServices

if TYPE_CHECKING:
    # The services' Protocols are composed from every screen's view model: types only,
    # so that the sign-in window does not wait for the screens' modules.
    from ui.shell.services import ClinicServices, ClinicSettings

_log = logging.getLogger(__name__)


@dataclass
class DefaultSettings:
    """The settings in force before the store is open (the same defaults as the core's)."""

    idle_lock_seconds: int = 300


def install_exception_hooks(window: MainWindow | None = None) -> Callable[[], None]:
    """Log any uncaught exception (type and frames only) and show a calm message.

    Returns:
        A function that puts the previous hooks back.
    """
    previous_hook = sys.excepthook
    previous_thread_hook = threading.excepthook

    def report(error: BaseException, where: str) -> None:
        errors.log_unexpected(error, where)
        if window is not None:
            # A queued signal: safe to emit from any thread.
            window.unexpected_error.emit(errors.generic_message())

    def on_exception(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_hook(kind, error, trace)
            return
        report(error.with_traceback(trace), "the user interface")

    def on_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        report(args.exc_value.with_traceback(args.exc_traceback), "a background thread")

    sys.excepthook = on_exception
    threading.excepthook = on_thread_exception

    def uninstall() -> None:
        sys.excepthook = previous_hook
        threading.excepthook = previous_thread_hook

    return uninstall


def run_app(services: ClinicServices, *, idle_lock_seconds: int | None = None) -> int:
    """Show the main window and run the event loop until the user quits.

    The caller keeps ownership of ``services`` and closes them afterwards.

    Returns:
        The exit status of the event loop.
    """
    app = create_application()
    window = MainWindow(services, idle_lock_seconds=idle_lock_seconds)
    uninstall = install_exception_hooks(window)
    try:
        open_window_size(window)
        window.show()
        return app.exec()
    finally:
        window.shutdown()
        uninstall()


def start_deferred(
    open_services: Callable[[], ClinicServices], config: ClinicSettings
) -> tuple[QApplication, MainWindow, DeferredServices]:
    """Show the sign-in window at once and open the store behind it.

    ``open_services`` runs on a background thread; ``config`` holds the settings the window
    needs before the store is open. The screens behind sign-in are built when the store is
    open (or at sign-in, whichever comes first); a failure to open the store is shown on the
    sign-in screen in plain words.
    """
    app = create_application()
    services = DeferredServices(open_services, config)
    window = MainWindow(cast("ClinicServices", services), defer_workspace=True)
    services.ready.connect(window.build_workspace)
    services.ready.connect(window.prepare_first_sight)
    services.failed.connect(lambda error: window.login_vm.failed.emit(errors.explain(error)))
    services.start()
    open_window_size(window)
    window.show()
    return app, window, services


def run_deferred(open_services: Callable[[], ClinicServices], config: ClinicSettings) -> int:
    """``onestop run``: the sign-in window first, the store opened meanwhile.

    Returns:
        The exit status of the event loop.
    """
    app, window, services = start_deferred(open_services, config)
    uninstall = install_exception_hooks(window)
    try:
        return app.exec()
    finally:
        _close_down(window, services)
        uninstall()


def _close_down(window: MainWindow, services: DeferredServices) -> None:
    window.shutdown()
    opened = services.opened()
    if opened is not None:
        opened.close()


def start_first_run(
    store_path: Path | None,
    open_services: Callable[[], ClinicServices],
    config: ClinicSettings,
    *,
    allow_insecure_keyring: bool = False,
    poll_ms: int | None = None,
) -> FirstRun:
    """Show the first-run window; once the set-up is done, the sign-in window in its place.

    ``open_services`` opens the store the set-up made, as :func:`start_deferred` does.
    """
    from ui.common.tasks import TaskRunner  # noqa: PLC0415
    from ui.domains.first_run.wizard.view import FirstRunWindow  # noqa: PLC0415
    from ui.domains.first_run.wizard.view_model import POLL_MS, FirstRunViewModel  # noqa: PLC0415

    create_application()
    runner = TaskRunner()
    view_model = FirstRunViewModel(
        runner,
        store_path,
        allow_insecure_keyring=allow_insecure_keyring,
        poll_ms=POLL_MS if poll_ms is None else poll_ms,
    )
    wizard = FirstRunWindow(view_model)
    run = FirstRun(wizard, runner)

    def on_finished(_path: object) -> None:
        _app, window, services = start_deferred(open_services, config)
        run.signed_in = (window, services)
        wizard.close()

    view_model.finished.connect(on_finished)
    open_window_size(wizard)
    wizard.show()
    view_model.start()
    return run


@dataclass
class FirstRun:
    """The first-run window, its task runner, and the sign-in window once it is done."""

    wizard: QWidget
    runner: Any
    signed_in: tuple[MainWindow, DeferredServices] | None = None

    def close_down(self) -> None:
        """Stop the set-up's worker and, if it got that far, the main window and store."""
        self.runner.shutdown()
        if self.signed_in is not None:
            _close_down(*self.signed_in)


def run_first_run(
    store_path: Path | None,
    open_services: Callable[[], ClinicServices],
    config: ClinicSettings,
    *,
    allow_insecure_keyring: bool = False,
) -> int:
    """``onestop run`` on a computer with no clinic data: set up, then sign in.

    Returns:
        The exit status of the event loop.
    """
    run = start_first_run(
        store_path, open_services, config, allow_insecure_keyring=allow_insecure_keyring
    )
    uninstall = install_exception_hooks()
    try:
        return QApplication.instance().exec()  # type: ignore[union-attr]
    finally:
        run.close_down()
        uninstall()
