"""The decision aids' review list, declared (service lead)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.decisions.review.view import AidsReviewView
from ui.domains.decisions.review.view_model import AidsReviewViewModel


class AidsReviewScreen:
    """Which decision aids are due for review, and which files are not offered and why."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = AidsReviewViewModel(
            context.services.decisions,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = AidsReviewView(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()

    def save_now(self) -> None:
        """Nothing is typed here."""

    def reset(self) -> None:
        self.view_model.reset()


SCREENS = (
    ScreenSpec(
        id="decision_aids_review",
        title="Decision a&ids to review",
        tip="Decision aids due for review, and aid files not offered with the reason",
        build=AidsReviewScreen,
        menu="service",
        group=1,
        order=5,
        who=Action.DECISION_AIDS_REVIEW,
        placement=Placement.WIDE,
    ),
)
