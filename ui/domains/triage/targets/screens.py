"""The service's waiting-time targets, declared."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.triage.targets.view import WaitingTimesView
from ui.domains.triage.targets.view_model import WaitingTimesViewModel


class WaitingTimesScreen:
    """The targets with their sources (only the service lead can change them)."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = WaitingTimesViewModel(
            context.services.settings,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = WaitingTimesView(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()

    def save_now(self) -> None:
        """Targets change only when saved on purpose: a half-changed contract is not kept."""

    def reset(self) -> None:
        """It is read afresh each time it is opened."""


SCREENS = (
    ScreenSpec(
        id="settings",
        title="&Waiting-time targets",
        tip="The service's waiting-time targets, with their sources",
        build=WaitingTimesScreen,
        menu="service",
        group=1,
        order=0,
        placement=Placement.WIDE,
    ),
)
