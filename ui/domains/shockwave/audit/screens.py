"""The shockwave audit, declared: the service lead's for everyone, a clinician's their own."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.shockwave.audit.view import ShockwaveAuditView
from ui.domains.shockwave.audit.view_model import ShockwaveAuditViewModel


class ShockwaveAuditScreen:
    """Shockwave courses closed over a range of months, per indication, with their changes."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = ShockwaveAuditViewModel(
            context.services.shockwave,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = ShockwaveAuditView(self.view_model)

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


def _may_see(user: CurrentUser) -> bool:
    """The service lead (who keeps the device register), and whoever gives shockwave."""
    return allows(user.role, Action.ESWT_DEVICE_MANAGE) or allows(user.role, Action.ESWT_RECORD)


SCREENS = (
    ScreenSpec(
        id="shockwave_audit",
        title="Shoc&kwave audit",
        tip="Shockwave courses closed over a range of months, per indication, saved as CSV",
        build=ShockwaveAuditScreen,
        menu="service",
        group=1,
        order=7,
        who=_may_see,
        placement=Placement.WIDE,
    ),
)
