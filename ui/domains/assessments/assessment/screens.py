"""The assessment, declared."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clinic_app.people.views import PatientRecord
from ui.common.screen import ScreenSpec, ShellContext, under_banner
from ui.domains.assessments.assessment.view import AssessmentView
from ui.domains.assessments.assessment.view_model import AssessmentViewModel


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
        self._page, self.banner = under_banner(self.view)
        # Red-flag screening offers the screens for the regions picked on this chart.
        context.provide_body_regions(
            self.view.body_chart.selection, lambda: self.view_model.patient_id
        )
        self.view_model.draft_saved.connect(lambda _view: self._announce("assessment.saved"))
        self.view_model.signed.connect(lambda _view: self._announce("assessment.signed"))
        self.view_model.addendum_added.connect(lambda _view: self._announce("assessment.signed"))

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """The patient's assessment: the draft in progress, or a new one."""
        if patient is None:
            return
        self.banner.show_record(patient)
        self.view_model.start(patient.id)
        self._context.show(self)

    def save_now(self) -> None:
        self.view_model.save_now()

    def reset(self) -> None:
        # Saved first (switching user calls save_now before this), then forgotten.
        self.view_model.reset()
        self.banner.clear()

    def _announce(self, kind: str) -> None:
        self._context.announce(kind, self.view_model.patient_id)


SCREENS = (
    ScreenSpec(
        id="assessment",
        title="&Assessment",
        tip="Record the history and examination for the open patient",
        build=AssessmentScreen,
        menu="patient",
        order=4,
        shortcut="Ctrl+Shift+A",
        needs_patient=True,
    ),
)
