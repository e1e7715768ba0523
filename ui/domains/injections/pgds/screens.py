"""The PGD register, declared (service lead)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.injections.pgds.view import PgdRegisterView
from ui.domains.injections.pgds.view_model import PgdRegisterViewModel

#: The roles whose users may give an injection: the practitioners a PGD may name.
INJECTING_ROLES = tuple(role for role in Role if allows(role, Action.INJECTION_RECORD))


class PgdRegisterScreen:
    """Every patient group direction: its dates, what it covers and who works under it."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        services = context.services
        self.view_model = PgdRegisterViewModel(
            services.pgds,
            services.users,
            injecting_roles=INJECTING_ROLES,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = PgdRegisterView(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()

    def save_now(self) -> None:
        """A PGD is saved only when the service lead says so: nothing is kept half-typed."""

    def reset(self) -> None:
        self.view_model.reset()
        self.view.close_editor()


SCREENS = (
    ScreenSpec(
        id="pgd_register",
        title="Patient &group directions",
        tip="The PGDs injections are given under: their dates, drugs, sites and practitioners",
        build=PgdRegisterScreen,
        menu="service",
        group=1,
        order=6,
        who=Action.PGD_MANAGE,
        placement=Placement.WIDE,
    ),
)
