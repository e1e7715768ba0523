"""Red-flag screening: one screening per visit, each shared question asked once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.red_flags.rules import (
    AGE,
    BODY_REGIONS,
    Answer,
    ComposedScreening,
    Level,
    RecordedAction,
    RedFlagScreen,
    RuleStatus,
    ScreenResult,
    compose_screening,
    evaluate_screening,
)
from clinic_app.domains.red_flags.views import (
    EarlierAnswer,
    RecordedScreening,
    ScreeningView,
    ScreeningVisit,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from ui.common import errors
from ui.common.body_chart import red_flag_regions
from ui.common.drafts import DraftStore, FormDraft
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.red_flags.screening.draft import (
    DRAFT_KIND,
    IGNORED_FOR_BLANK,
    ScreeningDraft,
    draft_of,
    read_draft,
)

#: The actions that resolve a positive screen, in the order the banner offers them.
ACTION_ORDER: tuple[RecordedAction, ...] = (
    RecordedAction.SAME_DAY_EMERGENCY_DEPARTMENT,
    RecordedAction.EMERGENCY_REFERRAL,
    RecordedAction.TWO_WEEK_WAIT_REFERRAL,
)


class RedFlagScreening(Protocol):
    """The part of the red-flag service this screen uses."""

    def screens_for(
        self, actor: CurrentUser, patient_id: uuid.UUID, regions: Iterable[str]
    ) -> tuple[RedFlagScreen, ...]: ...

    def open_screening(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        regions: Iterable[str],
        *,
        episode_id: uuid.UUID | None = None,
    ) -> ScreeningVisit: ...

    def record_screening(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        screen_ids: Iterable[str],
        answers: Mapping[str, str],
        *,
        episode_id: uuid.UUID | None = None,
    ) -> RecordedScreening: ...

    def resolve(
        self,
        actor: CurrentUser,
        screening_id: uuid.UUID,
        action: RecordedAction | str,
        reason: str | None = None,
    ) -> ScreeningView: ...

    def unresolved(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[ScreeningView]: ...

    def screenings(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[ScreeningView]: ...


@dataclass(frozen=True)
class OwedAction:
    """A positive screen still waiting for a recorded action, as the banner shows it."""

    screening: ScreeningView
    title: str
    required: tuple[str, ...]
    accepted: tuple[RecordedAction, ...]


@dataclass(frozen=True)
class ScreenOutcome:
    """One screen of the screening as it stands: live from the answers, and as recorded.

    Attributes:
        screen: the screen.
        live: its result from the answers on the page (worked out again by the core when
            recorded; this one is only shown).
        missing: question codes (or ``age``) that would decide it while it is incomplete.
        recorded: its latest screening recorded in this visit, if any.
        pending: its answers on the page differ from what was recorded (or nothing is).
    """

    screen: RedFlagScreen
    live: ScreenResult
    missing: tuple[str, ...]
    recorded: ScreeningView | None
    pending: bool


def _missing(result: ScreenResult) -> tuple[str, ...]:
    if result.level is not Level.INCOMPLETE:
        return ()
    return tuple(
        dict.fromkeys(
            code
            for rule in result.rules
            if rule.status is RuleStatus.OPEN
            for code in rule.waiting_on
        )
    )


class RedFlagsViewModel(QObject):
    """One screening for the open patient: the screens asked, one set of answers, outcomes."""

    screening_changed = Signal(object)
    """The composed screening (or None): the questions to ask changed."""
    outcomes_changed = Signal(object)
    """``list[ScreenOutcome]``: answers, outcomes or recordings changed."""
    recorded = Signal(object)
    owed_changed = Signal(object)
    resolved = Signal(object)
    resolve_failed = Signal(str, str)
    problem = Signal(str)
    busy_changed = Signal(bool)
    shown_recorded = Signal(object)
    """A screening recorded earlier (``ScreeningView``), opened to be read; None hides it."""
    draft_restored = Signal()
    """Answers the user left unrecorded for this patient are back on the page."""

    def __init__(
        self,
        red_flags: RedFlagScreening,
        drafts: DraftStore,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = red_flags
        self._runner = runner
        self._session = session
        self._patient_id: uuid.UUID | None = None
        self._catalogue: dict[str, RedFlagScreen] = {}
        self._visit: ScreeningVisit | None = None
        self._chosen: list[str] = []
        self._composed: ComposedScreening | None = None
        self._answers: dict[str, Answer] = {}
        self._cleared: set[str] = set()
        self._earlier: dict[str, EarlierAnswer] = {}
        self._recorded: dict[str, ScreeningView] = {}
        self._outcomes: list[ScreenOutcome] = []
        self._owed: list[OwedAction] = []
        self._busy = False
        # Answers not yet recorded are the user's draft for the patient, kept per user.
        self._draft = FormDraft(
            drafts, runner, session, DRAFT_KIND, ignore_for_blank=IGNORED_FOR_BLANK, parent=self
        )
        self._draft.restored.connect(self._on_draft_restored)
        self._draft.failed.connect(self.problem)
        self._draft_waiting: ScreeningDraft | None = None

    # ------------------------------------------------------------------ state

    @property
    def patient_id(self) -> uuid.UUID | None:
        return self._patient_id

    @property
    def composed(self) -> ComposedScreening | None:
        return self._composed

    @property
    def chosen(self) -> tuple[str, ...]:
        return tuple(self._chosen)

    @property
    def suggested(self) -> tuple[str, ...]:
        return self._visit.suggested if self._visit is not None else ()

    @property
    def catalogue(self) -> tuple[RedFlagScreen, ...]:
        return tuple(self._catalogue.values())

    @property
    def answers(self) -> dict[str, Answer]:
        """The answers given so far (a question not in it is not asked)."""
        return dict(self._answers)

    @property
    def earlier(self) -> dict[str, EarlierAnswer]:
        """Answers offered from earlier in this visit, by question code."""
        return dict(self._earlier)

    @property
    def outcomes(self) -> list[ScreenOutcome]:
        return list(self._outcomes)

    @property
    def pending(self) -> tuple[str, ...]:
        """Screens whose answers are not yet recorded as they stand."""
        return tuple(o.screen.screen_id for o in self._outcomes if o.pending)

    @property
    def owed(self) -> list[OwedAction]:
        return list(self._owed)

    @property
    def busy(self) -> bool:
        return self._busy

    # ------------------------------------------------------------------ commands

    def clear(self) -> None:
        """Forget the patient and every answer (switching patient or user)."""
        self._patient_id = None
        self._visit = None
        self._chosen = []
        self._composed = None
        self._answers = {}
        self._cleared = set()
        self._earlier = {}
        self._recorded = {}
        self._outcomes = []
        self._owed = []
        self._set_busy(False)
        self.screening_changed.emit(None)
        self.outcomes_changed.emit([])
        self.owed_changed.emit([])
        self.shown_recorded.emit(None)

    def save_draft_now(self) -> None:
        """Keep the answers not yet recorded as the user's draft, now (lock, switch user)."""
        self._draft.save_now()

    def forget_draft(self) -> None:
        """Drop the draft held in memory, the store untouched (switching user or patient)."""
        self._draft.forget()
        self._draft.set_key(None)
        self._draft_waiting = None

    def watch(self, patient_id: uuid.UUID) -> None:
        """A patient is open elsewhere: no answers of another patient, only actions owed."""
        if patient_id != self._patient_id:
            self.save_draft_now()
            self.forget_draft()
            self.clear()
            self._patient_id = patient_id
        if not self._catalogue:
            # Every screen's definition, so an owed action can be described after a restart.
            actor = self._session.require_user()
            self._runner.run_store(
                lambda: self._service.screens_for(actor, patient_id, sorted(BODY_REGIONS)),
                on_done=self._on_catalogue_loaded,
                on_failed=self._on_failed,
            )
        self.refresh_owed()

    def start(self, patient_id: uuid.UUID, chart_regions: Iterable[str] = ()) -> None:
        """Open the screening of a patient: the screens suggested and this visit's answers.

        ``chart_regions`` are the body chart's region codes (e.g. ``left_knee``).
        """
        actor = self._session.require_user()
        # Reopened for the same patient: answers not yet recorded and screens added stay.
        same = patient_id == self._patient_id
        answers = dict(self._answers) if same else {}
        chosen = tuple(self._chosen) if same else ()
        self.clear()
        self._patient_id = patient_id
        regions = sorted(red_flag_regions(chart_regions))
        self._runner.run_store(
            lambda: self._service.open_screening(actor, patient_id, regions),
            on_done=lambda visit: self._on_visit_loaded(patient_id, visit, answers, chosen),
            on_failed=self._on_failed,
            supersede="red_flags.screening",
        )
        # Another patient's draft is kept first; this one's comes back after the visit.
        if self._draft.move_to(str(patient_id)):
            self._draft_waiting = None
        self.refresh_owed()

    def show_recorded(self, screening_id: uuid.UUID) -> None:
        """Show a screening recorded earlier for the open patient (from the timeline)."""
        patient_id = self._patient_id
        if patient_id is None:
            return
        actor = self._session.require_user()

        def found(screenings: list[ScreeningView]) -> None:
            if patient_id != self._patient_id:
                return  # another patient was opened meanwhile
            # The patient's screenings, with those under a registration merged into theirs.
            match = next((s for s in screenings if s.id == screening_id), None)
            if match is None:
                self.problem.emit(self.tr("That screening is not in this patient's record."))
                return
            self.shown_recorded.emit(match)

        self._runner.run_store(
            lambda: self._service.screenings(actor, patient_id),
            on_done=found,
            on_failed=self._on_failed,
        )

    def refresh_owed(self) -> None:
        """Ask the store which positive screens of this patient still wait for an action."""
        patient_id = self._patient_id
        if patient_id is None:
            return
        actor = self._session.require_user()
        self._runner.run_store(
            lambda: self._service.unresolved(actor, patient_id),
            on_done=lambda owed: self._on_unresolved_loaded(patient_id, owed),
            on_failed=self._on_failed,
            supersede="red_flags.unresolved",
        )

    def add_screen(self, screen_id: str) -> None:
        """Ask one more screen; answers already given stay, shared questions are not repeated."""
        if screen_id in self._chosen or screen_id not in self._catalogue:
            return
        self._chosen.append(screen_id)
        self._compose()
        self._keep_draft()

    def set_answer(self, code: str, answer: Answer | str) -> None:
        """One answer; every screen that asks the question sees it at once."""
        value = Answer(answer)
        if self._composed is None or code not in self._composed.asked_by:
            return
        if value is Answer.NOT_ASKED:
            self._answers.pop(code, None)
            self._cleared.add(code)  # an answer offered from earlier, taken back
        else:
            self._answers[code] = value
            self._cleared.discard(code)
        self._evaluate()
        self._keep_draft()

    def record(self) -> None:
        """Record the screens not yet recorded as they stand, all at once."""
        patient_id = self._patient_id
        composed = self._composed
        if patient_id is None or composed is None or self._busy:
            return
        screen_ids = self.pending
        if not screen_ids:
            return
        actor = self._session.require_user()
        wanted = {code for s in screen_ids for code in self._catalogue[s].question_codes}
        answers = {code: a.value for code, a in self._answers.items() if code in wanted}
        episode_id = self._visit.episode_id if self._visit is not None else None
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._service.record_screening(
                actor, patient_id, screen_ids, answers, episode_id=episode_id
            ),
            on_done=lambda result: self._on_recorded(patient_id, result),
            on_failed=self._on_record_failed,
        )

    def resolve(
        self, screening_id: uuid.UUID, action: RecordedAction, reason: str | None = None
    ) -> None:
        """Record what was done for a positive screen, or a reasoned clinician override."""
        if self._busy:
            return
        actor = self._session.require_user()
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._service.resolve(actor, screening_id, action, reason),
            on_done=self._on_resolved,
            on_failed=lambda error: self._on_resolve_failed(screening_id, error),
        )

    # ------------------------------------------------------------------ the draft

    def _keep_draft(self) -> None:
        """What is on the page changed: kept as the patient's draft once the changes pause."""
        if self._patient_id is None or self._draft.key != str(self._patient_id):
            return
        if not self.pending:
            self._draft.discard()  # everything on the page is recorded as it stands
            return
        self._draft.update(draft_of(self._chosen, self._answers, self._cleared).payload())

    def _on_draft_restored(self, payload: dict[str, object]) -> None:
        if self._draft.key != str(self._patient_id):
            return  # never another patient's answers
        self._draft_waiting = read_draft(payload)
        if self._visit is not None and self._visit.patient_id == self._patient_id:
            self._apply_draft()

    def _apply_draft(self) -> None:
        """The answers left unrecorded come back over those offered from earlier."""
        draft, self._draft_waiting = self._draft_waiting, None
        if draft is None:
            return
        wanted = dict.fromkeys((*self._chosen, *draft.screens))
        self._chosen = [s for s in wanted if s in self._catalogue]
        self._answers.update(draft.answers)
        for code in draft.cleared:
            self._answers.pop(code, None)
            self._cleared.add(code)
        self._compose()
        self.draft_restored.emit()

    # ------------------------------------------------------------------ working out

    def _compose(self) -> None:
        order = list(self._catalogue)
        self._chosen.sort(key=order.index)
        screens = [self._catalogue[s] for s in self._chosen]
        self._composed = compose_screening(screens) if screens else None
        if self._composed is not None:
            for code in self._composed.question_codes:
                earlier = self._earlier.get(code)
                if code not in self._answers and code not in self._cleared and earlier:
                    self._answers[code] = Answer(earlier.answer)
        self.screening_changed.emit(self._composed)
        self._evaluate()

    def _evaluate(self) -> None:
        composed = self._composed
        if composed is None:
            self._outcomes = []
            self.outcomes_changed.emit([])
            return
        age = self._visit.age if self._visit is not None else None
        answers = {c: a for c, a in self._answers.items() if c in composed.asked_by}
        results = evaluate_screening(composed, answers, age=age)
        outcomes = []
        for screen, result in zip(composed.screens, results, strict=True):
            recorded = self._recorded.get(screen.screen_id)
            own = {c: answers.get(c, Answer.NOT_ASKED).value for c in screen.question_codes}
            pending = recorded is None or dict(recorded.answers) != own
            outcomes.append(ScreenOutcome(screen, result, _missing(result), recorded, pending))
        self._outcomes = outcomes
        self.outcomes_changed.emit(self.outcomes)

    def question_words(self, code: str) -> str:
        """A question's words, for saying what is still to ask."""
        if code == AGE:
            return self.tr("the patient's date of birth (age)")
        for screen in self._catalogue.values():
            for question in screen.questions:
                if question.code == code:
                    return question.text
        return code

    # ------------------------------------------------------------------ results

    def _owed_action(self, screening: ScreeningView) -> OwedAction:
        screen = self._catalogue.get(screening.screen_id)
        required: list[str] = []
        if screen is not None:
            fired = set(screening.fired_rules)
            required = [
                action.text
                for rule in screen.rules
                if rule.rule_id in fired
                for action in rule.actions
            ]
        accepted = tuple(a for a in ACTION_ORDER if a in screening.accepted_actions)
        return OwedAction(screening, screening.screen_title, tuple(required), accepted)

    def _on_catalogue_loaded(self, screens: tuple[RedFlagScreen, ...]) -> None:
        for screen in screens:
            self._catalogue.setdefault(screen.screen_id, screen)
        if self._owed:
            self._owed = [self._owed_action(item.screening) for item in self._owed]
            self.owed_changed.emit(self.owed)

    def _on_visit_loaded(
        self,
        patient_id: uuid.UUID,
        visit: ScreeningVisit,
        answers: Mapping[str, Answer],
        chosen: tuple[str, ...],
    ) -> None:
        if patient_id != self._patient_id or visit.patient_id != patient_id:
            return  # another patient was opened meanwhile: never show this one's answers
        self._visit = visit
        self._catalogue = {screen.screen_id: screen for screen in visit.screens}
        self._earlier = dict(visit.earlier_answers)
        self._recorded = {s.screen_id: s for s in visit.earlier}
        wanted = dict.fromkeys((*visit.suggested, *self._recorded, *chosen))
        self._chosen = [s for s in wanted if s in self._catalogue]
        self._answers = dict(answers)
        self._compose()
        self._apply_draft()
        if self._owed:
            self._owed = [self._owed_action(item.screening) for item in self._owed]
            self.owed_changed.emit(self.owed)

    def _on_unresolved_loaded(self, patient_id: uuid.UUID, screenings: list[ScreeningView]) -> None:
        if patient_id != self._patient_id:
            return
        self._owed = [self._owed_action(screening) for screening in screenings]
        self.owed_changed.emit(self.owed)

    def _on_recorded(self, patient_id: uuid.UUID, result: RecordedScreening) -> None:
        self._set_busy(False)
        if patient_id != self._patient_id:
            return
        for screening in result.screenings:
            self._recorded[screening.screen_id] = screening
            for code, value in screening.answers.items():
                if value != Answer.NOT_ASKED.value:
                    self._earlier[code] = EarlierAnswer(
                        value, screening.recorded_at, screening.screen_id
                    )
        self._evaluate()
        self._keep_draft()
        self.recorded.emit(result)
        if any(s.unresolved for s in result.screenings):
            self.refresh_owed()

    def _on_record_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.problem.emit(errors.explain(error))

    def _on_resolved(self, screening: ScreeningView) -> None:
        self._set_busy(False)
        self.resolved.emit(screening)
        self.refresh_owed()

    def _on_resolve_failed(self, screening_id: uuid.UUID, error: BaseException) -> None:
        self._set_busy(False)
        self.resolve_failed.emit(str(screening_id), self._resolve_words(error))
        if isinstance(error, ClinicError) and error.code == "red_flag.already_resolved":
            self.refresh_owed()

    def _resolve_words(self, error: BaseException) -> str:
        code = error.code if isinstance(error, ClinicError) else ""
        if code == "red_flags.override_reason_required":
            return self.tr("Give the reason for overriding this red flag.")
        if code == "red_flags.override_reason_too_short":
            minimum = error.params.get("min_length") if isinstance(error, ClinicError) else None
            return self.tr(
                "Give a fuller reason: at least {count} characters, saying why the action "
                "is not needed."
            ).format(count=minimum)
        if code == "red_flags.action_not_accepted":
            return self.tr("That action does not resolve this red flag. Choose another.")
        return errors.explain(error)

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
