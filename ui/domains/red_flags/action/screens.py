"""Red-flag actions, declared."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.screen import ScreenSpec, ShellContext, under_banner
from ui.domains.red_flags.action.view import RedFlagActionsView
from ui.domains.red_flags.action.view_model import RedFlagActionsViewModel


class RedFlagActionsScreen:
    """The open patient's red-flag outcomes waiting for an action, and actions outstanding."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = RedFlagActionsViewModel(
            context.services.red_flags,
            context.services.drafts,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = RedFlagActionsView(self.view_model)
        self._page, self.banner = under_banner(self.view)
        self.view_model.saved.connect(lambda _a: self._announce("red_flags.action_recorded"))
        self.view_model.done.connect(lambda _a: self._announce("red_flags.action_done"))
        context.patient_changed.connect(self._on_patient_changed)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """Show the patient's outcomes waiting for an action and the actions outstanding."""
        if patient is None:
            return
        self.banner.show_record(patient)
        self.view_model.start(patient.id)
        self._context.show(self)

    def save_now(self) -> None:
        """What is typed and not recorded is kept as the user's draft for the patient."""
        self.view_model.save_draft_now()

    def reset(self) -> None:
        """Nothing of one patient or user stays on the page; their draft waits in the store."""
        self.view_model.forget_draft()
        self.banner.clear()
        self.view_model.clear()

    def _announce(self, kind: str) -> None:
        # The record (and its banner's alerts) is read again for this patient.
        self._context.announce(kind, self.view_model.patient_id)

    def _on_patient_changed(self, record: PatientRecord | None) -> None:
        if record is None:
            self.banner.clear()
            self.view_model.clear()
            return
        self.banner.show_record(record)
        if record.id != self.view_model.patient_id:
            self.view_model.save_draft_now()
            self.view_model.forget_draft()
            self.view_model.clear()
        if self._context.is_showing(self):
            self.view_model.start(record.id)


SCREENS = (
    ScreenSpec(
        id="red_flag_actions",
        title="Red-flag ac&tions",
        tip="Record the action taken for a red flag, and mark it done",
        build=RedFlagActionsScreen,
        menu="patient",
        order=6,
        needs_patient=True,
    ),
)
