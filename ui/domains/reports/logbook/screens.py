"""The ultrasound logbook, declared."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.reports.logbook.view import LogbookView
from ui.domains.reports.logbook.view_model import LogbookViewModel


def keeps_logbooks(user: CurrentUser) -> bool:
    """Trainees keep a logbook; supervisors read their trainees'. No one else has one."""
    return user.role in {Role.TRAINEE, Role.SUPERVISOR}


class LogbookScreen:
    """A trainee's verified scans by region and supervision, for accreditation."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = LogbookViewModel(
            context.services.reports,
            context.services.users,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = LogbookView(self.view_model)
        # Shown full width; its natural width must not set every page's minimum.
        self.view.setMinimumWidth(560)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()

    def save_now(self) -> None:
        """Nothing is typed here."""

    def reset(self) -> None:
        """It is read afresh, for whoever is signed in, each time it is opened."""


SCREENS = (
    ScreenSpec(
        id="logbook",
        title="Ultrasound log&book",
        tip="A trainee's verified scans by region and supervision, for accreditation",
        build=LogbookScreen,
        menu="service",
        order=2,
        who=keeps_logbooks,
        placement=Placement.WIDE,
    ),
)
