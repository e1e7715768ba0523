"""The contact note, declared."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QWidget

from clinic_app.domains.contacts.views import ContactNoteView as NoteRecord
from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common import formatting
from ui.common.printing import LeftBehind, PdfDelivery, document_file_name
from ui.common.screen import Placement, ScreenSpec, ShellContext, record_holder, under_banner
from ui.common.text_draft import addendum_draft
from ui.domains.contacts.note.view import ContactNoteView
from ui.domains.contacts.note.view_model import ContactNoteViewModel

#: The screen that records a questionnaire for the banner's patient.
QUESTIONNAIRE_SCREEN = "questionnaire"


def item_to_open(item: object) -> uuid.UUID | None:
    """The id ``item`` names: itself, or a timeline entry's item (None: nothing named)."""
    if isinstance(item, uuid.UUID):
        return item
    found = getattr(item, "item_id", None)
    return found if isinstance(found, uuid.UUID) else None


class ContactNoteScreen:
    """The note of the banner patient's contact: written, signed, then added to."""

    def __init__(self, context: ShellContext, *, today: Callable[[], date] = date.today) -> None:
        self._context = context
        self._today = today
        self._patient: PatientRecord | None = None
        self.view_model = ContactNoteViewModel(
            context.services.contact_notes,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = ContactNoteView(self.view_model)
        # An addendum being written is its writer's draft of that signed note only.
        self.addendum = addendum_draft(context, "contact_note.addendum", self.view.addendum_text)
        self.view_model.note_changed.connect(self._on_note_shown)
        self.view_model.addendum_added.connect(lambda _note: self.addendum.done())
        self.pdf_delivery = PdfDelivery(self.view)
        self._page, self.banner = under_banner(self.view)
        self.view_model.saved.connect(lambda note: self._announce("contact_note.saved", note))
        self.view_model.signed.connect(lambda note: self._announce("contact_note.signed", note))
        self.view_model.addendum_added.connect(
            lambda note: self._announce("contact_note.signed", note)
        )
        self.view_model.printed.connect(self._save_pdf)
        self._left = LeftBehind(
            context.signed_in, context.say, lambda: self.view.tr("The contact note")
        )
        self.view_model.print_left_behind.connect(self._left.not_printed)
        self.view_model.sign_left_behind.connect(self._on_sign_left_behind)
        self.view.print_requested.connect(self.view_model.print_note)
        self.view.questionnaire_requested.connect(self._open_questionnaire)
        context.patient_changed.connect(self._on_patient_changed)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """The note named by ``item`` (a note's or an appointment's id, or a timeline entry).

        With no item, the user's own draft for this patient continues, else a new note
        starts. Only ever for ``patient``, the banner's.
        """
        if patient is None:
            return
        self.save_now()
        self._patient = patient
        self._left.opened(
            patient.id,
            formatting.patient_name(patient.family_name, patient.given_name, patient.title),
        )
        self.banner.show_record(patient)
        self.view_model.open(patient.id, item_to_open(item))
        self._context.show(self)
        self.view.focus_first_field()

    def submit(self) -> None:
        self.view_model.save_now()

    def save_now(self) -> None:
        self.view_model.save_now()
        self.addendum.save_now()

    def reset(self) -> None:
        # Saved first (switching user calls save_now before this), then forgotten.
        self.addendum.about(None)  # the addendum being written kept, the box emptied
        self._patient = None
        self.banner.clear()
        self.view_model.reset()
        self.view.password.clear()
        self.view.addendum_password.clear()

    def _on_note_shown(self, note: object) -> None:
        """The addendum box is about the signed note shown, and no other."""
        self.addendum.about_record(note, signed=self.view_model.is_signed)

    def _on_patient_changed(self, record: PatientRecord | None) -> None:
        # Another patient in the banner: nothing of this one may stay on the form.
        if self._patient is not None and (record is None or record.id != self._patient.id):
            self.save_now()
            self.reset()

    def _open_questionnaire(self, questionnaire_id: str) -> None:
        patient = self._context.patient
        if patient is None or self._patient is None or patient.id != self._patient.id:
            return
        self.save_now()
        self._context.open(QUESTIONNAIRE_SCREEN, questionnaire_id)

    def _on_sign_left_behind(self, patient_id: uuid.UUID, signed: bool, why: str) -> None:
        """A sign asked for just before the page moved on has finished: say how, and whose."""
        if signed:
            self._context.announce("contact_note.signed", patient_id)
        self._left.sign_finished(patient_id, signed, why)

    def _announce(self, kind: str, note: NoteRecord) -> None:
        # Said of the banner's record: a note written under a registration since merged into
        # it is theirs, and their timeline is the one to refresh.
        self._context.announce(kind, record_holder(self._patient, note.patient_id))

    def _save_pdf(self, pdf: bytes) -> None:
        patient = self._patient
        if patient is None:
            return
        name = document_file_name(
            patient.family_name, patient.nhs_number, "Contact note", self._today()
        )
        try:
            saved = self.pdf_delivery.deliver(pdf, name, self.view.tr("Save the contact note"))
        except OSError:
            self.view.notice.show_notice(
                self.view.tr("The PDF could not be saved there. Choose another folder."), "problem"
            )
            return
        if saved is not None:
            self.view.notice.show_notice(
                self.view.tr("Saved as {name}.").format(name=saved.name), "info"
            )


SCREENS = (
    ScreenSpec(
        id="contact_note",
        title="&Contact note",
        tip="Write, sign and add to the note of the open patient's follow-up contact",
        build=ContactNoteScreen,
        menu="patient",
        order=5,
        who=Action.CONTACT_NOTE_WRITE,
        needs_patient=True,
        form=True,
        # The exercises table needs the width; the search panel steps aside while writing.
        placement=Placement.WIDE,
    ),
)
