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
        # A merge moves one record into the other: an open record (and the banner) follows.
        self.view_model.resolved.connect(
            lambda outcome: (
                context.announce("patient.merged", None) if outcome == "merged" else None
            )
        )
        context.record_changed.connect(self._on_record_changed)

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

    def _on_record_changed(self, kind: str, _patient_id: object) -> None:
        # A pair flagged (or settled) on another laptop comes with a sync round.
        if kind == "sync.received" and self._context.is_showing(self):
            self.view_model.load()


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
