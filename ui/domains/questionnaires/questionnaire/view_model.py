"""State and commands of a questionnaire: answers, patient mode's steps, recording, handing back."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal

from clinic_app.domains.questionnaires.content import DisplayItem
from clinic_app.domains.questionnaires.rules import QuestionnaireDefinition
from clinic_app.domains.questionnaires.views import ResponseView
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.drafts import DraftStore, FormDraft
from ui.common.epoch import Epoch
from ui.common.patient_mode import password_refusal
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class Mode(StrEnum):
    """Who is holding the device: the clinician (whole form) or the patient (one per screen)."""

    CLINICIAN = "clinician"
    PATIENT = "patient"


class QuestionnaireRecorder(Protocol):
    """The part of the questionnaire service this screen uses."""

    def definition(self, questionnaire_id: str) -> QuestionnaireDefinition: ...

    def display_items(self, questionnaire_id: str) -> Sequence[DisplayItem]: ...

    def introduction(self, questionnaire_id: str) -> str: ...

    def record(  # noqa: PLR0917 - the service's own arguments, in its order
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        questionnaire_id: str,
        answers: Mapping[str, int | None],
        timepoint: str,
        mode: str,
        *,
        episode_id: uuid.UUID | None = None,
    ) -> ResponseView: ...


class ClinicianCheck(Protocol):
    """Asks whether a password is the signed-in clinician's (the auth service fits)."""

    def check_password(self, actor: CurrentUser, password: str) -> None: ...


#: The kind of draft the answers not recorded yet are kept as.
DRAFT_KIND = "questionnaire.answers"


def result_text(result: ResponseView) -> str:
    """A recorded result in words for the clinician (never shown to the patient)."""
    if result.complete and result.total is not None:
        return QCoreApplication.translate("QuestionnaireViewModel", "Total score: {total}").format(
            total=result.total
        )
    missing = len(result.missing_items)
    return QCoreApplication.translate(
        "QuestionnaireViewModel", "Incomplete: {count} questions not answered"
    ).format(count=missing)


