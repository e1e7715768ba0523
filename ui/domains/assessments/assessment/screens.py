"""The assessment, declared."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QStackedWidget, QWidget

from clinic_app.domains.assessments.views import AssessmentOnFile, AssessmentsOnFile
from clinic_app.domains.assessments.views import AssessmentView as AssessmentRecord
from clinic_app.domains.decisions.views import DecisionAbout
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.people.views import PatientRecord
from clinic_app.records.timeline import TimelineEntry
from ui.common import formatting
from ui.common.printing import LeftBehind
from ui.common.screen import ScreenSpec, ShellContext, under_banner
from ui.common.text_draft import addendum_draft
from ui.domains.assessments.assessment.offer import AssessmentOffer
from ui.domains.assessments.assessment.view import AssessmentView
from ui.domains.assessments.assessment.view_model import AssessmentViewModel

#: Timeline kinds this screen opens: an assessment, or the assessment an addendum is on.
_OPENS = frozenset({"assessment", "assessment_addendum"})


def assessment_to_open(item: object) -> uuid.UUID | None:
    """The assessment ``item`` names: its id, or a timeline entry's (None: none named)."""
    if isinstance(item, uuid.UUID):
        return item
    if isinstance(item, TimelineEntry) and item.kind in _OPENS:
        return item.item_id
    return None


class AssessmentScreen:
    """History and examination of the open patient: autosaved while a draft."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        self.view_model = AssessmentViewModel(
            context.services.assessments,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = AssessmentView(self.view_model, context.services.reference.diagnoses)
        # An addendum being written is its writer's draft of that signed assessment only.
        self.addendum = addendum_draft(context, "assessment.addendum", self.view.addendum_text)
        self.view_model.assessment_changed.connect(self._on_assessment_shown)
        self.view_model.addendum_added.connect(lambda _view: self.addendum.done())
        self.offer = AssessmentOffer()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.offer)
        self.stack.addWidget(self.view)
        self._page, self.banner = under_banner(self.stack)
        self.offer.continue_requested.connect(self._open_on_file)
        self.offer.read_requested.connect(self._open_on_file)
        self.offer.new_requested.connect(self._start_new)
        self.view_model.on_file_loaded.connect(self._on_file_loaded)
        # Red-flag screening offers the screens for the regions picked on this chart.
        context.provide_body_regions(
            self.view.body_chart.selection, lambda: self.view_model.patient_id
        )
        self.view_model.draft_saved.connect(lambda _view: self._announce("assessment.saved"))
        self.view_model.signed.connect(lambda _view: self._announce("assessment.signed"))
        self.view_model.addendum_added.connect(lambda _view: self._announce("assessment.signed"))
        self._left = LeftBehind(
            context.signed_in, context.say, lambda: self.view.tr("The assessment")
        )
        self.view_model.sign_left_behind.connect(self._on_sign_left_behind)
        self.view.decide_requested.connect(self._decide)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """The assessment named by ``item``; with none, what is on file is offered first.

        ``item`` may be an assessment's id or a timeline entry of an assessment (or of an
        addendum to one). With no item, the clinician's own draft (to continue) and the
        patient's latest signed assessment (to read or add an addendum to) are offered
        before a new one is started; with neither, a new one starts at once.
        """
        if patient is None:
            return
        self._left.opened(
            patient.id,
            formatting.patient_name(patient.family_name, patient.given_name, patient.title),
        )
        self.banner.show_record(patient)
        user = self._context.session.user
        self.view.set_decisions_offered(
            user is not None and allows(user.role, Action.DECISION_RECORD)
        )
        assessment_id = assessment_to_open(item)
        if assessment_id is not None:
            self.view_model.start(patient.id, assessment_id)
            self.stack.setCurrentWidget(self.view)
        else:
            self.offer.show_on_file(None)
            self.stack.setCurrentWidget(self.offer)
            self.view_model.find_on_file(patient.id)
        self._context.show(self)

    def _on_file_loaded(self, on_file: AssessmentsOnFile) -> None:
        patient = self._context.patient
        if patient is None or on_file.patient_id != patient.id:
            return  # answered for a patient no longer open
        if on_file.any:
            self.offer.show_on_file(on_file)
        else:
            self._start_new()

    def _open_on_file(self, chosen: AssessmentOnFile) -> None:
        patient = self._context.patient
        if patient is not None:
            self.view_model.start(patient.id, chosen.id)
            self.stack.setCurrentWidget(self.view)

    def _start_new(self) -> None:
        patient = self._context.patient
        if patient is not None:
            self.view_model.start(patient.id)
            self.stack.setCurrentWidget(self.view)

    def _on_assessment_shown(self, view: AssessmentRecord | None) -> None:
        """The addendum box is about the signed assessment shown, and no other."""
        self.addendum.about_record(view, signed=self.view_model.is_signed)

    def _decide(self, diagnosis_code: str) -> None:
        """The plan's decision: the assessment saved, then a decision aid for this patient."""
        patient = self._context.patient
        if patient is None or self.view_model.patient_id != patient.id:
            return
        self.save_now()
        self._context.open("decision", DecisionAbout(diagnosis_code or None))

    def save_now(self) -> None:
        self.view_model.save_now()
        self.addendum.save_now()

    def reset(self) -> None:
        # Saved first (switching user calls save_now before this), then forgotten.
        self.addendum.about(None)
        self.view_model.reset()
        self.offer.show_on_file(None)
        self.stack.setCurrentWidget(self.offer)
        self.banner.clear()

    def _on_sign_left_behind(self, patient_id: uuid.UUID, signed: bool, why: str) -> None:
        """A sign asked for just before the page moved on has finished: say how, and whose."""
        if signed:
            self._context.announce("assessment.signed", patient_id)
        self._left.sign_finished(patient_id, signed, why)

    def _announce(self, kind: str) -> None:
        self._context.announce(kind, self.view_model.patient_id)


SCREENS = (
    ScreenSpec(
        id="assessment",
        title="Assess&ment",
        tip="Record the history and examination for the open patient",
        build=AssessmentScreen,
        menu="patient",
        order=4,
        shortcut="Ctrl+Shift+A",
        needs_patient=True,
    ),
)
