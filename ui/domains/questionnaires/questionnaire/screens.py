"""The outcome questionnaires (MSK-HQ, STarT Back, PSEQ, pain score), declared."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from clinic_app.domains.questionnaires.rules import QuestionnaireDefinition
from clinic_app.domains.questionnaires.views import HistoryEntry, ResponseView
from clinic_app.people.views import PatientRecord
from ui.common import formatting
from ui.common.epoch import Epoch
from ui.common.printing import LeftBehind
from ui.common.score_chart import ScoreChart
from ui.common.screen import ScreenSpec, ShellContext, under_banner
from ui.domains.questionnaires.questionnaire.view import QuestionnaireView
from ui.domains.questionnaires.questionnaire.view_model import QuestionnaireViewModel

QUESTIONNAIRE_ID = "msk_hq"
"""The questionnaire offered first; the chooser on the page offers every other."""


class QuestionnaireScreen:
    """A questionnaire for the open patient: baseline first, follow-ups after; or in their hands.

    MSK-HQ opens first; the chooser on the page reaches every questionnaire the app ships.
    """

    def __init__(self, context: ShellContext) -> None:
        self._context = context
        services = context.services
        self.view_model = QuestionnaireViewModel(
            services.questionnaires,
            services.auth,
            runner=context.runner,
            session=context.session,
            drafts=services.drafts,
            parent=context.owner,
        )
        self.view = QuestionnaireView(self.view_model)
        # Its large-print patient mode would otherwise claim width the clinician's form does
        # not need; in patient mode the search panel is hidden and the page gets it all.
        self.view.setMinimumWidth(560)
        # Enough for a few questions; below that the page scrolls rather than squeeze them.
        self.view.setMinimumHeight(380)
        # Scores over time with the minimal important change band, once there is a history.
        self.score_chart = ScoreChart()
        self.score_chart.setFixedHeight(200)
        self.score_chart.hide()
        # The chart and the questions scroll together under the banner, so the page fits a
        # 1366x768 (or 1280x720) screen whatever is shown.
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(12)
        body_layout.addWidget(self.score_chart)
        body_layout.addWidget(self.view, 1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(body)
        self._page, self.banner = under_banner(self.scroll)
        self._patient_mode = False
        self._questionnaire_id = QUESTIONNAIRE_ID
        #: Raised by every opening and reset: an answer for an earlier one is dropped.
        self._epoch = Epoch()
        self.view.patient_mode_changed.connect(self._on_patient_mode_changed)
        self.view.questionnaire_chosen.connect(self._on_questionnaire_chosen)
        self.view_model.recorded.connect(self._on_recorded)
        self._left = LeftBehind(
            context.signed_in, context.say, lambda: self.view.tr("The questionnaire")
        )
        self.view_model.record_left_behind.connect(self._on_record_left_behind)

    @property
    def page(self) -> QWidget:
        return self._page

    @property
    def questionnaire_id(self) -> str:
        """The questionnaire on show (or to be shown when the page next opens)."""
        return self._questionnaire_id

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        """Open a questionnaire for ``patient``: its next time point in the open episode.

        ``item`` may name the questionnaire by id; otherwise the one last chosen is opened.
        """
        user = self._context.session.user
        if patient is None or user is None:
            return
        # A newer opening, another patient or another user: the store's answers for this one
        # come too late and are dropped (never a page for one patient under another's banner).
        self._epoch.advance()
        response_id = _response_id(item)
        if response_id is not None:
            # Opened from the timeline: that response as it was recorded (read only), its
            # questionnaire's scores on the chart.
            questionnaires = self._context.services.questionnaires

            def recorded(response: ResponseView) -> None:
                if not self._in_banner(patient.id):
                    return
                self._questionnaire_id = response.questionnaire_id
                self.banner.show_record(patient)
                self.view.set_choices(questionnaires.catalogue(), response.questionnaire_id)
                self._load_score_history(patient)
                self.view_model.show_recorded(response)
                self._context.show(self)

            self._context.runner.run_store(
                lambda: questionnaires.response(user, patient.id, response_id),
                on_done=self._epoch.guard(recorded),
                on_failed=self._context.explain_failure,
            )
            return
        if isinstance(item, str):
            self._questionnaire_id = item
        questionnaire_id = self._questionnaire_id
        # Baseline and follow-ups belong to the episode the banner names.
        episode_id = patient.open_episode.id if patient.open_episode else None
        questionnaires = self._context.services.questionnaires

        def begin(loaded: tuple[object, Sequence[tuple[str, str]]]) -> None:
            if not self._in_banner(patient.id):
                return
            timepoint, choices = loaded
            self._left.opened(
                patient.id,
                formatting.patient_name(patient.family_name, patient.given_name, patient.title),
            )
            self.banner.show_record(patient)
            self.view.set_choices(choices, questionnaire_id)
            self._load_score_history(patient)
            self.view_model.start(
                questionnaire_id, patient.id, timepoint=str(timepoint), episode_id=episode_id
            )
            self._context.show(self)

        self._context.runner.run_store(
            lambda: (
                questionnaires.next_timepoint(
                    user, patient.id, questionnaire_id, episode_id=episode_id
                ),
                questionnaires.catalogue(),
            ),
            on_done=self._epoch.guard(begin),
            on_failed=self._context.explain_failure,
        )

    def _in_banner(self, patient_id: uuid.UUID) -> bool:
        banner = self._context.patient
        return banner is not None and banner.id == patient_id

    def _on_questionnaire_chosen(self, questionnaire_id: str) -> None:
        if questionnaire_id != self._questionnaire_id and not self._patient_mode:
            self.score_chart.hide()
            self.open(self._context.patient, questionnaire_id)

    def save_now(self) -> None:
        """Answers ticked and not recorded yet are kept as the user's draft."""
        self.view_model.save_draft_now()

    def reset(self) -> None:
        self._epoch.advance()
        self.view_model.clear()
        self.banner.clear()
        self.score_chart.hide()

    def _on_record_left_behind(self, patient_id: uuid.UUID, title: str, why: str) -> None:
        """Answers refused after the page moved on: said, naming the patient, with why."""
        self._left.tell(
            patient_id,
            lambda name: self.view.tr(
                "The {title} answers for {name} were not recorded: {why} They are no longer "
                "on the screen: open the questionnaire again from their record to enter them."
            ).format(title=title, name=name, why=why),
        )

    def _on_recorded(self, result: object) -> None:
        # Announced for the patient the answers were recorded for, whoever is open now.
        recorded_for = getattr(result, "patient_id", None)
        self._context.announce("questionnaire.recorded", recorded_for)
        patient = self._context.patient
        if patient is not None and patient.id == recorded_for:
            self._load_score_history(patient)

    def _load_score_history(self, patient: PatientRecord) -> None:
        """Fetch the patient's history of this questionnaire for the chart above the questions."""
        user = self._context.session.user
        if user is None:
            return
        questionnaires = self._context.services.questionnaires
        questionnaire_id = self._questionnaire_id
        self._context.runner.run_store(
            lambda: (
                questionnaires.definition(questionnaire_id),
                questionnaires.history(user, patient.id, questionnaire_id),
            ),
            on_done=self._epoch.guard(
                lambda loaded: (
                    self._show_score_history(loaded) if self._in_banner(patient.id) else None
                )
            ),
            on_failed=self._context.explain_failure,
        )

    def _show_score_history(
        self, loaded: tuple[QuestionnaireDefinition, Sequence[HistoryEntry]]
    ) -> None:
        definition, history = loaded
        if definition.id != self._questionnaire_id:
            return  # another questionnaire was chosen meanwhile
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


def _response_id(item: object) -> uuid.UUID | None:
    """The recorded response a timeline entry names, if it names one."""
    if getattr(item, "kind", None) == "questionnaire_response":
        found = getattr(item, "item_id", None)
        return found if isinstance(found, uuid.UUID) else None
    return None


SCREENS = (
    ScreenSpec(
        id="questionnaire",
        title="Outcome &questionnaires",
        tip="Record an outcome questionnaire (MSK-HQ, STarT Back, PSEQ, pain score) for the "
        "open patient, or hand it to them",
        build=QuestionnaireScreen,
        menu="patient",
        order=6,
        shortcut="Ctrl+U",
        needs_patient=True,
    ),
)
