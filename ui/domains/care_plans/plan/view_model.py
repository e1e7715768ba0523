"""The care plan's state and commands: open, keep as you type, sign, review, print."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.care_plans.content import SafetyNets, SupportServices
from clinic_app.domains.care_plans.rules import PifuRules
from clinic_app.domains.care_plans.views import CarePlanInput, CarePlanView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from ui.common import errors
from ui.common.draft_saver import DraftSaver
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

AUTOSAVE_MS = 1500


class CarePlans(Protocol):
    """The part of the care plan service the screen uses."""

    nets: Callable[[], SafetyNets]
    services: Callable[[], SupportServices]

    def start(
        self, actor: CurrentUser, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None
    ) -> CarePlanView: ...

    def save(
        self,
        actor: CurrentUser,
        plan_id: uuid.UUID,
        patient_id: uuid.UUID,
        data: CarePlanInput,
    ) -> CarePlanView: ...

    def sign(
        self, actor: CurrentUser, plan_id: uuid.UUID, patient_id: uuid.UUID, password: str
    ) -> CarePlanView: ...

    def review(
        self, actor: CurrentUser, plan_id: uuid.UUID, patient_id: uuid.UUID
    ) -> CarePlanView: ...

    def get(
        self, actor: CurrentUser, plan_id: uuid.UUID, patient_id: uuid.UUID
    ) -> CarePlanView: ...

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[CarePlanView]: ...

    def rules(self, actor: CurrentUser) -> PifuRules: ...

    def printable(self, actor: CurrentUser, plan_id: uuid.UUID, patient_id: uuid.UUID) -> bytes: ...


def plan_to_show(plans: list[CarePlanView], actor: CurrentUser) -> CarePlanView | None:
    """What opening shows, of the patient's plans (newest first).

    The user's own draft, else the current signed plan, else a colleague's draft (read
    only), else nothing: a new plan.
    """
    own = [p for p in plans if not p.is_signed and p.created_by == actor.id]
    current = [p for p in plans if p.is_current]
    others = [p for p in plans if not p.is_signed and p.created_by != actor.id]
    for found in (own, current, others):
        if found:
            return found[0]
    return None


#: What opening finds: the PIFU settings and the plan to show (None: a new plan).
Loaded = tuple[PifuRules, CarePlanView | None]


class CarePlanViewModel(QObject):
    """One care plan of one patient: the banner's, and only theirs."""

    plan_changed = Signal(object)
    """The plan on the form (a ``CarePlanView``), or None for a new plan not yet kept."""
    field_errors_changed = Signal(object)
    problem = Signal(str)
    saved = Signal(object)
    signed = Signal(object)
    sign_failed = Signal(str)
    printed = Signal(bytes)
    print_left_behind = Signal(object)
    """A print asked for that was not made because the patient changed first: their id."""
    busy_changed = Signal(bool)
    left_behind = Signal(object, object, str)
    """A sign asked for just before the patient changed, finished for that patient: their id,
    the signed plan (None if it was not signed) and, if not, why in plain words."""

    def __init__(
        self,
        plans: CarePlans,
        *,
        runner: TaskRunner,
        session: UserSession,
        autosave_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._plans = plans
        self._runner = runner
        self._session = session
        self.patient_id: uuid.UUID | None = None
        self.episode_id: uuid.UUID | None = None
        self.rules: PifuRules | None = None
        self.plan: CarePlanView | None = None
        self.values = CarePlanInput()
        self._pending: CarePlanInput | None = None
        self._drafts = DraftSaver(
            self, save_now=self.save_now, on_busy=self.busy_changed.emit, autosave_ms=autosave_ms
        )

    # ------------------------------------------------------------------ state

    @property
    def nets(self) -> SafetyNets:
        return self._plans.nets()

    @property
    def support(self) -> SupportServices:
        return self._plans.services()

    @property
    def loaded(self) -> bool:
        """A patient's plan (or a new one) is on the form."""
        return self.patient_id is not None and self.rules is not None

    @property
    def is_signed(self) -> bool:
        return self.plan is not None and self.plan.is_signed

    @property
    def may_write(self) -> bool:
        """A new plan, or the user's own draft, of the banner's patient."""
        if not self.loaded or self.is_signed:
            return False
        user = self._session.user
        return self.plan is None or (user is not None and self.plan.created_by == user.id)

    @property
    def may_review(self) -> bool:
        return self.plan is not None and self.plan.is_current

    @property
    def busy(self) -> bool:
        return self._drafts.busy

    # ------------------------------------------------------------------ commands

    def open(
        self,
        patient_id: uuid.UUID,
        episode_id: uuid.UUID | None = None,
        plan_id: uuid.UUID | None = None,
    ) -> None:
        """Open this patient's plan: ``plan_id`` (a version of theirs), else the one to show.

        The service refuses a plan of another patient (not found).
        """
        self._forget()
        self.patient_id = patient_id
        self.episode_id = episode_id
        self.rules = None
        actor = self._session.require_user()
        plans = self._plans

        def load() -> Loaded:
            rules = plans.rules(actor)
            if plan_id is not None:
                return rules, plans.get(actor, plan_id, patient_id)
            return rules, plan_to_show(plans.for_patient(actor, patient_id), actor)

        self._runner.run_store(
            load,
            on_done=self._drafts.guard(self._on_loaded),
            on_failed=self._drafts.guard(self._on_load_failed),
        )

    def form_changed(self, values: CarePlanInput) -> None:
        """Something changed on the form: kept as a draft once the changes pause."""
        if not self.may_write:
            return
        self.values = values
        self._pending = values
        self._drafts.later()

    def save_now(self) -> None:
        """Save what is on the form at once (Save, leaving, locking, switching user)."""
        self._drafts.stop()
        if self._pending is None or self._drafts.saving or self.patient_id is None:
            return
        actor = self._session.require_user()
        patient_id, episode_id, values = self.patient_id, self.episode_id, self._pending
        existing = self.plan.id if self.plan is not None else None
        self._pending = None
        self._drafts.saving = True
        plans = self._plans

        def save() -> CarePlanView:
            plan_id = existing
            if plan_id is None:
                plan_id = plans.start(actor, patient_id, episode_id).id
            return plans.save(actor, plan_id, patient_id, values)

        self._runner.run_store(
            save,
            on_done=self._drafts.guard(self._on_saved),
            on_failed=self._drafts.guard(self._on_save_failed),
        )

    def save(self) -> None:
        """The Save button: keep the draft now, even with nothing changed since opening."""
        if not self.may_write:
            return
        if self._pending is None and self.plan is None:
            self._pending = self.values
        self.save_now()

    def sign(self, password: str) -> None:
        """Save anything unsaved, then sign with the user's password."""
        if self._drafts.busy or not self.may_write:
            return
        if not password:
            self.sign_failed.emit(self.tr("Type your password to sign."))
            return
        self._drafts.set_busy(True)
        if self.plan is None and self._pending is None:
            self._pending = self.values
        unsaved = self._pending is not None or self._drafts.saving
        if unsaved:
            self._drafts.sign_waiting = password
        self._drafts.then(lambda: self._sign(password), unsaved=unsaved)

    def review(self) -> None:
        """Review the signed plan with the patient: a new draft version that will replace it."""
        plan, patient_id = self.plan, self.patient_id
        if self._drafts.busy or plan is None or not plan.is_current or patient_id is None:
            return
        actor = self._session.require_user()
        plans = self._plans
        self._drafts.set_busy(True)
        self._runner.run_store(
            lambda: plans.review(actor, plan.id, patient_id),
            on_done=self._drafts.guard(self._on_reviewed),
            on_failed=self._drafts.guard(self._on_failed),
        )

    def print_copy(self) -> None:
        """Make the patient's copy (saved first if anything is unsaved)."""
        if not self.loaded:
            return
        if self.plan is None and self._pending is None and self.may_write:
            self._pending = self.values
        patient_id = self.patient_id
        self._drafts.then(
            self._print,
            unsaved=self._pending is not None or self._drafts.saving,
            dropped=lambda: self.print_left_behind.emit(patient_id),
        )

    def reset(self) -> None:
        """Forget the patient and their plan (switching user saves first, then this)."""
        self._forget()
        self.patient_id = None
        self.episode_id = None
        self.rules = None
        self.values = CarePlanInput()
        self.plan_changed.emit(None)

    # ------------------------------------------------------------------ results

    def _forget(self) -> None:
        if self._drafts.sign_waiting is not None:
            self._finish_sign_left_behind(self._drafts.sign_waiting)
        elif self._pending is not None and self._drafts.saving and self.may_write:
            # Typed while a save was on its way: queued behind that save now (the store
            # worker runs in order), for this patient, before the screen forgets them.
            self._drafts.saving = False
            self.save_now()
        self.plan = None
        self._pending = None
        self._drafts.forget()
        self.field_errors_changed.emit({})

    def _finish_sign_left_behind(self, password: str) -> None:
        """Sign what is on the form for the patient being left, as asked, and say how it went.

        The sign was waiting for a save still on its way. The store's thread takes work in
        order, so this runs after that save: the form's last state is saved again (the plan
        is the one that save made or changed) and signed, for this patient only.
        """
        patient_id, episode_id = self.patient_id, self.episode_id
        if patient_id is None or not self.may_write:
            return
        actor = self._session.require_user()
        existing = self.plan.id if self.plan is not None else None
        values = self.values
        plans = self._plans

        def finish() -> CarePlanView:
            # The save on its way made the draft, if there was none: start finds it again.
            plan_id = existing or plans.start(actor, patient_id, episode_id).id
            plans.save(actor, plan_id, patient_id, values)
            return plans.sign(actor, plan_id, patient_id, password)

        self._runner.run_store(
            finish,
            on_done=lambda view: self.left_behind.emit(patient_id, view, ""),
            on_failed=lambda error: self.left_behind.emit(patient_id, None, errors.explain(error)),
        )

    def _sign(self, password: str) -> None:
        self._drafts.sign_waiting = None
        plan, patient_id = self.plan, self.patient_id
        if plan is None or patient_id is None:
            self._drafts.set_busy(False)
            return
        actor = self._session.require_user()
        plans = self._plans
        # An answer that comes after the patient changed is still told, for that patient.
        self._runner.run_store(
            lambda: plans.sign(actor, plan.id, patient_id, password),
            on_done=self._drafts.guard_or(
                self._on_signed, lambda view: self.left_behind.emit(patient_id, view, "")
            ),
            on_failed=self._drafts.guard_or(
                self._on_sign_failed,
                lambda error: self.left_behind.emit(patient_id, None, errors.explain(error)),
            ),
        )

    def _print(self) -> None:
        plan, patient_id = self.plan, self.patient_id
        if plan is None or patient_id is None:
            self.problem.emit(self.tr("Write the plan before printing it."))
            return
        actor = self._session.require_user()
        plans = self._plans
        # The store reads the plan and the patient's name and needs, and audits the print.
        # Answered after the patient changed, it is not printed: that is said, for them.
        self._runner.run_store(
            lambda: plans.printable(actor, plan.id, patient_id),
            on_done=self._drafts.guard_or(
                self.printed.emit, lambda _pdf: self.print_left_behind.emit(patient_id)
            ),
            on_failed=self._drafts.guard_or(
                lambda error: self.problem.emit(errors.explain(error)),
                lambda _error: self.print_left_behind.emit(patient_id),
            ),
        )

    def _show(self, plan: CarePlanView | None) -> None:
        self.plan = plan
        if plan is not None:
            self.values = plan.plan
        else:
            months = self.rules.default_months if self.rules is not None else None
            self.values = CarePlanInput(pifu_months=months)
        self.plan_changed.emit(plan)

    def _on_loaded(self, found: Loaded) -> None:
        self.rules, plan = found
        self._show(plan)

    def _on_load_failed(self, error: BaseException) -> None:
        # Nothing of the plan is shown: the screen stays empty and says why.
        self.patient_id = None
        self.rules = None
        self.plan = None
        self.plan_changed.emit(None)
        self.problem.emit(errors.explain(error))

    def _on_saved(self, view: CarePlanView) -> None:
        self._drafts.saving = False
        self.plan = view
        self.field_errors_changed.emit({})
        self.saved.emit(view)
        self._drafts.follow_on(more_typed=self._pending is not None)

    def _on_save_failed(self, error: BaseException) -> None:
        sign_waited = self._drafts.save_failed()
        self.field_errors_changed.emit(errors.field_messages(error))
        message = errors.explain(error)
        self.problem.emit(message)
        if sign_waited:
            self._drafts.set_busy(False)
            self.sign_failed.emit(message)

    def _on_signed(self, view: CarePlanView) -> None:
        self._drafts.set_busy(False)
        self.field_errors_changed.emit({})
        self._show(view)
        self.signed.emit(view)

    def _on_sign_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.field_errors_changed.emit(errors.field_messages(error))
        if isinstance(error, ClinicError) and error.code == "auth.failed":
            self.sign_failed.emit(
                self.tr("That password is not right. Type your own password and try again.")
            )
        else:
            self.sign_failed.emit(errors.explain(error))

    def _on_reviewed(self, view: CarePlanView) -> None:
        self._drafts.set_busy(False)
        self._show(view)
        self.saved.emit(view)

    def _on_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.problem.emit(errors.explain(error))


__all__ = ["CarePlanViewModel", "CarePlans", "plan_to_show"]
