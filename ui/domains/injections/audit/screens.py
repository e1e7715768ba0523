"""The injections audit, declared: the service lead's for everyone, a clinician's their own."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.injections.audit.view import InjectionAuditView
from ui.domains.injections.audit.view_model import InjectionAuditViewModel


class InjectionAuditScreen:
    """Injections over a range of months: by target, guidance and authority, and their rates."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = InjectionAuditViewModel(
            context.services.injections,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = InjectionAuditView(self.view_model)

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
    """The service lead (who keeps the PGD register), and whoever gives injections."""
    return allows(user.role, Action.PGD_MANAGE) or allows(user.role, Action.INJECTION_RECORD)


SCREENS = (
    ScreenSpec(
        id="injection_audit",
        title="In&jections audit",
        tip="Injections over a range of months: counts and rates, no patient, saved as CSV",
        build=InjectionAuditScreen,
        menu="service",
        group=1,
        order=6,
        who=_may_see,
        placement=Placement.WIDE,
    ),
)
