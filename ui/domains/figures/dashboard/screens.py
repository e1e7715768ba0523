"""The service figures dashboard, declared (Service menu): the service lead's and a clinician's."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.figures.dashboard.whose import Whose


def may_use(user: CurrentUser) -> bool:
    """The service lead (the whole service's figures) and clinicians (their own)."""
    return allows(user.role, Action.FIGURES_SERVICE) or allows(user.role, Action.FIGURES_OWN)


def whose(user: CurrentUser) -> Whose:
    """Whose figures ``user`` sees, by the permissions the figures' service checks."""
    return Whose(
        service=allows(user.role, Action.FIGURES_SERVICE),
        own=allows(user.role, Action.FIGURES_OWN),
    )


class ServiceFiguresScreen:
    """The service's measures over the last 12 months: trends, targets and breakdowns."""

    def __init__(self, context: ShellContext) -> None:
        # The figures' modules load when the screen is first opened, not at sign-in.
        from ui.domains.figures.dashboard.view import ServiceFiguresPage  # noqa: PLC0415
        from ui.domains.figures.dashboard.view_model import ServiceFiguresViewModel  # noqa: PLC0415

        self._context = context
        services = context.services
        self.view_model = ServiceFiguresViewModel(
            services.figures,
            services.sync,
            runner=context.runner,
            session=context.session,
            whose=whose,
            today=services.context.today,
            parent=context.owner,
        )
        self.view = ServiceFiguresPage(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()
        self.view.table.setFocus()

    def save_now(self) -> None:
        """Nothing is typed here."""

    def reset(self) -> None:
        self.view_model.reset()


SCREENS = (
    ScreenSpec(
        id="service_figures",
        title="S&ervice figures",
        tip="The service's measures month by month against their targets, and broken down",
        build=ServiceFiguresScreen,
        menu="service",
        group=1,
        order=10,
        who=may_use,
        placement=Placement.WIDE,
    ),
)
