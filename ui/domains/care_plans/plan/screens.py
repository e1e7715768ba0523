"""The care plan screen, declared."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QWidget

from clinic_app.domains.care_plans.views import CarePlanView
from clinic_app.kernel.security.permissions import Action
from clinic_app.people.views import PatientRecord
from ui.common import formatting
from ui.common.kept_text import KeptText
from ui.common.printing import LeftBehind, PdfDelivery, document_file_name, preview_and_print
from ui.common.screen import Placement, ScreenSpec, ShellContext, record_holder, under_banner
from ui.domains.care_plans.plan.view import CarePlanForm
from ui.domains.care_plans.plan.view_model import CarePlanViewModel

#: The screen's id (the patient's timeline opens a plan with it).
SCREEN_ID = "care_plan"


def plan_to_open(item: object) -> uuid.UUID | None:
    """The plan ``item`` names (its id or a timeline entry), or None."""
    if isinstance(item, uuid.UUID):
        return item
    found = getattr(item, "item_id", None)
    return found if isinstance(found, uuid.UUID) else None


def needs_words(patient: PatientRecord) -> str:
    """The format and language the patient's record asks for, in words ("" for none)."""
    parts = []
    needs = ", ".join(choice.label.lower() for choice in patient.accessible_information_needs)
    if needs:
        parts.append(f"Information as: {needs}.")
    if patient.interpreter_needed:
        language = patient.interpreter_language_label or patient.interpreter_language or ""
        parts.append(f"Language: {language} (an interpreter is needed).")
    return " ".join(parts)


class CarePlanScreen:
    """The care and support plan of the banner's patient, made with them and printed for them."""

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
        self.view_model = CarePlanViewModel(
            context.services.care_plans,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.kept = KeptText(
            context.services.drafts,
            context.runner,
            context.session,
            "care_plan.text",
            context.owner,
        )
        self.view = CarePlanForm(self.view_model, kept=self.kept)
        self.pdf_delivery = PdfDelivery(
            self.view,
            print_file=lambda path: preview_and_print(
                self.view, path, self.view.tr("Care plan for the patient")
            ),
        )
        self._page, self.banner = under_banner(self.view)
        self.view_model.saved.connect(lambda plan: self._announce("care_plan.saved", plan))
        self.view_model.signed.connect(lambda plan: self._announce("care_plan.signed", plan))
        self.view_model.printed.connect(self._save_pdf)
        self._left = LeftBehind(
            context.signed_in, context.say, lambda: self.view.tr("The care plan")
        )
        self.view_model.print_left_behind.connect(self._left.not_printed)
        self.view.print_requested.connect(self._print)
        self.view_model.left_behind.connect(self._on_left_behind)
        context.patient_changed.connect(self._on_patient_changed)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """The plan ``item`` names (a version of this patient's), else the one to continue.

        With no item: the user's own draft, else the current signed plan, else a new plan.
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
        self._names[patient.id] = formatting.patient_name(
            patient.family_name, patient.given_name, patient.title
        )
        self.banner.show_record(patient)
        self.view.show_needs(needs_words(patient))
        episode = patient.open_episode
        self.kept.opening(named=plan_to_open(item) is not None)
        self.view_model.open(
            patient.id, episode.id if episode is not None else None, plan_to_open(item)
        )
        self._context.show(self)
        self.view.focus_first_field()

    def submit(self) -> None:
        self.view_model.save()

    def save_now(self) -> None:
        self.view_model.save_now()
        self.kept.save_now()

    def reset(self) -> None:
        # Saved first (switching user calls save_now before this), then forgotten.
        self._patient = None
        self.banner.clear()
        self.view_model.reset()
        self.view.clear_form()

    def _on_patient_changed(self, record: PatientRecord | None) -> None:
        # Another patient in the banner: nothing of this one may stay on the screen.
        if self._patient is not None and (record is None or record.id != self._patient.id):
            self.save_now()
            self.reset()

    def _on_left_behind(self, patient_id: uuid.UUID, signed: CarePlanView | None, why: str) -> None:
        """A sign asked for just before the patient changed has finished: say how, and whose."""
        name = self._names.get(patient_id)
        if name is None:
            return  # asked for in another user's sign-in: not theirs to hear
        if signed is not None:
            self._context.announce("care_plan.signed", patient_id)
            self._context.say(
                self.view.tr("The care plan for {name} was signed.").format(name=name), "info"
            )
            return
        self._context.say(
            self.view.tr(
                "The care plan for {name} was not signed: {why} It is kept as a draft: open "
                "it from their record to sign it."
            ).format(name=name, why=why)
        )

    def _print(self) -> None:
        patient, banner = self._patient, self._context.patient
        if patient is None or banner is None or banner.id != patient.id:
            return
        self.view_model.print_copy()

    def _announce(self, kind: str, plan: CarePlanView) -> None:
        # Said of the banner's record: a plan made under a registration since merged into it
        # is theirs, and their timeline is the one to refresh.
        self._context.announce(kind, record_holder(self._patient, plan.patient_id))

    def _save_pdf(self, pdf: bytes) -> None:
        patient = self._patient
        if patient is None:
            return
        name = document_file_name(
            patient.family_name, patient.nhs_number, "Care plan", self._today()
        )
        try:
            saved = self.pdf_delivery.deliver(pdf, name, self.view.tr("Save the patient's plan"))
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
        id=SCREEN_ID,
        title="Care &plan",
        tip="Make the open patient's care and support plan with them, sign it and print it",
        build=CarePlanScreen,
        menu="patient",
        order=9,
        shortcut="Ctrl+Shift+P",
        who=Action.CARE_PLAN_RECORD,
        needs_patient=True,
        form=True,
        placement=Placement.WIDE,
    ),
)
