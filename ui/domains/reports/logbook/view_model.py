"""The logbook screen's state: whose logbook, which period, its rows and summary, and exports."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.reports.views import Logbook, LogbookRow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import UserSummary
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import Task, TaskRunner

#: How the supervisor watched the scan, in the order a portfolio lists them.
SUPERVISION_WORDS = {
    "present": "Present at the scan",
    "remote_live": "Watching live, remotely",
    "retrospective": "Reviewed the images afterwards",
}
_NOT_RECORDED = "Not recorded"
_FALLBACK_SERVICE = "OneStop MSK"


class LogbookSource(Protocol):
    """The part of the report service this screen uses."""

    def logbook(
        self, actor: CurrentUser, trainee_id: uuid.UUID, start: datetime, end: datetime
    ) -> Logbook: ...


class TraineeSource(Protocol):
    """The part of the user service this screen uses: everyone, with their supervisor."""

    def list(self, actor: CurrentUser) -> Sequence[UserSummary]: ...


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months, up to and including ``today``."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February: a year earlier has none
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago, today


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local midnight at the start of ``start`` to local midnight after ``end``.

    The service counts reviews from the first up to, not including, the second, so the last
    day chosen is counted whole.
    """
    first = datetime.combine(start, time.min).astimezone()
    after = datetime.combine(end + timedelta(days=1), time.min).astimezone()
    return first, after


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside the target, then move into place: a failed write leaves no half file."""
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(content)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


class LogbookViewModel(QObject):
    """Whose logbooks the signed-in user may see, the one shown, and saving it as CSV or PDF."""

    trainees_loaded = Signal(object)
    logbook_loaded = Signal(object)
    exported = Signal(str)
    problem = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self,
        reports: LogbookSource,
        people: TraineeSource,
        *,
        runner: TaskRunner,
        session: UserSession,
        service_name: Callable[[], str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._reports = reports
        self._people = people
        self._runner = runner
        self._session = session
        self._service_name = service_name
        #: (id, name) of each trainee whose logbook this user may see.
        self.trainees: list[tuple[uuid.UUID, str]] = []
        #: False when there is nobody else to choose (a trainee sees only their own).
        self.can_choose_trainee = False
        self.start, self.end = default_period(date.today())
        self.book: Logbook | None = None
        #: The first and last day the shown logbook covers.
        self.period: tuple[date, date] | None = None
        # What is under way: "trainees", "logbook", "export". A superseded read never reports
        # back, so each kind is a flag the newest task clears, not a count.
        self._working: set[str] = set()
        self._reads: dict[str, Task] = {}

    @property
    def busy(self) -> bool:
        return bool(self._working)

    @property
    def exporting(self) -> bool:
        """True while a file is being written (one at a time)."""
        return "export" in self._working

    # ------------------------------------------------------------ commands

    def load(self) -> None:
        """List the trainees the signed-in user may see, then show the first one's logbook."""
        actor = self._session.user
        if actor is None:
            return
        # Start afresh: whoever signed in last may have been someone else, on another day.
        for kind in ("trainees", "logbook"):
            self._drop(kind)
        self.book = None
        self.period = None
        self.start, self.end = default_period(date.today())
        if actor.role is Role.TRAINEE:
            self._on_trainees([(actor.id, actor.display_name)], can_choose=False)
            return
        if actor.role is not Role.SUPERVISOR:
            # Only a supervisor is named as anyone's supervisor (the user service insists).
            self._on_trainees([], can_choose=False)
            return
        people = self._people

        def mine() -> list[tuple[uuid.UUID, str]]:
            everyone = people.list(actor)
            trainees = [
                (person.id, person.display_name)
                for person in everyone
                if person.role is Role.TRAINEE and person.supervisor_username == actor.username
            ]
            return sorted(trainees, key=lambda trainee: trainee[1].casefold())

        self._start_work("trainees")
        self._reads["trainees"] = self._runner.run_store(
            mine,
            on_done=lambda trainees: self._on_trainees(trainees, can_choose=True),
            on_failed=lambda error: self._on_failed(error, "trainees"),
            supersede="logbook-trainees",
        )

    def show(self, trainee_id: uuid.UUID, start: date, end: date) -> None:
        """Read the trainee's logbook from ``start`` to ``end``, both days included."""
        actor = self._session.user
        if actor is None:
            return
        if start > end:
            self.problem.emit(
                self.tr("The period must start on or before the day it ends. Change the dates.")
            )
            return
        self.start, self.end = start, end
        first, after = period_bounds(start, end)
        reports = self._reports
        self._start_work("logbook")
        self._reads["logbook"] = self._runner.run_store(
            lambda: reports.logbook(actor, trainee_id, first, after),
            on_done=lambda book: self._on_logbook(book, (start, end)),
            on_failed=self._on_logbook_failed,
            supersede="logbook",
        )

    def export_csv(self, path: str) -> None:
        """Save the logbook shown as a spreadsheet (CSV) at ``path``."""
        book = self.book
        if book is None:
            return

        def write() -> None:
            # On the I/O pool: the screen opens without loading the writers (and reportlab).
            from clinic_app.domains.reports.logbook_pdf import logbook_csv  # noqa: PLC0415

            # With a byte-order mark: Excel, where most people open it, misreads accents without.
            _write_atomically(Path(path), logbook_csv(book).encode("utf-8-sig"))

        self._export(write, path)

    def export_pdf(self, path: str) -> None:
        """Save the logbook shown as a printable PDF at ``path``."""
        book = self.book
        if book is None:
            return
        service = self._service_name() if self._service_name is not None else ""
        if not service:
            actor = self._session.user
            service = (actor.site_name if actor is not None else None) or _FALLBACK_SERVICE
        printed_at = datetime.now().astimezone()

        def write() -> None:
            from clinic_app.domains.reports.logbook_pdf import logbook_pdf  # noqa: PLC0415 - as above

            _write_atomically(Path(path), logbook_pdf(book, service, printed_at))

        self._export(write, path)

    # ------------------------------------------------------------ what the screen shows

    def supervision_words(self, mode: str) -> str:
        """A supervision mode code as the supervisor would say it."""
        words = SUPERVISION_WORDS.get(mode)
        return self.tr(words) if words is not None else self.tr(_NOT_RECORDED)

    def rows(self) -> list[tuple[str, str, int]]:
        """(body region, supervision in words, scans), by region and then supervision."""
        if self.book is None:
            return []
        order = list(SUPERVISION_WORDS)

        def key(row: LogbookRow) -> tuple[str, int]:
            mode = row.supervision_mode
            return row.body_region.casefold(), order.index(mode) if mode in order else len(order)

        return [
            (row.body_region, self.supervision_words(row.supervision_mode), row.scans)
            for row in sorted(self.book.rows, key=key)
        ]

    def summary(self) -> str:
        """One line: verified scans, concordance with its parts, and reports returned."""
        book = self.book
        if book is None:
            return ""
        if book.verified == 1:
            verified = self.tr("1 verified scan")
        else:
            verified = self.tr("{count} verified scans").format(count=book.verified)
        returned = self.tr("{count} returned for changes").format(count=book.returned)
        if book.concordance is None:
            return " · ".join((verified, self.tr("concordance —"), returned))
        concordance = self.tr(
            "concordance {pct}% (agreed {agree}, minor discordance {minor}, "
            "major discordance {major})"
        ).format(
            pct=f"{book.concordance * 100:.1f}",
            agree=book.agree,
            minor=book.minor,
            major=book.major,
        )
        return " · ".join((verified, concordance, returned))

    def suggested_file_name(self, suffix: str) -> str:
        """A file name for the logbook shown: whose, and which period (``suffix`` like ".csv")."""
        if self.book is None or self.period is None:
            return f"logbook{suffix}"
        words = ("".join(c for c in word if c.isalnum()) for word in self.book.trainee_name.split())
        who = "-".join(word for word in words if word)
        first, last = self.period
        return f"logbook-{who or 'trainee'}-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}{suffix}"

    # ------------------------------------------------------------ results

    def _on_trainees(self, trainees: list[tuple[uuid.UUID, str]], *, can_choose: bool) -> None:
        self._finish_work("trainees")
        self.trainees = trainees
        self.can_choose_trainee = can_choose and bool(trainees)
        self.trainees_loaded.emit(trainees)
        if trainees:
            self.show(trainees[0][0], self.start, self.end)
        else:
            self.book = None
            self.period = None

    def _on_logbook(self, book: Logbook, period: tuple[date, date]) -> None:
        self._finish_work("logbook")
        self.book = book
        self.period = period
        self.logbook_loaded.emit(book)

    def _on_logbook_failed(self, error: BaseException) -> None:
        self.book = None
        self.period = None
        self._on_failed(error, "logbook")

    def _export(self, write: Callable[[], None], path: str) -> None:
        if "export" in self._working:
            return
        self._start_work("export")
        self._runner.run_io(
            write,
            on_done=lambda _none: self._on_exported(path),
            on_failed=self._on_export_failed,
        )

    def _on_exported(self, path: str) -> None:
        self._finish_work("export")
        self.exported.emit(path)

    def _on_export_failed(self, error: BaseException) -> None:
        if isinstance(error, OSError):
            # The folder or disk, not a fault in the app: say so plainly, nothing to log.
            self._finish_work("export")
            self.problem.emit(
                self.tr(
                    "The file could not be saved ({why}). Choose another folder or name."
                ).format(why=error.strerror or type(error).__name__)
            )
            return
        self._on_failed(error, "export")

    def _on_failed(self, error: BaseException, kind: str) -> None:
        self._finish_work(kind)
        self.problem.emit(errors.explain(error))

    def _drop(self, kind: str) -> None:
        """Forget a read still under way: its answer was for an earlier user or choice."""
        task = self._reads.pop(kind, None)
        if task is not None:
            self._runner.cancel(task)
        self._finish_work(kind)

    def _start_work(self, kind: str) -> None:
        was_busy = self.busy
        self._working.add(kind)
        if not was_busy:
            self.busy_changed.emit(True)

    def _finish_work(self, kind: str) -> None:
        self._reads.pop(kind, None)
        was_busy = self.busy
        self._working.discard(kind)
        if was_busy and not self.busy:
            self.busy_changed.emit(False)
