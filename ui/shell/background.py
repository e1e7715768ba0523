"""Work the window starts once someone signs in, and the notices that work brings.

Sync, the PACS queue and the scanners' listeners, the status bar's figures, and the notice
when scan reports wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject

from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import StoreStatus
from ui.common import errors
from ui.common.session import UserSession
from ui.common.shell import StatusStrip
from ui.common.tasks import TaskRunner
from ui.common.widgets import NoticeBar

if TYPE_CHECKING:
    # The services' Protocols are composed from every screen's view model: types only,
    # so that the sign-in window does not wait for the screens' modules.
    from ui.shell.services import ClinicServices

_log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Shell", text)


class BackgroundWork(QObject):
    """Starts and stops the window's background services and reports what they find."""

    def __init__(
        self,
        services: ClinicServices,
        runner: TaskRunner,
        session: UserSession,
        *,
        notice: NoticeBar,
        status_strip: StatusStrip,
        active: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._session = session
        self._notice = notice
        self._status_strip = status_strip
        self._active = active
        self.sync_started = False
        self.imaging_started = False
        self._said_about_reports = ""

    def start_sync(self, on_state: Callable[[object], None]) -> None:
        """Background sync, once, after the first sign-in (if the device is set up)."""
        if self.sync_started:
            return
        self.sync_started = True
        self._watch_network()
        sync = self._services.sync
        self._runner.run_store(
            lambda: sync.start(on_state=on_state),
            on_failed=lambda error: _log.warning(
                "Background sync not started:\n%s", errors.describe_for_log(error)
            ),
        )

    def _watch_network(self) -> None:
        """Sync at once when the operating system says a connection has appeared."""
        from PySide6.QtNetwork import QNetworkInformation  # noqa: PLC0415 - after sign-in

        if not QNetworkInformation.loadDefaultBackend():
            return  # no backend (a headless test machine): the timer still syncs
        info = QNetworkInformation.instance()

        def on_reachability(reachability: QNetworkInformation.Reachability) -> None:
            if reachability == QNetworkInformation.Reachability.Online and self.sync_started:
                self._services.sync.wake()

        info.reachabilityChanged.connect(on_reachability)

    def start_imaging(self, on_outcome: Callable[[], None], on_arrival: Callable[[], None]) -> None:
        """The PACS queue and the scanners' listeners, once, after the first sign-in.

        ``on_outcome`` is called after each attempt to send to the PACS, ``on_arrival`` after
        each object a scanner pushed is in the store; both from background threads.
        """
        if self.imaging_started:
            return
        self.imaging_started = True
        services = self._services

        def start() -> None:
            services.pacs.watch(lambda _outcome: on_outcome())
            services.pacs.start()
            services.scanners.watch(on_arrival)
            services.scanners.start()

        self._runner.run_store(
            start,
            on_failed=lambda error: _log.warning(
                "Imaging background work not started:\n%s", errors.describe_for_log(error)
            ),
        )

    def stop(self) -> None:
        """Stop what was started (the store may never have opened)."""
        if self.sync_started:
            self._services.sync.stop()
        if self.imaging_started:
            self._services.pacs.stop()
            self._services.scanners.stop()

    def refresh_status(self) -> None:
        """Ask the store for the sync state and pending changes, for the status bar."""
        user = self._session.user
        # After shut-down, a late word from the sync thread must not queue new work.
        if user is None or not self._active():
            return
        status = self._services.status
        self._runner.run_store(
            lambda: status.current(user),
            on_done=self._on_status_loaded,
            on_failed=lambda error: _log.warning(
                "Status bar not refreshed:\n%s", errors.describe_for_log(error)
            ),
        )

    def _on_status_loaded(self, status: StoreStatus) -> None:
        if self._session.user is not None:
            self._status_strip.show_status(status)

    def forget_report_notice(self) -> None:
        """The next check says what waits even if it said the same before (a new sign-in)."""
        self._said_about_reports = ""

    def check_report_queues(self) -> None:
        """Say, once, when a report waits for this user (after sign-in and after each sync)."""
        user = self._session.user
        if user is None or not self._active():
            return
        reports = self._services.reports

        def count() -> tuple[int, int]:
            pending = len(reports.pending_reviews(user)) if reports.can_verify(user) else 0
            returned = len(reports.returned(user)) if allows(user.role, Action.REPORT_WRITE) else 0
            return pending, returned

        self._runner.run_store(count, on_done=self._say_report_queues, on_failed=lambda _e: None)

    def _say_report_queues(self, counts: tuple[int, int]) -> None:
        pending, returned = counts
        parts = []
        if pending:
            parts.append(_tr("{n} scan report(s) wait for your review").format(n=pending))
        if returned:
            parts.append(_tr("{n} of your reports came back with feedback").format(n=returned))
        words = "; ".join(parts) + _tr(". Open Service, Scan reports waiting.") if parts else ""
        if words and words != self._said_about_reports:
            self._notice.add_notice(words, "info")
        self._said_about_reports = words
