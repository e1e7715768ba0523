"""Clinicians' regular sessions, declared (service menu)."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.screen import Placement, ScreenSpec, ShellContext
from ui.domains.appointments.sessions.view import SessionsView
from ui.domains.appointments.sessions.view_model import SessionsViewModel


class SessionsScreen:
    """The sessions that make the slots: list, add, change, end."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = SessionsViewModel(
            context.services.appointments,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = SessionsView(self.view_model)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view_model.load()
        if isinstance(item, uuid.UUID):
            self.view.select(item)

    def show_notice(self, text: str, kind: str) -> None:
        self.view.notice.show_notice(text, kind)

    def save_now(self) -> None:
        """A session changes only when saved on purpose."""

    def reset(self) -> None:
        self.view.reset()
        self.view_model.clear()


SCREENS = (
    ScreenSpec(
        id="sessions",
        title="Clinicians' &sessions",
        tip="Clinicians' regular sessions, which make the slots offered for booking",
        build=SessionsScreen,
        menu="service",
        group=1,
        order=4,
        who=Action.CLINIC_TEMPLATE_MANAGE,
        placement=Placement.WIDE,
    ),
)
