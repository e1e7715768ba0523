"""The possible duplicates list, declared: for supervisors and the service lead."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.people.duplicates.view import DuplicatesView
from ui.domains.people.duplicates.view_model import DuplicatesViewModel


class DuplicatesScreen:
    """Pairs of records that may be one person; merge them or say they are not."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = DuplicatesViewModel(
            context.services.duplicates,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = DuplicatesView(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()

    def save_now(self) -> None:
        """A reason half typed is not kept: a merge is made on purpose, never by autosave."""

    def reset(self) -> None:
        self.view_model.clear()
        self.view.reset()


SCREENS = (
    ScreenSpec(
        id="duplicates",
        title="Possible duplicate pa&tients",
        tip="Patient records that may be one person: merge them, or say they are not",
        build=DuplicatesScreen,
        menu="service",
        group=0,
        order=5,
        who=Action.PATIENT_MERGE,
        lists_patients=True,
        placement=Placement.WIDE,
    ),
)
