"""The triage worklist, declared."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.triage.worklist.view import WorklistView
from ui.domains.triage.worklist.view_model import WorklistViewModel


class WorklistScreen:
    """Untriaged referrals, the most pressing first."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = WorklistViewModel(
            context.services.triage,
            context.services.reference,
            runner=context.runner,
            session=context.session,
            drafts=context.services.drafts,
            parent=context.owner,
        )
        self.view = WorklistView(self.view_model)
        # Shown full width, so its table's natural width must not set every page's minimum.
        self.view.setMinimumWidth(560)
        # A list of many patients opens one patient's record only when asked to.
        self.view.open_record_requested.connect(
            lambda patient_id: context.open("patient", patient_id)
        )
        self.view_model.triaged.connect(
            lambda item: context.announce("referral.triaged", getattr(item, "patient_id", None))
        )
        context.record_changed.connect(self._on_record_changed)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.refresh()
        self.view.focus_list()

    def save_now(self) -> None:
        """What was typed about the chosen referral, not yet recorded, is kept as a draft."""
        self.view_model.save_draft_now()

    def reset(self) -> None:
        self.view_model.clear()

    def _on_record_changed(self, kind: str, _patient_id: object) -> None:
        # Referrals recorded (or triaged) on another laptop come with a sync round; the
        # referral being triaged stays chosen while it is still waiting.
        if kind == "sync.received" and self._context.is_showing(self):
            self.view_model.refresh()


SCREENS = (
    ScreenSpec(
        id="worklist",
        title="Triage &worklist",
        tip="New referrals by the date they are due, to triage",
        build=WorklistScreen,
        menu="patient",
        order=1,
        shortcut="Ctrl+T",
        lists_patients=True,
        placement=Placement.WIDE,
    ),
)
