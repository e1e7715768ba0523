"""Images waiting for a patient, declared: built when first opened (it brings pydicom)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.imaging.orphans.view_model import OrphansViewModel


class OrphansScreen:
    """Images that arrived without a patient the app could match, to be given one."""

    def __init__(self, context: ShellContext) -> None:
        from ui.domains.imaging.orphans.view import OrphansView  # noqa: PLC0415 - heavy, see above

        self._context = context
        self.view_model = OrphansViewModel(
            context.services.imaging,
            context.services.patients,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = OrphansView(self.view_model)
        # Shown full width; its natural width must not set every page's minimum.
        self.view.setMinimumWidth(560)
        self.view_model.assigned.connect(
            lambda view: context.announce("images.assigned", getattr(view, "patient_id", None))
        )
        context.record_changed.connect(self._on_record_changed)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()

    def save_now(self) -> None:
        """An image is given its patient when the button is pressed; nothing waits."""

    def reset(self) -> None:
        """Emptied: the next user sees neither the last one's queue nor their search."""
        self.view_model.clear()
        self.view.forget()

    def _on_record_changed(self, kind: str, _patient_id: object) -> None:
        # An object a scanner pushed that matched nobody joins the queue while it is up; one
        # assigned on another laptop leaves it with a sync round.
        if kind in ("images.received", "sync.received") and self._context.is_showing(self):
            self.view_model.load()


SCREENS = (
    ScreenSpec(
        id="orphans",
        title="Images waiting for a &patient",
        tip="Images that arrived without a patient the app could match",
        build=OrphansScreen,
        menu="service",
        order=0,
        who=Action.IMAGE_CAPTURE,
        lists_patients=True,
        placement=Placement.WIDE,
    ),
)
