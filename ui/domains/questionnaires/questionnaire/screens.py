"""The outcome questionnaire (MSK-HQ), declared."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QVBoxLayout, QWidget

from clinic_app.domains.questionnaires.rules import QuestionnaireDefinition
from clinic_app.domains.questionnaires.views import HistoryEntry
from clinic_app.people.views import PatientRecord
from ui.common.score_chart import ScoreChart
from ui.common.screen import ScreenSpec, ShellContext, under_banner
from ui.domains.questionnaires.questionnaire.view import QuestionnaireView
from ui.domains.questionnaires.questionnaire.view_model import QuestionnaireViewModel

QUESTIONNAIRE_ID = "msk_hq"


class QuestionnaireScreen:
    """The MSK-HQ for the open patient: baseline first, follow-ups after; or in their hands."""

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        services = context.services
        self.view_model = QuestionnaireViewModel(
            services.questionnaires,
            services.auth,
            runner=context.runner,
            session=context.session,
            parent=context.owner,
        )
        self.view = QuestionnaireView(self.view_model)
        # Its large-print patient mode would otherwise claim width the clinician's form does
        # not need; in patient mode the search panel is hidden and the page gets it all.
        self.view.setMinimumWidth(560)
        self._page, self.banner = under_banner(self.view)
        # Scores over time with the minimal important change band, once there is a history.
        self.score_chart = ScoreChart()
        self.score_chart.setFixedHeight(200)
        self.score_chart.hide()
        page_layout = self._page.layout()
        if isinstance(page_layout, QVBoxLayout):
            page_layout.insertWidget(1, self.score_chart)
        self._patient_mode = False
        self.view.patient_mode_changed.connect(self._on_patient_mode_changed)
        self.view_model.recorded.connect(self._on_recorded)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """Open the MSK-HQ for ``patient``: its next time point in the open episode."""
        user = self._context.session.user
        if patient is None or user is None:
            return
        # Baseline and follow-ups belong to the episode the banner names.
        episode_id = patient.open_episode.id if patient.open_episode else None
        questionnaires = self._context.services.questionnaires

        def begin(timepoint: object) -> None:
            self.banner.show_record(patient)
            self._load_score_history(patient)
            self.view_model.start(
                QUESTIONNAIRE_ID, patient.id, timepoint=str(timepoint), episode_id=episode_id
            )
            self._context.show(self)

        self._context.runner.run_store(
            lambda: questionnaires.next_timepoint(
                user, patient.id, QUESTIONNAIRE_ID, episode_id=episode_id
            ),
            on_done=begin,
            on_failed=self._context.explain_failure,
        )

    def save_now(self) -> None:
        """Answers are recorded together at the end; nothing is kept half-answered."""

    def reset(self) -> None:
        self.banner.clear()
        self.score_chart.hide()

    def _on_recorded(self, _result: object) -> None:
        patient = self._context.patient
        self._context.announce("questionnaire.recorded", patient.id if patient else None)
        if patient is not None:
            self._load_score_history(patient)

    def _load_score_history(self, patient: PatientRecord) -> None:
        """Fetch the patient's MSK-HQ history for the chart above the questions."""
        user = self._context.session.user
        if user is None:
            return
        questionnaires = self._context.services.questionnaires
        self._context.runner.run_store(
            lambda: (
                questionnaires.definition(QUESTIONNAIRE_ID),
                questionnaires.history(user, patient.id, QUESTIONNAIRE_ID),
            ),
            on_done=self._show_score_history,
            on_failed=self._context.explain_failure,
        )

    def _show_score_history(
        self, loaded: tuple[QuestionnaireDefinition, Sequence[HistoryEntry]]
    ) -> None:
        definition, history = loaded
        points = [(entry.response.recorded_at.date(), entry.response.total) for entry in history]
        self.score_chart.set_series(definition, points)
        self.score_chart.setVisible(bool(points) and not self._patient_mode)

    def _on_patient_mode_changed(self, on: bool) -> None:
        """While the patient holds the device, only the questionnaire is on the screen."""
        self._patient_mode = on
        self.banner.setVisible(not on)
        if on:
            self.score_chart.hide()
        self._context.hand_over(on)


SCREENS = (
    ScreenSpec(
        id="questionnaire",
        title="Outcome &questionnaire (MSK-HQ)",
        tip="Record an MSK-HQ for the open patient, or hand it to them",
        build=QuestionnaireScreen,
        menu="patient",
        order=6,
        shortcut="Ctrl+U",
        needs_patient=True,
    ),
)
