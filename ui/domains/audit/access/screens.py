"""The access trail, declared: admins only, in the Service menu."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.audit.access.view import AccessTrailView
from ui.domains.audit.access.view_model import AccessTrailViewModel


class AccessTrailScreen:
    """Who opened or changed one patient's record, where and when."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = AccessTrailViewModel(
            context.services.audit_log,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = AccessTrailView(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view.nhs_edit.setFocus()

    def save_now(self) -> None:
        """Nothing is typed that needs keeping."""

    def reset(self) -> None:
        """Nothing of one question stays for the next user."""
        self.view.nhs_edit.clear()
        self.view_model.reset()


SCREENS = (
    ScreenSpec(
        id="access_trail",
        title="&Access trail",
        tip="Who opened or changed a patient's record, where and when (administrators)",
        build=AccessTrailScreen,
        menu="service",
        group=1,
        order=3,
        who=Action.AUDIT_VERIFY,
        placement=Placement.WIDE,
    ),
)