class QuestionnaireViewModel(QObject):
    """One questionnaire being filled in, by the clinician or handed to the patient.

    In patient mode the introduction (the recall period) shows first, then one question at a
    time; Next needs an answer, and "Skip" moves on leaving the question unanswered on
    purpose (the result is then incomplete and the clinician sees how many were skipped).
    Leaving patient mode needs the password of the clinician who handed the device over;
    until then the view model refuses to change mode. Once answers are recorded they are
    never recorded again: another response needs the questionnaire opened again.
    """

    loaded = Signal()
    answers_changed = Signal()
    step_changed = Signal(int)
    mode_changed = Signal(str)
    recorded = Signal(object)
    result_ready = Signal(str)
    exit_requested = Signal()
    exit_refused = Signal(str)
    problem = Signal(str)
    record_left_behind = Signal(object, str, str)
    """``(patient id, questionnaire title, why)``: answers recorded just before the patient
    changed were refused after the page moved on (they are no longer on any screen)."""
    busy_changed = Signal(bool)
    #: Whether the answers on show can still be recorded (False while saving and after).
    can_record_changed = Signal(bool)

    def __init__(
        self,
        recorder: QuestionnaireRecorder,
        clinician_check: ClinicianCheck,
        *,
        runner: TaskRunner,
        session: UserSession,
        drafts: DraftStore | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        #: Answers ticked and not recorded yet: the user's draft of this questionnaire for
        #: the patient, time point and episode, kept through leaving and switching user.
        self._draft = (
            FormDraft(drafts, runner, session, DRAFT_KIND, parent=self) if drafts else None
        )
        if self._draft is not None:
            self._draft.restored.connect(self._on_draft_restored)
        #: Answers read from the draft before the questions were (put in once they are).
        self._kept: dict[str, int] = {}
        self._recorder = recorder
        self._check = clinician_check
        self._runner = runner
        self._session = session
        self._definition: QuestionnaireDefinition | None = None
        self._items: list[DisplayItem] = []
        self._introduction = ""
        self._recorded = False
        self._on_introduction = False
        self._answers: dict[str, int | None] = {}
        self._mode = Mode.CLINICIAN
        self._step = 0
        self._busy = False
        self._handed_over_by: CurrentUser | None = None
        self._held_result = ""
        self._held_problem = ""
        self._context: tuple[uuid.UUID, str, uuid.UUID | None] | None = None
        #: Raised by :meth:`clear` and each start: answers for an earlier one are dropped.
        self._epoch = Epoch()

    # ------------------------------------------------------------ state

    @property
    def definition(self) -> QuestionnaireDefinition | None:
        return self._definition

    @property
    def items(self) -> list[DisplayItem]:
        return list(self._items)

    @property
    def answers(self) -> dict[str, int | None]:
        return dict(self._answers)

    @property
    def introduction(self) -> str:
        """Words shown before the first question: the recall period ("" if none)."""
        return self._introduction

    @property
    def on_introduction(self) -> bool:
        """Patient mode is showing the introduction, before the first question."""
        return self._mode is Mode.PATIENT and self._on_introduction

    @property
    def recorded_already(self) -> bool:
        """These answers are recorded; recording them again would make a second response."""
        return self._recorded

    def can_record(self) -> bool:
        """The clinician may record the answers on show now."""
        return self._definition is not None and not self._recorded and not self._busy

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def step(self) -> int:
        """Patient mode's screen: 0 .. len(items)-1 are questions, len(items) is the end."""
        return self._step

    @property
    def finished(self) -> bool:
        return bool(self._items) and self._step >= len(self._items)

    @property
    def busy(self) -> bool:
        return self._busy

    def current_item(self) -> DisplayItem | None:
        if self.on_introduction:
            return None
        return self._items[self._step] if 0 <= self._step < len(self._items) else None

    def can_go_next(self) -> bool:
        item = self.current_item()
        return item is not None and self._answers.get(item.code) is not None

    @property
    def episode_open(self) -> bool:
        """The response being entered belongs to an open episode of care."""
        return self._context is not None and self._context[2] is not None

    @property
    def timepoint(self) -> str:
        """``baseline`` or ``follow_up``: what the response being entered will count as."""
        return self._context[1] if self._context is not None else ""

    # ------------------------------------------------------------ commands

    def start(
        self,
        questionnaire_id: str,
        patient_id: uuid.UUID,
        *,
        timepoint: str,
        episode_id: uuid.UUID | None = None,
    ) -> None:
        """Load a questionnaire for a patient; emits ``loaded`` (clinician mode, no answers)."""
        self._epoch.advance()
        self._context = (patient_id, timepoint, episode_id)
        self._set_busy(True)

        self._runner.run_store(
            self._reader(questionnaire_id),
            on_done=self._epoch.guard(self._on_loaded),
            on_failed=self._epoch.guard(self._on_failed),
        )
        key = f"{patient_id}|{questionnaire_id}|{timepoint}|{episode_id}"
        if self._draft is not None and self._draft.key == key:
            # The same questionnaire opened again: the answers ticked so far stay.
            self._kept = {c: v for c, v in self._answers.items() if v is not None}
        else:
            self._kept = {}
            if self._draft is not None:
                self._draft.move_to(key)

    def show_recorded(self, response: ResponseView) -> None:
        """Show a recorded response as it was recorded: its answers, time point and score.

        Read only: nothing can be answered or recorded again from it (a second response is
        recorded from a new questionnaire).
        """
        self._epoch.advance()
        self._leave_draft()
        self._context = (response.patient_id, response.timepoint.value, response.episode_id)
        questionnaire_id = response.questionnaire_id
        self._set_busy(True)

        def shown(loaded: tuple[QuestionnaireDefinition, list[DisplayItem], str]) -> None:
            self._on_loaded(loaded)
            self._answers = {item.code: response.answers.get(item.code) for item in self._items}
            self._recorded = True
            self._set_busy(False)
            self.answers_changed.emit()
            self.result_ready.emit(result_text(response))

        self._runner.run_store(
            self._reader(questionnaire_id),
            on_done=self._epoch.guard(shown),
            on_failed=self._epoch.guard(self._on_failed),
        )

    def _reader(
        self, questionnaire_id: str
    ) -> Callable[[], tuple[QuestionnaireDefinition, list[DisplayItem], str]]:
        """The store work reading a questionnaire's definition, questions and introduction."""
        recorder = self._recorder

        def load() -> tuple[QuestionnaireDefinition, list[DisplayItem], str]:
            return (
                recorder.definition(questionnaire_id),
                list(recorder.display_items(questionnaire_id)),
                recorder.introduction(questionnaire_id),
            )

        return load

    def clear(self) -> None:
        """Forget the patient and the answers (the patient changed, or the user switched).

        Answers still on their way are dropped when they come: a questionnaire loaded or
        recorded for one patient never reaches the page of the next. What was being recorded
        is recorded, for the patient it was asked for; if the store refuses it, that is said
        for that patient (``record_left_behind``). Answers ticked and not recorded stay the
        user's draft for that patient.
        """
        self._epoch.advance()
        self._leave_draft()
        self._context = None
        self._definition = None
        self._items = []
        self._answers = {}
        self._introduction = ""
        self._recorded = False
        self._on_introduction = False
        self._step = 0
        self._held_result = self._held_problem = ""
        self._set_busy(False)

    def set_answer(self, code: str, value: int | None) -> None:
        """Keep one answer (``None`` clears it)."""
        if self._recorded or code not in {item.code for item in self._items}:
            return
        self._answers[code] = value
        self.answers_changed.emit()
        if self._draft is not None and self._draft.key is not None:
            self._draft.update(
                {"answers": {c: v for c, v in self._answers.items() if v is not None}}
            )

    def save_draft_now(self) -> None:
        """Write the answers not recorded yet now (leaving, locking, switching user)."""
        if self._draft is not None:
            self._draft.save_now()

    def _leave_draft(self) -> None:
        self._kept = {}
        if self._draft is not None:
            self._draft.move_to(None)

    def _on_draft_restored(self, payload: dict[str, object]) -> None:
        answers = payload.get("answers")
        if not isinstance(answers, dict):
            return
        self._kept = {
            code: value
            for code, value in answers.items()
            if isinstance(code, str) and isinstance(value, int) and not isinstance(value, bool)
        }
        self._put_kept()

    def _put_kept(self) -> None:
        """Answers kept from before, into the questions still unanswered (once both are here)."""
        if not self._kept or not self._items or self._recorded:
            return
        kept, self._kept = self._kept, {}
        put = False
        for code, value in kept.items():
            if code in self._answers and self._answers[code] is None:
                self._answers[code] = value
                put = True
        if put:
            self.answers_changed.emit()
            self.can_record_changed.emit(self.can_record())

    def hand_to_patient(self) -> None:
        """Switch to patient mode at its introduction; remembers who handed it over."""
        if self._recorded:
            return
        self._handed_over_by = self._session.require_user()
        self._held_result = ""
        self._held_problem = ""
        self._step = 0
        self._on_introduction = bool(self._introduction)
        self._set_mode(Mode.PATIENT)
        self.step_changed.emit(self._step)

    def begin_questions(self) -> None:
        """Patient mode: leave the introduction for the first question."""
        if self.on_introduction:
            self._on_introduction = False
            self.step_changed.emit(self._step)

    def next(self) -> None:
        """Patient mode: go on once the question is answered; after the last, record."""
        if self._mode is Mode.PATIENT and self.can_go_next():
            self._advance()

    def skip(self) -> None:
        """Patient mode: go on leaving this question unanswered."""
        item = self.current_item()
        if self._mode is Mode.PATIENT and item is not None:
            self._answers[item.code] = None
            self._advance()

    def back(self) -> None:
        if self._mode is not Mode.PATIENT or self.finished or self.on_introduction:
            return
        if self._step > 0:
            self._step -= 1
            self.step_changed.emit(self._step)
        elif self._introduction:
            self._on_introduction = True
            self.step_changed.emit(self._step)

    def request_exit(self) -> None:
        """Patient mode: someone wants to leave; the view asks for the clinician's password."""
        if self._mode is Mode.PATIENT:
            self.exit_requested.emit()

    def confirm_exit(self, password: str) -> None:
        """Leave patient mode if ``password`` is the handing-over clinician's."""
        actor = self._handed_over_by
        if self._mode is not Mode.PATIENT or actor is None or self._busy:
            return
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._check.check_password(actor, password),
            on_done=lambda _: self._on_exit_allowed(),
            on_failed=self._on_exit_refused,
        )

    def record(self) -> None:
        """Clinician mode: record the answers as they stand."""
        if self._mode is Mode.CLINICIAN and self.can_record():
            self._record(self._session.require_user())

    # ------------------------------------------------------------ internals

    def _advance(self) -> None:
        self._step += 1
        self.step_changed.emit(self._step)
        if self.finished and self._handed_over_by is not None:
            self._record(self._handed_over_by)

    def _record(self, actor: CurrentUser) -> None:
        if self._definition is None or self._context is None or self._recorded or self._busy:
            return
        patient_id, timepoint, episode_id = self._context
        questionnaire_id, title = self._definition.id, self._definition.title
        answers = {item.code: self._answers.get(item.code) for item in self._items}
        mode = self._mode.value
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._recorder.record(
                actor, patient_id, questionnaire_id, answers, timepoint, mode, episode_id=episode_id
            ),
            on_done=self._epoch.guard(self._on_recorded),
            on_failed=self._epoch.guard_or(
                self._on_failed,
                lambda error: self.record_left_behind.emit(
                    patient_id, title, errors.explain(error)
                ),
            ),
        )

    def _on_loaded(self, loaded: tuple[QuestionnaireDefinition, list[DisplayItem], str]) -> None:
        self._definition, self._items, self._introduction = loaded
        self._answers = dict.fromkeys((item.code for item in self._items), None)
        self._recorded = False
        self._on_introduction = False
        self._step = 0
        self._set_busy(False)
        self._set_mode(Mode.CLINICIAN)
        self.loaded.emit()
        self._put_kept()

    def _on_recorded(self, result: ResponseView) -> None:
        # Set before busy ends, so "Record answers" never comes back on for these answers.
        self._recorded = True
        if self._draft is not None:
            self._draft.discard()  # recorded: nothing of it is a draft any more
        self._set_busy(False)
        self.recorded.emit(result)
        text = result_text(result)
        # The patient never sees a score: it waits until the clinician has the device back.
        if self._mode is Mode.PATIENT:
            self._held_result = text
        else:
            self.result_ready.emit(text)

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        message = errors.explain(error)
        if self._mode is Mode.PATIENT:
            self._held_problem = message
        else:
            self.problem.emit(message)

    def _on_exit_allowed(self) -> None:
        self._set_busy(False)
        self._handed_over_by = None
        self._set_mode(Mode.CLINICIAN)
        self.answers_changed.emit()
        if self._held_result:
            self.result_ready.emit(self._held_result)
        if self._held_problem:
            self.problem.emit(self._held_problem)
        self._held_result = self._held_problem = ""

    def _on_exit_refused(self, error: BaseException) -> None:
        self._set_busy(False)
        self.exit_refused.emit(
            password_refusal(
                error, self.tr("That password is not right. The questionnaire stays open.")
            )
        )

    def _set_mode(self, mode: Mode) -> None:
        if mode is not self._mode:
            self._mode = mode
            self.mode_changed.emit(mode.value)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
        self.can_record_changed.emit(self.can_record())
