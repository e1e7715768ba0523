"""Registering a patient, declared."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.screen import ScreenSpec, ShellContext
from ui.domains.people.register.view import RegisterView
from ui.domains.people.register.view_model import RegisterViewModel


class RegisterScreen:
    """The registration form; its draft is kept, and offered again after signing in."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        services = context.services
        self.view_model = RegisterViewModel(
            services.patients,
            services.reference,
            services.drafts,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = RegisterView(self.view_model)
        self.view_model.saved.connect(self._on_saved)
        self.view_model.draft_restored.connect(self._on_draft_restored)
        context.signed_in.connect(lambda _user: self.view_model.start())

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        self._context.show(self)
        self.view.focus_first_field()

    def submit(self) -> None:
        self.view.submit()

    def save_now(self) -> None:
        self.view_model.save_draft_now()

    def reset(self) -> None:
        self.view_model.reset()

    def _on_saved(self, record: PatientRecord) -> None:
        self._context.open("patient", record)
        self._context.announce("patient.registered", record.id)

    def _on_draft_restored(self, _values: object) -> None:
        self._context.say_on(
            "home",
            QCoreApplication.translate(
                "Screens",
                "You have an unfinished patient registration. It is waiting for you under "
                "Register a patient (Ctrl+N).",
            ),
        )


SCREENS = (
    ScreenSpec(
        id="register",
        title="Re&gister a patient",
        tip="Register a patient new to the service",
        build=RegisterScreen,
        menu="patient",
        order=2,
        shortcut="Ctrl+N",
        form=True,
        # Built with the workspace: a kept draft is offered as soon as someone signs in.
        eager=True,
    ),
)
