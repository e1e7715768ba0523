"""The injection record, declared."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QWidget

from clinic_app.domains.injections.views import InjectionView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientRecord
from ui.common import formatting
from ui.common.kept_text import KeptText
from ui.common.printing import LeftBehind, PdfDelivery, document_file_name, preview_and_print
from ui.common.screen import Placement, ScreenSpec, ShellContext, record_holder, under_banner
from ui.common.text_draft import addendum_draft
from ui.domains.injections.injection.view import InjectionForm
from ui.domains.injections.injection.view_model import InjectionViewModel

#: The decision aid offered when no shared decision about an injection is recorded.
STEROID_INJECTION_AID = "steroid_injection"


def may_amend(user: CurrentUser) -> bool:
    """True if ``user`` may add to a signed injection record (its "amend" step's permission)."""
    # The record type loads the store's library: only once someone is signed in.
    from clinic_app.domains.injections.record import INJECTION  # noqa: PLC0415

    return allows(user.role, INJECTION.lifecycle.step("amend").permission)


def record_to_open(item: object) -> uuid.UUID | None:
    """The injection record ``item`` names (its id or a timeline entry), or None."""
    if isinstance(item, uuid.UUID):
        return item
    found = getattr(item, "item_id", None)
    return found if isinstance(found, uuid.UUID) else None


class InjectionScreen:
    """An injection given to the banner's patient, recorded as it is given and signed."""

    def __init__(self, context: ShellContext, *, today: Callable[[], date] = date.today) -> None:
        self._context = context
        self._patient: PatientRecord | None = None
        #: Names of the patients this screen has shown, for a word about a sign finished after
        #: the patient changed.
        #: The patients opened here in this sign-in, by id: what a late sign names. Emptied
        #: when someone signs in, so a sign asked for by the user before says nothing.
        self._names: dict[uuid.UUID, str] = {}
        context.signed_in.connect(lambda _user: self._names.clear())
        services = context.services
        self.view_model = InjectionViewModel(
            services.injections,
            decisions=services.decisions,
            pgds=services.pgds,
            imaging=services.imaging,
            runner=context.runner,
            session=context.session,
            pack_codes=services.pack_codes,
            today=today,
            may_amend=may_amend,
            parent=context.owner,
        )
        self.kept = KeptText(
            context.services.drafts,
            context.runner,
            context.session,
            "injection.text",
            context.owner,
        )
        self.view = InjectionForm(self.view_model, kept=self.kept)
        # An addendum being written is its writer's draft of that signed injection only.
        self.addendum = addendum_draft(context, "injection.addendum", self.view.addendum_text)
        self.view_model.opened.connect(lambda found: self._on_record_shown(found.record))
        self.view_model.record_changed.connect(self._on_record_shown)
        self.view_model.addendum_added.connect(lambda _record: self.addendum.done())
        self._today = today
        self.pdf_delivery = PdfDelivery(
            self.view,
            print_file=lambda path: preview_and_print(
                self.view, path, self.view.tr("Aftercare leaflet")
            ),
        )
        self.view_model.printed.connect(self._deliver_leaflet)
        self._left = LeftBehind(
            context.signed_in, context.say, lambda: self.view.tr("The aftercare leaflet")
        )
        self.view_model.print_left_behind.connect(self._left.not_printed)
        self._page, self.banner = under_banner(self.view)
        self.view_model.saved.connect(lambda record: self._announce("injection.saved", record))
        self.view_model.signed.connect(lambda record: self._announce("injection.signed", record))
        # The timeline shows a signed record's addenda: it is read again as for a signature.
        self.view_model.addendum_added.connect(
            lambda record: self._announce("injection.signed", record)
        )
        self.view.share_requested.connect(self._share_decision)
        self.view_model.left_behind.connect(self._on_left_behind)
        self.view_model.addendum_left_behind.connect(self._on_addendum_left_behind)
        context.patient_changed.connect(self._on_patient_changed)
        context.record_changed.connect(self._on_record_changed)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """The injection ``item`` names, else the user's own draft, else a new one.

        ``item`` is a record of the banner's patient (from their timeline), perhaps under a
        registration since merged into their record.

        Opening again (coming back from the shared decision, say) reads the decision again.
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
        episode = patient.open_episode
        self.kept.opening(named=record_to_open(item) is not None)
        self.view_model.open(
            patient.id, episode.id if episode is not None else None, record_to_open(item)
        )
        self._context.show(self)
        self.view.focus_first_field()

    def submit(self) -> None:
        self.view_model.save()

    def save_now(self) -> None:
        self.view_model.save_now()
        self.kept.save_now()
        self.addendum.save_now()

    def reset(self) -> None:
        # Saved first (switching user calls save_now before this), then forgotten.
        self.addendum.about(None)  # the addendum being written kept, the box emptied
        self._patient = None
        self.banner.clear()
        self.view_model.reset()
        self.view.clear_form()

    def _on_record_shown(self, record: object) -> None:
        """The addendum box is about the signed injection shown, and no other."""
        self.addendum.about_record(record, signed=self.view_model.is_signed)

    def _on_patient_changed(self, record: PatientRecord | None) -> None:
        # Another patient in the banner: nothing of this one may stay on the screen.
        if self._patient is not None and (record is None or record.id != self._patient.id):
            self.save_now()
            self.reset()

    def _on_left_behind(
        self, patient_id: uuid.UUID, signed: InjectionView | None, why: str
    ) -> None:
        """A sign asked for just before the patient changed has finished: say how, and whose."""
        name = self._names.get(patient_id)
        if name is None:
            return  # asked for in another user's sign-in: not theirs to hear
        if signed is not None:
            self._context.announce("injection.signed", patient_id)
            self._context.say(
                self.view.tr("The injection record for {name} was signed.").format(name=name),
                "info",
            )
            return
        self._context.say(
            self.view.tr(
                "The injection record for {name} was not signed: {why} It is kept as a draft: "
                "open their record and the injection screen to sign it."
            ).format(name=name, why=why)
        )

    def _on_addendum_left_behind(self, patient_id: uuid.UUID, added: bool, why: str) -> None:
        """An addendum asked for just before the patient changed: say how it went, and whose."""
        name = self._names.get(patient_id)
        if name is None:
            return  # asked for in another user's sign-in: not theirs to hear
        if added:
            self._context.announce("injection.signed", patient_id)
            self._context.say(
                self.view.tr("The addendum to the injection record for {name} was added.").format(
                    name=name
                ),
                "info",
            )
            return
        self._context.say(
            self.view.tr(
                "The addendum to the injection record for {name} was not added: {why} What you "
                "typed is no longer on the screen: open their injection record to add it again."
            ).format(name=name, why=why)
        )

    def _on_record_changed(self, kind: str, patient_id: uuid.UUID | None) -> None:
        """A shared decision signed for this patient elsewhere: read the decision again."""
        patient = self._patient
        if kind == "decision.signed" and patient is not None and patient_id == patient.id:
            self.view_model.refresh_decision()

    def _share_decision(self) -> None:
        """Save what is typed, then open the shared decision with the injection aid."""
        patient = self._patient
        banner = self._context.patient
        if patient is None or banner is None or banner.id != patient.id:
            return
        self.view_model.then(lambda: self._context.open("decision", STEROID_INJECTION_AID))

    def _deliver_leaflet(self, pdf: bytes) -> None:
        """The aftercare leaflet: previewed and printed, or saved, named for the patient."""
        patient, banner = self._patient, self._context.patient
        if patient is None or banner is None or banner.id != patient.id:
            return
        name = document_file_name(
            patient.family_name, patient.nhs_number, "Injection aftercare", self._today()
        )
        try:
            saved = self.pdf_delivery.deliver(pdf, name, self.view.tr("Save the aftercare leaflet"))
        except OSError:
            self.view.notice.show_notice(
                self.view.tr("The PDF could not be saved there. Choose another folder."), "problem"
            )
            return
        if saved is not None:
            self.view.notice.show_notice(
                self.view.tr("Saved as {name}.").format(name=saved.name), "info"
            )

    def _announce(self, kind: str, record: InjectionView) -> None:
        # Named as the banner's patient: a record under a registration since merged into
        # their record changes that record (its timeline reads it again).
        self._context.announce(kind, record_holder(self._patient, record.patient_id))


SCREENS = (
    ScreenSpec(
        id="injection",
        # J, as its shortcut: I is taken by Imaging in the same menu.
        title="In&jection",
        tip="Record an injection given to the open patient, its checks, and sign it",
        build=InjectionScreen,
        menu="patient",
        order=7,
        shortcut="Ctrl+Shift+J",
        who=Action.INJECTION_RECORD,
        needs_patient=True,
        form=True,
        # The form's parts side by side need the width; the search panel steps aside.
        placement=Placement.WIDE,
    ),
)
