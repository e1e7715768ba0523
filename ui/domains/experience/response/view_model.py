"""State and commands of the Friends and Family Test: handing over, the answer, handing back."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.experience.views import QuestionView, RecordedView
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.patient_mode import password_refusal
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class Step(StrEnum):
    """What the page shows: the clinician's page, or one of the patient's."""

    CLINICIAN = "clinician"
    QUESTION = "question"
    THANKS = "thanks"
    NOT_SAVED = "not_saved"
    PASSWORD = "password"


class ExperienceRecorder(Protocol):
    """The part of the experience service this screen uses."""

    def question(self, actor: CurrentUser) -> QuestionView: ...

    def record(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        answer: str | None,
        comment: str = "",
        *,
        episode_id: uuid.UUID | None = None,
    ) -> RecordedView: ...


class ClinicianCheck(Protocol):
    """Asks whether a password is the signed-in clinician's (the auth service fits)."""

    def check_password(self, actor: CurrentUser, password: str) -> None: ...


class ExperienceViewModel(QObject):
    """One patient's Friends and Family Test, from the clinician's page to the patient's hands.

    The patient chooses an answer, may write a few words and sends them; the answer is
    recorded under the clinician who handed the device over. Leaving the patient's page needs
    that clinician's password; until then nothing else in the window answers. The clinician
    is told that the answer was recorded, never what it was.
    """

    loaded = Signal()
    step_changed = Signal(str)
    patient_mode_changed = Signal(bool)
    answer_changed = Signal()
    recorded = Signal(object)
    result_ready = Signal(str)
    note = Signal(str)
    problem = Signal(str)
    exit_refused = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self,
        recorder: ExperienceRecorder,
        clinician_check: ClinicianCheck,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._recorder = recorder
        self._check = clinician_check
        self._runner = runner
        self._session = session
        self._question: QuestionView | None = None
        self._patient: tuple[uuid.UUID, uuid.UUID | None] | None = None
        self._step = Step.CLINICIAN
        self._before_password = Step.QUESTION
        self._answer: str | None = None
        self._comment = ""
        self._busy = False
        self._handed_over_by: CurrentUser | None = None
        self._held_problem = ""
        self._recorded_for: uuid.UUID | None = None
        self._sent = False

    # ------------------------------------------------------------ state

    @property
    def question(self) -> QuestionView | None:
        return self._question

    @property
    def step(self) -> Step:
        return self._step

    @property
    def patient_mode(self) -> bool:
        """The patient holds the device."""
        return self._step is not Step.CLINICIAN

    @property
    def answer(self) -> str | None:
        return self._answer

    @property
    def comment(self) -> str:
        return self._comment

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def patient_id(self) -> uuid.UUID | None:
        """The patient this screen was opened for (the banner's)."""
        return self._patient[0] if self._patient is not None else None

    @property
    def recorded_for(self) -> uuid.UUID | None:
        """The patient whose answer was recorded last on this screen, if any."""
        return self._recorded_for

    def can_hand_over(self) -> bool:
        return self._question is not None and self._patient is not None and not self._busy

    def can_send(self) -> bool:
        return self._step is Step.QUESTION and self._answer is not None and not self._busy

    # ------------------------------------------------------------ commands

    def start(self, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None) -> None:
        """Open the question for the banner's patient (clinician's page, nothing chosen)."""
        if self.patient_mode:
            return
        self._patient = (patient_id, episode_id)
        self._recorded_for = None
        self._clear_answer()
        actor = self._session.require_user()
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._recorder.question(actor),
            on_done=self._on_loaded,
            on_failed=self._on_failed,
        )

    def reset(self) -> None:
        """Forget the patient and anything chosen (switching user, another patient)."""
        if self.patient_mode:
            return
        self._patient = None
        self._recorded_for = None
        self._clear_answer()

    def hand_to_patient(self) -> None:
        """The patient holds the device: the question, nothing chosen; remembers who handed it."""
        if not self.can_hand_over() or self.patient_mode:
            return
        self._handed_over_by = self._session.require_user()
        self._held_problem = ""
        self._sent = False
        self._clear_answer()
        self._set_step(Step.QUESTION)
        self.patient_mode_changed.emit(True)

    def choose(self, code: str) -> None:
        """The patient's answer (one of the question's codes)."""
        if self._step is not Step.QUESTION or self._question is None:
            return
        if code in {known for known, _ in self._question.answers}:
            self._answer = code
            self.answer_changed.emit()

    def set_comment(self, text: str) -> None:
        """The patient's own words (optional)."""
        if self._step is Step.QUESTION:
            self._comment = text

    def send(self) -> None:
        """The patient sends the answer: it is recorded under the clinician who handed over."""
        actor, patient = self._handed_over_by, self._patient
        if not self.can_send() or actor is None or patient is None:
            return
        answer, comment = self._answer, self._comment
        patient_id, episode_id = patient
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._recorder.record(
                actor, patient_id, answer, comment, episode_id=episode_id
            ),
            on_done=self._on_recorded,
            on_failed=self._on_not_recorded,
        )

    def request_exit(self) -> None:
        """Someone wants the device back: the page asks for the clinician's password."""
        if self.patient_mode and self._step is not Step.PASSWORD:
            self._before_password = self._step
            self._set_step(Step.PASSWORD)

    def cancel_exit(self) -> None:
        """Back to where the patient was."""
        if self._step is Step.PASSWORD:
            self._set_step(self._before_password)

    def confirm_exit(self, password: str) -> None:
        """Back to the clinician if ``password`` is the handing-over clinician's."""
        actor = self._handed_over_by
        if self._step is not Step.PASSWORD or actor is None or self._busy:
            return
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._check.check_password(actor, password),
            on_done=lambda _none: self._on_handed_back(),
            on_failed=self._on_exit_refused,
        )

    # ------------------------------------------------------------ internals

    def _clear_answer(self) -> None:
        self._answer = None
        self._comment = ""
        self.answer_changed.emit()

    def _on_loaded(self, question: QuestionView) -> None:
        self._question = question
        self._set_busy(False)
        self.loaded.emit()

    def _on_recorded(self, recorded: RecordedView) -> None:
        self._set_busy(False)
        self._recorded_for = recorded.patient_id
        self._sent = True
        self._clear_answer()
        self.recorded.emit(recorded)
        self._set_step(Step.THANKS)

    def _on_not_recorded(self, error: BaseException) -> None:
        self._set_busy(False)
        # The patient is not shown why: the clinician is, once the device is back.
        self._held_problem = errors.explain(error)
        self._set_step(Step.NOT_SAVED)

    def _on_handed_back(self) -> None:
        self._set_busy(False)
        self._handed_over_by = None
        recorded = self._sent and not self._held_problem
        self._clear_answer()
        self._set_step(Step.CLINICIAN)
        self.patient_mode_changed.emit(False)
        if self._held_problem:
            self.problem.emit(self._held_problem)
        elif recorded:
            self.result_ready.emit(self.tr("The patient's answer is recorded. Thank you."))
        else:
            self.note.emit(self.tr("Nothing was recorded: the patient did not answer."))
        self._held_problem = ""

    def _on_exit_refused(self, error: BaseException) -> None:
        self._set_busy(False)
        self.exit_refused.emit(
            password_refusal(error, self.tr("That password is not right. The question stays open."))
        )

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.problem.emit(errors.explain(error))

    def _set_step(self, step: Step) -> None:
        if step is not self._step:
            self._step = step
            self.step_changed.emit(step.value)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
