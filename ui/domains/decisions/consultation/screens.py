"""The shared decision with a decision aid, declared."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QWidget

from clinic_app.domains.decisions.views import DecisionAbout, DecisionRecordView
from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common import formatting
from ui.common.printing import LeftBehind, PdfDelivery, document_file_name, preview_and_print
from ui.common.screen import Placement, ScreenSpec, ShellContext, record_holder, under_banner
from ui.domains.decisions.consultation.view import DecisionView
from ui.domains.decisions.consultation.view_model import DecisionViewModel


def item_to_open(item: object) -> uuid.UUID | str | DecisionAbout | None:
    """What ``item`` names: an SDM record (its id or timeline entry), an aid, or a request."""
    if isinstance(item, uuid.UUID | str | DecisionAbout):
        return item
    found = getattr(item, "item_id", None)
    return found if isinstance(found, uuid.UUID) else None


class DecisionScreen:
    """A decision talked through with the banner's patient, with an aid, and kept."""

    def __init__(self, context: ShellContext, *, today: Callable[[], date] = date.today) -> None:
        self._context = context
        self._today = today
        self._patient: PatientRecord | None = None
        #: Names of the patients this screen has shown, for a word about a sign finished after
        #: the patient changed.
        #: The patients opened here in this sign-in, by id: what a late sign names. Emptied
        #: when someone signs in, so a sign asked for by the user before says nothing.
        self._names: dict[uuid.UUID, str] = {}
        context.signed_in.connect(lambda _user: self._names.clear())
        self.view_model = DecisionViewModel(
            context.services.decisions,
            passwords=context.services.auth,
            runner=context.runner,
            session=context.session,
            today=today,
            parent=context.owner,
        )
        self.view = DecisionView(self.view_model)
        self.pdf_delivery = PdfDelivery(
            self.view,
            print_file=lambda path: preview_and_print(
                self.view, path, self.view.tr("Summary to take home")
            ),
        )
        self._page, self.banner = under_banner(self.view)
        self.view_model.saved.connect(lambda record: self._announce("decision.saved", record))
        self.view_model.signed.connect(lambda record: self._announce("decision.signed", record))
        self.view_model.printed.connect(self._save_pdf)
        self._left = LeftBehind(
            context.signed_in, context.say, lambda: self.view.tr("The decision summary")
        )
        self.view_model.print_left_behind.connect(self._left.not_printed)
        self.view.print_requested.connect(self._print)
        # While the patient answers CollaboRATE, the window shows nothing else.
        self.view_model.patient_mode_changed.connect(context.hand_over)
        self.view_model.left_behind.connect(self._on_left_behind)
        context.patient_changed.connect(self._on_patient_changed)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """The decision named by ``item`` (an SDM record, or an aid's id to start with).

        With no item, the user's own draft for this patient continues, else the aids are
        offered. Only ever for ``patient``, the banner's.
        """
        if patient is None:
            return
        self.save_now()
        self._patient = patient
        self._left.opened(
            patient.id,
            formatting.patient_name(patient.family_name, patient.given_name, patient.title),
        )
        self._names[patient.id] = formatting.patient_name(
            patient.family_name, patient.given_name, patient.title
        )
        self.banner.show_record(patient)
        self.view_model.record_language = (
            patient.interpreter_language_label or patient.interpreter_language or ""
            if patient.interpreter_needed
            else ""
        )
        self.view_model.open(patient.id, item_to_open(item))
        self._context.show(self)
        self.view.focus_first_field()

    def submit(self) -> None:
        self.view_model.save()

    def save_now(self) -> None:
        self.view_model.save_now()

    def reset(self) -> None:
        # Saved first (switching user calls save_now before this), then forgotten.
        self._patient = None
        self.banner.clear()
        self.view_model.reset()
        self.view.password.clear()

    def _on_patient_changed(self, record: PatientRecord | None) -> None:
        # Another patient in the banner: nothing of this one may stay on the screen.
        if self._patient is not None and (record is None or record.id != self._patient.id):
            self.save_now()
            self.reset()

    def _on_left_behind(
        self, patient_id: uuid.UUID, signed: DecisionRecordView | None, why: str
    ) -> None:
        """A sign asked for just before the patient changed has finished: say how, and whose."""
        name = self._names.get(patient_id)
        if name is None:
            return  # asked for in another user's sign-in: not theirs to hear
        if signed is not None:
            self._context.announce("decision.signed", patient_id)
            self._context.say(
                self.view.tr("The shared decision for {name} was signed.").format(name=name),
                "info",
            )
            return
        self._context.say(
            self.view.tr(
                "The shared decision for {name} was not signed: {why} It is kept as a draft: "
                "open it from their record to sign it."
            ).format(name=name, why=why)
        )

    def _print(self) -> None:
        patient = self._patient
        banner = self._context.patient
        if patient is None or banner is None or banner.id != patient.id:
            return
        self.view_model.print_summary()

    def _announce(self, kind: str, record: DecisionRecordView) -> None:
        # For the banner's record: one kept under a registration merged into it is theirs.
        self._context.announce(kind, record_holder(self._patient, record.patient_id))

    def _save_pdf(self, pdf: bytes) -> None:
        patient = self._patient
        if patient is None:
            return
        name = document_file_name(
            patient.family_name, patient.nhs_number, "Decision summary", self._today()
        )
        try:
            saved = self.pdf_delivery.deliver(
                pdf, name, self.view.tr("Save the summary to take home")
            )
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
        id="decision",
        title="Shared d&ecision",
        tip="Talk a decision through with the open patient using a decision aid, and record it",
        build=DecisionScreen,
        menu="patient",
        order=6,
        shortcut="Ctrl+Shift+D",
        who=Action.DECISION_RECORD,
        needs_patient=True,
        form=True,
        # The options side by side need the width; the search panel steps aside.
        placement=Placement.WIDE,
    ),
)
