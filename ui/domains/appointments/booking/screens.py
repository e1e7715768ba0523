"""The open patient's appointments, declared: book, rebook, cancel, settle double bookings."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QWidget

from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common.drafts import FormDraft
from ui.common.screen import ScreenSpec, ShellContext
from ui.domains.appointments.booking.view import BookingView
from ui.domains.appointments.booking.view_model import BookingViewModel


class BookingScreen:
    """The banner patient's appointments, coming ones first."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = BookingViewModel(
            context.services.appointments,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = BookingView(
            self.view_model,
            draft=FormDraft(
                context.services.drafts,
                context.runner,
                context.session,
                "appointment.booking",
                parent=context.owner,
            ),
        )
        self.view_model.saved.connect(
            lambda result, what: context.announce(
                f"appointment.{what}", getattr(result, "patient_id", None)
            )
        )
        context.record_changed.connect(self._on_record_changed)

    @property
    def page(self) -> QWidget:
        return self.view

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """The patient's appointments; ``item`` (an appointment id) is chosen in the list."""
        if patient is None:
            return
        self.view_model.start(patient.id)
        self.view.resume_draft(patient.id)
        if isinstance(item, uuid.UUID):
            self.view.select(item)
        self._context.show(self)

    def show_notice(self, text: str, kind: str) -> None:
        self.view.notice.show_notice(text, kind)

    def save_now(self) -> None:
        """A booking typed and not made yet is kept as the user's draft for the patient."""
        self.view.save_draft_now()

    def reset(self) -> None:
        self.view.leave_draft()  # written first: the form is about to be emptied
        self.view.reset()
        self.view_model.clear()

    def _on_record_changed(self, kind: str, patient_id: uuid.UUID | None) -> None:
        mine = self.view_model.patient_id
        if mine is not None and (patient_id == mine or kind == "sync.finished"):
            self.view_model.reload()


SCREENS = (
    ScreenSpec(
        id="appointments",
        title="&Appointments",
        tip="The open patient's appointments: book, rebook, cancel",
        build=BookingScreen,
        menu="patient",
        order=3,
        shortcut="Ctrl+B",
        who=Action.APPOINTMENT_VIEW,
        needs_patient=True,
    ),
)
