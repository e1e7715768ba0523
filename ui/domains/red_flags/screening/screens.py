"""Red-flag screening, declared."""

from __future__ import annotations

import uuid
from datetime import date

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.printing import PdfDelivery, document_file_name
from ui.common.screen import Placement, ScreenSpec, ShellContext, under_banner
from ui.domains.red_flags.screening.view import RedFlagsView
from ui.domains.red_flags.screening.view_model import RedFlagsViewModel


def _tr(text: str) -> str:
    return QCoreApplication.translate("Screens", text)


class RedFlagsScreen:
    """One screening for the regions picked on the body chart, and actions still owed."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = RedFlagsViewModel(
            context.services.red_flags,
            context.services.drafts,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = RedFlagsView(self.view_model)
        self._page, self.banner = under_banner(self.view)
        self.view_model.owed_changed.connect(self._on_owed_changed)
        self.view_model.recorded.connect(lambda _view: self._announce("red_flags.recorded"))
        self.view_model.resolved.connect(lambda _view: self._announce("red_flags.resolved"))
        self.view.print_card_requested.connect(self._on_print_card_requested)
        self.view.action_requested.connect(
            lambda screening_id: context.open("red_flag_actions", screening_id)
        )
        self.pdf_delivery = PdfDelivery(self.view)
        context.patient_changed.connect(self._on_patient_changed)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """One screening for the regions picked on the body chart, with this visit's answers."""
        if patient is None:
            self.view_model.clear()
            return
        self.banner.show_record(patient)
        self.view_model.start(patient.id, self._context.body_regions())
        recorded = _recorded_screening(item)
        if recorded is not None:
            # Opened from the timeline: the screening recorded then, above today's.
            self.view_model.show_recorded(recorded)
        self._context.show(self)

    def save_now(self) -> None:
        """Answers not yet recorded are kept as the user's draft for the patient."""
        self.view_model.save_draft_now()

    def reset(self) -> None:
        """Nothing of one patient or user stays on the page; their draft waits in the store."""
        self.view_model.forget_draft()
        self.view_model.clear()
        self.banner.clear()

    def _announce(self, kind: str) -> None:
        self._context.announce(kind, self.view_model.patient_id)

    def _on_patient_changed(self, record: PatientRecord | None) -> None:
        if record is None:
            self.view_model.clear()
            return
        if self._context.is_showing(self) and record.id == self.view_model.patient_id:
            # The record was read again while screening it: keep the screens offered.
            self.view_model.refresh_owed()
            return
        # Another patient's answers never stay (they are kept as the user's draft for their
        # patient); any emergency still waiting for an action comes back (also after a restart).
        self.view_model.watch(record.id)

    def _on_owed_changed(self, owed: list[object]) -> None:
        # An emergency waiting for a recorded action is said on the record too, every time.
        if owed:
            self._context.say_on(
                "patient",
                _tr(
                    "A red flag on this record needs a recorded action. Open Red-flag "
                    "screening (Ctrl+Shift+R)."
                ),
                "problem",
            )

    def _on_print_card_requested(self, _card: object) -> None:
        record = self._context.patient
        user = self._context.session.user
        if record is None or user is None:
            return
        red_flags = self._context.services.red_flags
        self._context.runner.run_store(
            lambda: red_flags.safety_net_card(user, record.id),
            on_done=lambda pdf: self._offer_card(record, pdf),
            on_failed=self._context.explain_failure,
        )

    def _offer_card(self, record: PatientRecord, pdf: object) -> None:
        """Save the card where the clinician chooses, named for its patient; then print it.

        Named for the patient it was made for; one made after the banner moved on to another
        patient is not offered under theirs.
        """
        banner = self._context.patient
        if not isinstance(pdf, bytes) or banner is None or banner.id != record.id:
            return
        name = document_file_name(
            record.family_name, record.nhs_number, "safety-net card", date.today()
        )
        self.pdf_delivery.deliver(pdf, name, _tr("Save the safety-net card"))


def _recorded_screening(item: object) -> uuid.UUID | None:
    """The recorded screening a timeline entry (or an id) names, if any."""
    if isinstance(item, uuid.UUID):
        return item
    if getattr(item, "kind", None) == "red_flag_screening":
        found = getattr(item, "item_id", None)
        return found if isinstance(found, uuid.UUID) else None
    return None


SCREENS = (
    ScreenSpec(
        id="red_flags",
        title="Red-flag scree&ning",
        tip="Screen the open patient for red flags",
        build=RedFlagsScreen,
        menu="patient",
        order=5,
        shortcut="Ctrl+Shift+R",
        needs_patient=True,
        # Built with the workspace: opening any record checks for an emergency still owed.
        eager=True,
        # The questions beside the outcome need the width; the search panel steps aside.
        placement=Placement.WIDE,
    ),
)
