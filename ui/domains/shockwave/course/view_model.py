"""The shockwave course's state and commands: open, keep as a draft, add and sign sessions, close.

Everything acts on the banner's patient only: every call to the service names them, and an
answer that comes back after the patient changed is dropped.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.decisions.views import DecisionRecordView
from clinic_app.domains.shockwave.views import (
    CourseInput,
    CourseView,
    DeviceView,
    Outcome,
    OutcomeChange,
    SessionChecks,
    SessionInput,
    SessionView,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from ui.common import errors
from ui.common.draft_saver import DraftSaver
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.shockwave.course.outcomes import (
    Questionnaires,
    ResponseChoice,
    completed_responses,
)

AUTOSAVE_MS = 1500
#: What a shockwave course follows from, as shared decisions name it.
LEADS_TO = "eswt"


class Courses(Protocol):
    """The part of the shockwave service the screen uses."""

    def start_course(
        self, actor: CurrentUser, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None
    ) -> CourseView: ...

    def save_course(
        self,
        actor: CurrentUser,
        course_id: uuid.UUID,
        fields: CourseInput,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView: ...

    def close_course(
        self,
        actor: CurrentUser,
        course_id: uuid.UUID,
        outcome_after: Outcome,
        password: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView: ...

    def add_session(
        self, actor: CurrentUser, course_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> CourseView: ...

    def save_session(
        self,
        actor: CurrentUser,
        session_id: uuid.UUID,
        fields: SessionInput,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView: ...

    def acknowledge(
        self,
        actor: CurrentUser,
        session_id: uuid.UUID,
        warning_code: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView: ...

    def sign_session(
        self,
        actor: CurrentUser,
        session_id: uuid.UUID,
        password: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView: ...

    def session_checks(
        self, actor: CurrentUser, session_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> SessionChecks: ...

    def get(
        self, actor: CurrentUser, course_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> CourseView: ...

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[CourseView]: ...

    def outcome_change(
        self, actor: CurrentUser, course_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> OutcomeChange: ...

    def attestation_for(self, actor: CurrentUser, step: str = "session") -> str: ...


class DeviceRegister(Protocol):
    """The register of shockwave devices, read."""

    def list(self, actor: CurrentUser) -> builtins.list[DeviceView]: ...


class SharedDecisions(Protocol):
    """Finds the signed shared decisions a course may follow."""

    def decision_for(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        episode_id: uuid.UUID | None,
        leads_to: str,
    ) -> list[DecisionRecordView]: ...


@dataclass(frozen=True)
class Opened:
    """What opening the screen for a patient finds."""

    course: CourseView | None
    checks: SessionChecks | None
    change: OutcomeChange | None
    decision: DecisionRecordView | None
    devices: tuple[DeviceView, ...]
    attestation: str
    #: The patient's completed questionnaire responses the course may count.
    responses: tuple[ResponseChoice, ...] = ()


@dataclass(frozen=True)
class Found:
    """A course as a command left it, with its open session's checks and, closed, its change."""

    course: CourseView
    checks: SessionChecks | None
    change: OutcomeChange | None = None


def open_session(course: CourseView | None) -> SessionView | None:
    """The course's session still a draft (at most one is begun at a time), or None."""
    if course is None:
        return None
    return next((s for s in course.sessions if not s.is_signed), None)


def _own_course(
    courses: Courses, actor: CurrentUser, patient_id: uuid.UUID, episode: uuid.UUID | None
) -> CourseView | None:
    """The user's own open course for this patient's episode, if any (newest first)."""
    for view in courses.for_patient(actor, patient_id):
        if not view.is_closed and view.created_by == actor.id and view.episode_id == episode:
            return view
    return None


