"""The open PIFU windows, declared (Service menu): a clinician's own, and the whole service's."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.domains.care_plans.views import PifuWindow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientRecord
from ui.common.patient_list import open_row_patient
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.care_plans.pifu.view import PifuWindowsPage
from ui.domains.care_plans.pifu.view_model import PifuWindowsViewModel

#: The care plan screen's id: a row opens its plan there.
CARE_PLAN_SCREEN = "care_plan"


def makes_plans(user: CurrentUser) -> bool:
    """The user makes and signs care plans, so has windows of their own."""
    return allows(user.role, Action.CARE_PLAN_RECORD)


def oversees(user: CurrentUser) -> bool:
    """Supervisors and the service lead see every clinician's windows."""
    return allows(user.role, Action.PIFU_OVERSIGHT)


def may_use(user: CurrentUser) -> bool:
    """Whoever has windows of their own, or oversees everyone's."""
    return makes_plans(user) or oversees(user)


class PifuWindowsScreen:
    """Patients who can book straight back; a row opens the patient and their care plan."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = PifuWindowsViewModel(
            context.services.care_plans,
            runner=context.runner,
            session=context.session,
            makes_plans=makes_plans,
            oversees=oversees,
            parent=context.owner,
        )
        self.view = PifuWindowsPage(self.view_model)
        self.view.open_requested.connect(self._open_plan)
        context.record_changed.connect(self._on_record_changed)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()
        self.view.table.setFocus()

    def save_now(self) -> None:
        """Nothing is typed here."""

    def reset(self) -> None:
        self.view_model.reset()

    def _open_plan(self, window: PifuWindow) -> None:
        """Open the row's patient, then the plan that opened the window."""
        user = self._context.session.user
        # The service lead reads the record; the care plan screen is for clinicians.
        if user is not None and makes_plans(user):
            open_row_patient(self._context, window.patient_id, CARE_PLAN_SCREEN, window.plan_id)
        else:
            open_row_patient(self._context, window.patient_id)

    def _on_record_changed(self, kind: str, _patient_id: object) -> None:
        # A plan signed (a review replaces its window), here or brought by a sync round,
        # changes the list.
        if kind in ("care_plan.signed", "sync.received") and self._context.is_showing(self):
            self.view_model.load()


SCREENS = (
    ScreenSpec(
        id="pifu_windows",
        title="PI&FU windows",
        tip="Patients who can book straight back, and whose window is about to lapse",
        build=PifuWindowsScreen,
        menu="service",
        group=1,
        order=9,
        who=may_use,
        lists_patients=True,
        placement=Placement.WIDE,
    ),
)
