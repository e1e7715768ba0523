"""The letter screen, declared: a letter of the banner's patient, drafted, signed, printed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QWidget

from clinic_app.domains.letters.views import DueLetter, LetterView
from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common import formatting
from ui.common.printing import LeftBehind, PdfDelivery, document_file_name, preview_and_print
from ui.common.screen import Placement, ScreenSpec, ShellContext, record_holder, under_banner
from ui.domains.letters.letter.kinds import kind_label
from ui.domains.letters.letter.view import LetterPage
from ui.domains.letters.letter.view_model import LetterRequest, LetterViewModel


def item_to_open(item: object) -> uuid.UUID | LetterRequest | None:
    """What ``item`` names: a letter (its id or timeline entry), or a letter asked for.

    A letter due (from the letters-due list) asks for the discharge letter to the GP, or the
    GP notice of the onward referral, or the draft already started for it.
    """
    if isinstance(item, uuid.UUID | LetterRequest):
        return item
    if isinstance(item, DueLetter):
        return LetterRequest(
            kind="gp_discharge" if item.reason == "discharge" else "gp_referral_notice",
            episode_id=item.episode_id,
            onward_decision_id=item.onward_decision_id,
            draft_id=item.draft_id,
        )
    found = getattr(item, "item_id", None)
    return found if isinstance(found, uuid.UUID) else None


class LetterScreen:
    """A letter to the GP, the patient or the next service, for the banner's patient only."""

    def __init__(self, context: ShellContext, *, today: Callable[[], date] = date.today) -> None:
        self._context = context
        self._today = today
        self._patient: PatientRecord | None = None
        self.view_model = LetterViewModel(
            context.services.letters,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = LetterPage(self.view_model)
        self.pdf_delivery = PdfDelivery(
            self.view,
            print_file=lambda path: preview_and_print(self.view, path, self._print_title()),
        )
        self._page, self.banner = under_banner(self.view)
        self.view_model.saved.connect(lambda letter: self._announce("letter.saved", letter))
        self.view_model.signed.connect(lambda letter: self._announce("letter.signed", letter))
        self.view_model.printed.connect(self._save_pdf)
        self._left = LeftBehind(context.signed_in, context.say, lambda: self.view.tr("The letter"))
        self.view_model.print_left_behind.connect(self._left.not_printed)
        self.view_model.sign_left_behind.connect(self._on_sign_left_behind)
        self.view.print_requested.connect(self._print)
        context.patient_changed.connect(self._on_patient_changed)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """The letter ``item`` names (a letter, or a letter asked for), else the kind chooser.

        Only ever for ``patient``, the banner's.
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
        self.view.notice.hide_notice()
        self.view_model.episodes = patient.episodes
        wanted = item_to_open(item)
        if isinstance(wanted, uuid.UUID):
            self.view_model.open(patient.id, wanted)
        elif isinstance(wanted, LetterRequest):
            self.view_model.request(patient.id, wanted)
        else:
            self.view_model.start(patient.id)
        self._context.show(self)
        self.view.kind.setFocus()

    def submit(self) -> None:
        self.view_model.save_now()

    def save_now(self) -> None:
        self.view_model.save_now()

    def reset(self) -> None:
        # Saved first (switching user calls save_now before this), then forgotten.
        self._patient = None
        self.banner.clear()
        self.view_model.reset()
        self.view_model.episodes = ()
        self.view.password.clear()
        self.view.notice.hide_notice()
        # What was chosen and typed to draft a letter for that patient goes with them: the
        # provider they chose is never put into the next patient's letter.
        self.view.provider.clear()
        self.view.kind.setCurrentIndex(0)

    def _on_patient_changed(self, record: PatientRecord | None) -> None:
        # Another patient in the banner: nothing of this one may stay on the screen.
        if self._patient is not None and (record is None or record.id != self._patient.id):
            self.save_now()
            self.reset()

    def _print(self) -> None:
        patient = self._patient
        banner = self._context.patient
        if patient is None or banner is None or banner.id != patient.id:
            return
        self.view_model.print_letter()

    def _print_title(self) -> str:
        letter = self.view_model.letter
        return kind_label(letter.kind) if letter is not None else self.view.tr("Letter")

    def _on_sign_left_behind(self, patient_id: uuid.UUID, signed: bool, why: str) -> None:
        """A sign answered after the page moved on: said how it went, naming the patient."""
        if signed:
            self._context.announce("letter.signed", patient_id)
        self._left.sign_finished(patient_id, signed, why)

    def _announce(self, kind: str, letter: LetterView) -> None:
        # For the banner's record: one kept under a registration merged into it is theirs.
        self._context.announce(kind, record_holder(self._patient, letter.patient_id))

    def _save_pdf(self, pdf: bytes) -> None:
        patient, letter = self._patient, self.view_model.letter
        if patient is None or letter is None:
            return
        name = document_file_name(
            patient.family_name, patient.nhs_number, kind_label(letter.kind), self._today()
        )
        try:
            saved = self.pdf_delivery.deliver(pdf, name, self.view.tr("Save the letter"))
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
        id="letter",
        title="&Letter",
        tip="Write a letter to the GP, the patient or the next service from the open record",
        build=LetterScreen,
        menu="patient",
        order=8,
        who=Action.LETTER_WRITE,
        needs_patient=True,
        form=True,
        placement=Placement.WIDE,
    ),
)
