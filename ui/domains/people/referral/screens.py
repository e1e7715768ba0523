"""Recording a referral, declared."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord, ReferralSummary
from ui.common.screen import ScreenSpec, ShellContext
from ui.domains.people.referral.view import ReferralView
from ui.domains.people.referral.view_model import ReferralViewModel


class ReferralScreen:
    """A new referral for the open patient; its draft is kept."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        services = context.services
        self.view_model = ReferralViewModel(
            services.referrals,
            services.reference,
            services.drafts,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = ReferralView(self.view_model)
        self.view.back_requested.connect(lambda: context.open("patient"))
        self.view_model.saved.connect(self._on_saved)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        if patient is None:
            return
        self.view_model.start(patient)
        self._context.show(self)
        self.view.focus_first_field()

    def submit(self) -> None:
        self.view.submit()

    def save_now(self) -> None:
        self.view_model.save_draft_now()

    def reset(self) -> None:
        self.view_model.reset()

    def _on_saved(self, referral: ReferralSummary) -> None:
        self._context.announce("referral.saved", referral.patient_id)
        self._context.open("patient")


SCREENS = (
    ScreenSpec(
        id="referral",
        title="New &referral",
        tip="Record a new referral for the open patient",
        build=ReferralScreen,
        menu="patient",
        order=3,
        shortcut="Ctrl+R",
        needs_patient=True,
        form=True,
    ),
)
