"""Sync, declared."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.sync.sync.view import SyncView
from ui.domains.sync.sync.view_model import SyncViewModel


class SyncScreen:
    """How this device stands with the server, conflicts to choose, changes refused."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = SyncViewModel(
            context.services.sync,
            context.services.status,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = SyncView(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()

    def save_now(self) -> None:
        """A choice in a conflict is recorded when it is made."""

    def reset(self) -> None:
        """It is read afresh each time it is opened."""


SCREENS = (
    ScreenSpec(
        id="sync",
        title="S&ync",
        tip="How this device stands with the server, and conflicts to choose",
        build=SyncScreen,
        menu="service",
        group=1,
        order=2,
        placement=Placement.WIDE,
    ),
)
