"""The day lists, declared: a clinician's own day (home after sign-in) and a site's day."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from clinic_app.domains.reports.views import ReportView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.appointments.day.view import DayView
from ui.domains.appointments.day.view_model import ARRIVAL, CONTACT, DayViewModel

_STEP_ACTIONS = {ARRIVAL: Action.APPOINTMENT_ARRIVE, CONTACT: Action.CONTACT_RECORD}


def _may(context: ShellContext) -> Callable[[str], bool]:
    """Who may take a step, by the same rule the service checks."""

    def may(who: str) -> bool:
        user = context.session.user
        return user is not None and allows(user.role, _STEP_ACTIONS[who])

    return may


class DayScreen:
    """A day list; it opens the chosen patient's record only when asked (Enter)."""

    site_view = False

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = DayViewModel(
            context.services.appointments,
            context.services.patients,
            runner=context.runner,
            session=context.session,
            site_view=self.site_view,
            may=_may(context),
            server_set_up=lambda: bool(context.services.sync.configured()),
            chosen=context.choose_patient,
            parent=context.owner,
        )
        self.view = DayView(self.view_model)
        self.view.setMinimumWidth(520)
        self.view.open_requested.connect(self.view_model.open_entry)
        self.view_model.record_ready.connect(self._open_record)
        self.view_model.stepped.connect(
            lambda result, step: context.announce(f"appointment.{step}", result.patient_id)
        )
        context.record_changed.connect(self._on_record_changed)
        self._read_ahead = False
        #: The read ahead's listener while its answer is awaited (see :meth:`read_ahead`).
        self._awaiting: Callable[..., None] | None = None

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        # Shown before the read ahead answered (a slow store): that answer, when it comes,
        # must not count as a read ahead for the next opening, which would then not read.
        self._stop_awaiting()
        # A list read ahead (behind the sign-in screen) is shown as read, once.
        if self._read_ahead:
            self._read_ahead = False
        else:
            self.view_model.refresh()
        if isinstance(item, uuid.UUID):
            self.view.select(item)
        self.view.focus_list()

    def read_ahead(self, ready: Callable[[], None]) -> None:
        """Read the list before the page is shown; ``ready`` once it is read or has failed."""
        vm = self.view_model
        signals = (vm.day_loaded, vm.problem, vm.sites_loaded)

        def answered(*answer: object) -> None:
            if answer and answer[0] is None:
                return  # the list cleared (a sign-out), not read
            if answer and isinstance(answer[0], list) and answer[0]:
                return  # the sites came: the list itself is read next
            self._stop_awaiting()
            self._read_ahead = True
            ready()

        self._stop_awaiting()
        self._awaiting = answered
        for signal in signals:
            signal.connect(answered)
        vm.refresh()

    def _stop_awaiting(self) -> None:
        """No longer listen for the read ahead's answer."""
        answered, self._awaiting = self._awaiting, None
        if answered is None:
            return
        vm = self.view_model
        for signal in (vm.day_loaded, vm.problem, vm.sites_loaded):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(answered)

    def show_notice(self, text: str, kind: str) -> None:
        self.view.notice.show_notice(text, kind)

    def save_now(self) -> None:
        """Each step is saved when it is taken; nothing waits."""

    def reset(self) -> None:
        self._stop_awaiting()
        self._read_ahead = False
        if self.view.dna_dialog is not None:
            self.view.dna_dialog.reject()
        self.view_model.clear()

    def _open_record(self, record: PatientRecord, screen_id: str, item: object) -> None:
        # The record first: the banner names the patient before anything is opened for them.
        self._context.open("patient", record)
        if screen_id == "patient":
            return
        if screen_id == "report":
            self._open_waiting_report(record)
            return
        # A screen this build does not have: the record itself stays open.
        with contextlib.suppress(KeyError):
            self._context.open(screen_id, item)

    def _open_waiting_report(self, record: PatientRecord) -> None:
        """The scan report the row says is waiting for this user: to review, or to change.

        A trainee's report sent to this supervisor opens chosen in the review queue; one
        returned to this user opens on the report page; their own draft is reached from the
        patient's images, which open.
        """
        user = self._context.session.user
        if user is None:
            return
        reports = self._context.services.reports

        def find() -> tuple[str, ReportView | None]:
            if reports.can_verify(user):
                for waiting in reports.pending_reviews(user):
                    if waiting.report.patient_id == record.id:
                        return "review", waiting.report
            for returned in reports.returned(user):
                if returned.patient_id == record.id:
                    return "report", returned
            return "imaging", None

        def found(where: tuple[str, ReportView | None]) -> None:
            banner = self._context.patient
            if banner is None or banner.id != record.id:
                return  # another patient was chosen meanwhile
            screen_id, report = where
            with contextlib.suppress(KeyError):
                self._context.open(screen_id, report)

        self._context.runner.run_store(find, on_done=found, on_failed=self._context.explain_failure)

    def _on_record_changed(self, _kind: str, _patient_id: uuid.UUID | None) -> None:
        # On show, the list follows every change (a sync, a step, a note signed); hidden, it
        # is read afresh when it is next opened.
        if self._context.session.user is not None and self._context.is_showing(self):
            self.view_model.refresh()


class SiteDayScreen(DayScreen):
    """Every clinician's appointments at a site: reception marks arrivals here."""

    site_view = True


def may_see_own_day(user: CurrentUser) -> bool:
    """A clinician's own day: for those who record care contacts."""
    return allows(user.role, Action.CONTACT_RECORD)


SCREENS = (
    ScreenSpec(
        id="today",
        title="My &day list",
        tip="Your appointments today, in time order, with what each needs",
        build=DayScreen,
        menu="patient",
        order=0,
        shortcut="Ctrl+D",
        who=may_see_own_day,
        lists_patients=True,
        # Made with the workspace, behind the sign-in window: the first page after sign-in.
        eager=True,
    ),
    ScreenSpec(
        id="site_day",
        title="Site day &list",
        tip="Every clinician's appointments at a site on a day: arrivals and the day's running",
        build=SiteDayScreen,
        menu="service",
        group=0,
        order=0,
        who=Action.APPOINTMENT_VIEW,
        lists_patients=True,
        placement=Placement.WIDE,
        eager=True,
    ),
)