class CourseViewModel(QObject):
    """One shockwave course of one patient: the banner's, and only theirs."""

    opened = Signal(object)
    """What was found on opening (an ``Opened``), for the form to show."""
    course_changed = Signal(object)
    """The course on the form (a ``CourseView``), or None before the first save."""
    checks_changed = Signal(object)
    """What stands before signing the open session (a ``SessionChecks``), or None."""
    change_changed = Signal(object)
    """The scores before -> after of a closed course (an ``OutcomeChange``), or None."""
    responses_changed = Signal(object)
    """The patient's completed questionnaire responses (``ResponseChoice``s), read again."""
    field_errors_changed = Signal(object)
    problem = Signal(str)
    saved = Signal(object)
    session_signed = Signal(object)
    closed = Signal(object)
    sign_failed = Signal(str)
    close_failed = Signal(str)
    busy_changed = Signal(bool)
    left_behind = Signal(object, bool, str)
    close_left_behind = Signal(object, bool, str)
    step_left_behind = Signal(object, str, bool, str)
    """A close asked for just before the patient changed: their id, whether the course was
    closed and, if not, why in plain words."""
    """A session sign asked for just before the patient changed, answered for that patient:
    their id, whether it was signed and, if not, why in plain words."""
    """A session begun (``"add"``) or a warning acknowledged (``"acknowledge"``) asked for
    just before the patient changed: their id, the step, whether it was done and, if not, why
    in plain words."""

    def __init__(
        self,
        courses: Courses,
        *,
        devices: DeviceRegister,
        decisions: SharedDecisions,
        questionnaires: Questionnaires,
        runner: TaskRunner,
        session: UserSession,
        autosave_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._courses = courses
        self._devices = devices
        self._decisions = decisions
        self._questionnaires = questionnaires
        self._runner = runner
        self._session = session
        self.patient_id: uuid.UUID | None = None
        self.episode_id: uuid.UUID | None = None
        self.course: CourseView | None = None
        self.checks: SessionChecks | None = None
        self.change: OutcomeChange | None = None
        self.decision: DecisionRecordView | None = None
        self.devices: tuple[DeviceView, ...] = ()
        #: The banner's patient's completed questionnaire responses, and only theirs.
        self.responses: tuple[ResponseChoice, ...] = ()
        self.loaded = False
        self.values = CourseInput()
        #: The open session's values as last typed (None: not typed since it was opened).
        self.session_values: SessionInput | None = None
        self._pending: CourseInput | None = None
        self._pending_session: SessionInput | None = None
        #: A close asked for waits for a save on its way.
        self._close_waiting = False
        #: A session begun or a warning acknowledged waits for a save on its way.
        self._step_waiting: str | None = None
        self._drafts = DraftSaver(
            self, save_now=self.save_now, on_busy=self.busy_changed.emit, autosave_ms=autosave_ms
        )

    # ------------------------------------------------------------------ state

    @property
    def is_closed(self) -> bool:
        return self.course is not None and self.course.is_closed

    @property
    def session(self) -> SessionView | None:
        """The session being given (a draft), or None."""
        return open_session(self.course)

    @property
    def started(self) -> bool:
        """True once a session is signed: what the course is given on no longer changes."""
        return self.course is not None and any(s.is_signed for s in self.course.sessions)

    @property
    def may_write(self) -> bool:
        """True while the form may change: loaded, and a new course or the user's own."""
        if self.patient_id is None or not self.loaded or self.is_closed:
            return False
        user = self._session.user
        return self.course is None or (user is not None and self.course.created_by == user.id)

    @property
    def busy(self) -> bool:
        return self._drafts.busy

    @property
    def has_unsaved(self) -> bool:
        return self._pending is not None or self._pending_session is not None or self._drafts.saving

    def device(self, device_id: uuid.UUID | None) -> DeviceView | None:
        return next((d for d in self.devices if d.id == device_id), None)

    # ------------------------------------------------------------------ commands

    def open(
        self,
        patient_id: uuid.UUID,
        episode_id: uuid.UUID | None,
        course_id: uuid.UUID | None = None,
    ) -> None:
        """Open the course named, else the user's own open course of the episode, else a new one.

        Nothing is saved until the user types something.
        """
        self._forget()
        self.patient_id = patient_id
        self.episode_id = episode_id
        self.loaded = False
        if self.responses:
            # Nothing another patient answered stays on offer while this one's are read.
            self.responses = ()
            self.responses_changed.emit(())
        actor = self._session.require_user()
        courses, devices, decisions = self._courses, self._devices, self._decisions
        questionnaires = self._questionnaires

        def load() -> Opened:
            course = (
                courses.get(actor, course_id, patient_id=patient_id)
                if course_id is not None
                else _own_course(courses, actor, patient_id, episode_id)
            )
            draft = open_session(course)
            checks = (
                courses.session_checks(actor, draft.id, patient_id=patient_id)
                if draft is not None and course is not None and not course.is_closed
                else None
            )
            change = (
                courses.outcome_change(actor, course.id, patient_id=patient_id)
                if course is not None and course.is_closed
                else None
            )
            episode = course.episode_id if course is not None else episode_id
            found = decisions.decision_for(actor, patient_id, episode, LEADS_TO)
            return Opened(
                course=course,
                checks=checks,
                change=change,
                decision=found[0] if found else None,
                devices=tuple(devices.list(actor)),
                attestation=courses.attestation_for(actor),
                responses=completed_responses(questionnaires, actor, patient_id),
            )

        self._runner.run_store(
            load,
            on_done=self._drafts.guard(self._on_opened),
            on_failed=self._drafts.guard(self._on_load_failed),
        )

    def form_changed(self, values: CourseInput) -> None:
        """The course's parts changed: kept as a draft once the changes pause."""
        if not self.may_write:
            return
        self.values = values
        self._pending = values
        self._drafts.later()

    def session_changed(self, values: SessionInput) -> None:
        """The open session's parts changed: kept as a draft once the changes pause."""
        if not self.may_write or self.session is None:
            return
        self.session_values = values
        self._pending_session = values
        self._drafts.later()

    def save_now(self) -> None:
        """Save what is on the form at once (Save, leaving, locking, switching patient)."""
        self._drafts.stop()
        if self._drafts.saving or self.patient_id is None:
            return
        if self._pending is None and self._pending_session is None:
            return
        actor = self._session.require_user()
        patient_id, episode_id = self.patient_id, self.episode_id
        values, session_values = self._pending, self._pending_session
        existing = self.course.id if self.course is not None else None
        draft = self.session
        draft_id = draft.id if draft is not None else None
        self._pending = None
        self._pending_session = None
        self._drafts.saving = True
        courses = self._courses

        def save() -> Found:
            course_id = existing
            view: CourseView | None = None
            if course_id is None:
                view = courses.start_course(actor, patient_id, episode_id)
                course_id = view.id
            if values is not None:
                view = courses.save_course(actor, course_id, values, patient_id=patient_id)
            if session_values is not None and draft_id is not None:
                view = courses.save_session(actor, draft_id, session_values, patient_id=patient_id)
            if view is None:
                view = courses.get(actor, course_id, patient_id=patient_id)
            return self._found(courses, actor, view, patient_id)

        self._runner.run_store(
            save,
            on_done=self._drafts.guard(self._on_saved),
            on_failed=self._drafts.guard(self._on_save_failed),
        )

    def save(self) -> None:
        """The Save button: keep the draft now, even with nothing changed since opening."""
        if not self.may_write:
            return
        if self._pending is None and self.course is None:
            self._pending = self.values
        self.save_now()

    def then(self, action: Callable[[], None], *, keep: bool = False) -> None:
        """Run ``action`` once what is typed is saved (at once when nothing is waiting).

        With ``keep``, a course never saved is kept first even with nothing typed.
        """
        if keep and self.may_write and self.course is None and self._pending is None:
            self._pending = self.values
        self._drafts.then(action, unsaved=self.has_unsaved)

    def add_session(self) -> None:
        """Begin the next session of the plan (what is typed saved first)."""
        if self._drafts.busy or not self.may_write:
            return
        self._step_after_save("add", self._add_session, keep=True)

    def acknowledge(self, warning_code: str) -> None:
        """Acknowledge one warning of the open session (saved first), then check again."""
        if self._drafts.busy or not self.may_write:
            return
        self._step_after_save(
            "acknowledge",
            lambda: self._on_session(
                "acknowledge", lambda c, a, s, p: c.acknowledge(a, s, warning_code, patient_id=p)
            ),
        )

    def _step_after_save(
        self, step: str, action: Callable[[], None], *, keep: bool = False
    ) -> None:
        """``action`` once what is typed is saved; if the page moves on first, said not done."""

        def run() -> None:
            self._step_waiting = None
            action()

        self._step_waiting = step
        self.then(run, keep=keep)

    def sign_session(self, password: str) -> None:
        """Save anything unsaved, then sign the open session with the user's password."""
        if self._drafts.busy or not self.may_write or self.session is None:
            return
        if not password:
            self.sign_failed.emit(self.tr("Type your password to sign."))
            return
        self._drafts.set_busy(True)
        if self.has_unsaved:
            self._drafts.sign_waiting = password
        self.then(lambda: self._sign(password))

    def close_course(
        self, pain_after: int | None, password: str, responses: tuple[uuid.UUID, ...] = ()
    ) -> None:
        """Close the course with the pain and the questionnaires after, signed with the password.

        ``responses`` are the patient's completed questionnaire responses chosen to count at
        the follow-up (the store refuses any that are not this patient's).
        """
        course, patient_id = self.course, self.patient_id
        if self._drafts.busy or not self.may_write or course is None or patient_id is None:
            return
        if not password:
            self.close_failed.emit(self.tr("Type your password to close the course."))
            return
        self._drafts.set_busy(True)
        actor = self._session.require_user()
        courses = self._courses

        def close() -> Found:
            view = courses.close_course(
                actor,
                course.id,
                Outcome(pain_nrs=pain_after, responses=responses),
                password,
                patient_id=patient_id,
            )
            return self._found(courses, actor, view, patient_id)

        # Guarded now: the answer counts only for the patient the course was closed for;
        # answered after the page moved on, how it went is said for that patient.
        on_done = self._drafts.guard_or(
            self._on_closed, lambda _found: self.close_left_behind.emit(patient_id, True, "")
        )
        on_failed = self._drafts.guard_or(
            self._on_close_failed,
            lambda error: self.close_left_behind.emit(
                patient_id, False, self._password_words(error)
            ),
        )

        def run() -> None:
            self._close_waiting = False
            self._runner.run_store(close, on_done=on_done, on_failed=on_failed)

        self._close_waiting = True
        self.then(run)

    def refresh_decision(self) -> None:
        """Read the episode's shared decision again (one was signed meanwhile)."""
        patient_id = self.patient_id
        if patient_id is None or not self.loaded or self.is_closed:
            return
        actor = self._session.require_user()
        episode_id = self.episode_id
        decisions = self._decisions
        self._runner.run_store(
            lambda: decisions.decision_for(actor, patient_id, episode_id, LEADS_TO),
            on_done=self._drafts.guard(self._on_decision),
            on_failed=self._drafts.guard(self._on_failed),
        )

    def refresh_responses(self) -> None:
        """Read the patient's completed questionnaires again (one was recorded meanwhile)."""
        patient_id = self.patient_id
        if patient_id is None or not self.loaded or self.is_closed:
            return
        actor = self._session.require_user()
        questionnaires = self._questionnaires
        self._runner.run_store(
            lambda: completed_responses(questionnaires, actor, patient_id),
            on_done=self._drafts.guard(self._on_responses),
            on_failed=self._drafts.guard(self._on_failed),
        )

    def reset(self) -> None:
        """Forget the patient and the form (saved first by the screen)."""
        self._forget()
        self.patient_id = None
        self.episode_id = None
        self.decision = None
        self.devices = ()
        self.responses = ()
        self.loaded = False
        self.values = CourseInput()
        self.course_changed.emit(None)
        self.checks_changed.emit(None)
        self.change_changed.emit(None)
        self.responses_changed.emit(())

    # ------------------------------------------------------------------ inside

    @staticmethod
    def _found(
        courses: Courses, actor: CurrentUser, view: CourseView, patient_id: uuid.UUID
    ) -> Found:
        draft = open_session(view)
        checks = (
            courses.session_checks(actor, draft.id, patient_id=patient_id)
            if draft is not None and not view.is_closed
            else None
        )
        change = (
            courses.outcome_change(actor, view.id, patient_id=patient_id)
            if view.is_closed
            else None
        )
        return Found(view, checks, change)

    def _forget(self) -> None:
        waiting, draft, patient_id = self._drafts.sign_waiting, self.session, self.patient_id
        if self._close_waiting and patient_id is not None:
            # The close waited for a save: it is not made once the page has moved on.
            self.close_left_behind.emit(
                patient_id,
                False,
                self.tr("the page moved on before the changes typed were saved."),
            )
        self._close_waiting = False
        if self._step_waiting is not None and patient_id is not None:
            # Waiting for a save, like a close: not done once the page has moved on.
            self.step_left_behind.emit(
                patient_id,
                self._step_waiting,
                False,
                self.tr("the page moved on before the changes typed were saved."),
            )
        self._step_waiting = None
        course = self.course
        if waiting is not None and draft is not None and patient_id is not None and course:
            # The sign was waiting for a save on its way: the form's last state is saved again
            # and signed, in one piece of work that follows that save (the store's thread takes
            # work in order), for this patient only, and told of once answered.
            self._sign_left_behind(course.id, draft.id, patient_id, waiting)
        elif self.has_unsaved and self.may_write:
            # Typed while a save was on its way, or not saved yet: queued now (the store
            # worker runs in order), for this patient, before the screen forgets them.
            self._drafts.saving = False
            self._drafts.after_save = None
            self.save_now()
        self.session_values = None
        self.course = None
        self.checks = None
        self.change = None
        self._pending = None
        self._pending_session = None
        self._drafts.forget()
        self.field_errors_changed.emit({})

    def _add_session(self) -> None:
        course, patient_id = self.course, self.patient_id
        if course is None or patient_id is None:
            return
        actor = self._session.require_user()
        courses = self._courses

        def add() -> Found:
            view = courses.add_session(actor, course.id, patient_id=patient_id)
            return self._found(courses, actor, view, patient_id)

        late = self._told_late("add", patient_id)
        self._runner.run_store(
            add,
            on_done=self._drafts.guard_or(self._on_found, late),
            on_failed=self._drafts.guard_or(self._on_add_failed, late),
        )

    def _on_session(
        self,
        step: str | None,
        call: Callable[[Courses, CurrentUser, uuid.UUID, uuid.UUID], CourseView],
    ) -> None:
        draft, patient_id = self.session, self.patient_id
        if draft is None or patient_id is None:
            return
        actor = self._session.require_user()
        courses = self._courses

        def run() -> Found:
            view = call(courses, actor, draft.id, patient_id)
            return self._found(courses, actor, view, patient_id)

        if step is None:  # a reading: nothing to tell once the page has moved on
            self._runner.run_store(
                run,
                on_done=self._drafts.guard(self._on_found),
                on_failed=self._drafts.guard(self._on_failed),
            )
            return
        late = self._told_late(step, patient_id)
        self._runner.run_store(
            run,
            on_done=self._drafts.guard_or(self._on_found, late),
            on_failed=self._drafts.guard_or(self._on_failed, late),
        )

    def _told_late(self, step: str, patient_id: uuid.UUID) -> Callable[[object], None]:
        """How a step answered after the patient changed is told: done, or not and why."""

        def told(answer: object) -> None:
            if isinstance(answer, BaseException):
                self.step_left_behind.emit(patient_id, step, False, errors.explain(answer))
            else:
                self.step_left_behind.emit(patient_id, step, True, "")

        return told

    def _sign_left_behind(
        self, course_id: uuid.UUID, draft_id: uuid.UUID, patient_id: uuid.UUID, password: str
    ) -> None:
        actor = self._session.require_user()
        courses = self._courses
        values, session_values = self.values, self.session_values

        def finish() -> CourseView:
            courses.save_course(actor, course_id, values, patient_id=patient_id)
            if session_values is not None:
                courses.save_session(actor, draft_id, session_values, patient_id=patient_id)
            return courses.sign_session(actor, draft_id, password, patient_id=patient_id)

        self._runner.run_store(
            finish,
            on_done=lambda _view: self.left_behind.emit(patient_id, True, ""),
            on_failed=lambda error: self.left_behind.emit(
                patient_id, False, self._password_words(error)
            ),
        )

    def _sign(self, password: str) -> None:
        self._drafts.sign_waiting = None
        draft, patient_id = self.session, self.patient_id
        if draft is None or patient_id is None:
            self._drafts.set_busy(False)
            return
        actor = self._session.require_user()
        courses = self._courses

        def sign() -> Found:
            view = courses.sign_session(actor, draft.id, password, patient_id=patient_id)
            return self._found(courses, actor, view, patient_id)

        # An answer that comes after the patient changed is not shown; it is told, for them.
        self._runner.run_store(
            sign,
            on_done=self._drafts.guard_or(
                self._on_signed, lambda _found: self.left_behind.emit(patient_id, True, "")
            ),
            on_failed=self._drafts.guard_or(
                self._on_sign_failed,
                lambda error: self.left_behind.emit(patient_id, False, self._password_words(error)),
            ),
        )

    def _on_opened(self, found: Opened) -> None:
        self.course = found.course
        if found.course is not None:
            self.episode_id = found.course.episode_id
        self.checks = found.checks
        self.change = found.change
        self.decision = found.decision
        self.devices = found.devices
        self.responses = found.responses
        self.values = found.course.fields if found.course is not None else CourseInput()
        self.loaded = True
        self.opened.emit(found)
        self.course_changed.emit(found.course)
        self.checks_changed.emit(found.checks)
        self.change_changed.emit(found.change)

    def _on_responses(self, found: tuple[ResponseChoice, ...]) -> None:
        self.responses = found
        self.responses_changed.emit(found)

    def _on_decision(self, found: list[DecisionRecordView]) -> None:
        self.decision = found[0] if found else None
        self.opened.emit(None)

    def _on_load_failed(self, error: BaseException) -> None:
        self.patient_id = None
        self.loaded = False
        self.course_changed.emit(None)
        self.problem.emit(errors.explain(error))

    def _on_found(self, found: Found) -> None:
        before = self.session
        after = open_session(found.course)
        if after is None or before is None or after.id != before.id:
            self.session_values = None
        self.course = found.course
        self.checks = found.checks
        self.change = found.change
        self.course_changed.emit(found.course)
        self.checks_changed.emit(found.checks)
        self.change_changed.emit(found.change)

    def _on_saved(self, found: Found) -> None:
        self._drafts.saving = False
        self._on_found(found)
        self.field_errors_changed.emit({})
        self.saved.emit(found.course)
        self._drafts.follow_on(
            more_typed=self._pending is not None or self._pending_session is not None
        )

    def _on_save_failed(self, error: BaseException) -> None:
        sign_waited = self._drafts.save_failed()
        self.field_errors_changed.emit(errors.field_messages(error))
        message = errors.explain(error)
        self.problem.emit(message)
        if sign_waited:
            self._drafts.set_busy(False)
            self.sign_failed.emit(message)

    def _on_signed(self, found: Found) -> None:
        self._drafts.set_busy(False)
        self._on_found(found)
        self.field_errors_changed.emit({})
        self.session_signed.emit(found.course)

    def _on_sign_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.field_errors_changed.emit(errors.field_messages(error))
        self.sign_failed.emit(self._password_words(error))
        course = self.course
        if course is not None:
            # The checks read again: what stopped the signature is shown beside the form.
            self._on_session(None, lambda c, a, _s, p: c.get(a, course.id, patient_id=p))

    def _on_closed(self, found: Found) -> None:
        self._drafts.set_busy(False)
        self._on_found(found)
        self.values = found.course.fields
        self.field_errors_changed.emit({})
        self.closed.emit(found.course)

    def _on_close_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.field_errors_changed.emit(errors.field_messages(error))
        self.close_failed.emit(self._password_words(error))

    def _password_words(self, error: BaseException) -> str:
        if isinstance(error, ClinicError) and error.code == "auth.failed":
            return self.tr("That password is not right. Type your own password and try again.")
        return errors.explain(error)

    def _on_add_failed(self, error: BaseException) -> None:
        # No plan yet, or every session planned begun: said beside the sessions planned.
        self.field_errors_changed.emit(errors.field_messages(error))
        self._on_failed(error)

    def _on_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.problem.emit(errors.explain(error))


__all__ = [
    "LEADS_TO",
    "CourseViewModel",
    "Courses",
    "DeviceRegister",
    "Found",
    "Opened",
    "SharedDecisions",
    "open_session",
]
