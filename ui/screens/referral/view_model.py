"""Recording a new referral for the open patient, with its draft kept per patient."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.services.types import (
    Choice,
    CurrentUser,
    PatientRecord,
    ReferralInput,
    ReferralPriority,
    ReferralSummary,
)
from ui.common import errors
from ui.common.drafts import DraftStore, FormDraft, ReferenceLists
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

DRAFT_KIND = "new_referral"
LIST_NAMES = {"source": "referral_source", "specialty": "specialty"}


class ReferralRecorder(Protocol):
    """The part of the referral service this screen uses."""

    def create(self, actor: CurrentUser, data: ReferralInput) -> ReferralSummary: ...


def empty_form(today: date | None = None) -> dict[str, object]:
    """A fresh form: received today, routine priority."""
    return {
        "source": "",
        "received_on": (today or date.today()).isoformat(),
        "referrer_name": "",
        "referrer_organisation": "",
        "specialty": "",
        "priority": ReferralPriority.ROUTINE.value,
        "reason": "",
    }


def _text(values: Mapping[str, object], name: str) -> str:
    value = values.get(name, "")
    return value if isinstance(value, str) else ""


class ReferralViewModel(QObject):
    """Holds whose referral this is, its lists and its draft; submits it to the service."""

    patient_changed = Signal(object)
    draft_restored = Signal(object)
    draft_saved = Signal()
    draft_failed = Signal(str)
    field_errors_changed = Signal(object)
    problem = Signal(str)
    saved = Signal(object)
    busy_changed = Signal(bool)
    form_reset = Signal()

    def __init__(
        self,
        referrals: ReferralRecorder,
        reference: ReferenceLists,
        drafts: DraftStore,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._referrals = referrals
        self._reference = reference
        self._runner = runner
        self._session = session
        self._patient: PatientRecord | None = None
        self._busy = False
        self._lists: dict[str, list[Choice]] = {}
        # Fields that hold a value in an untouched form; they alone do not make a draft.
        defaults = frozenset({"received_on", "priority"})
        self.draft = FormDraft(
            drafts, runner, session, DRAFT_KIND, ignore_for_blank=defaults, parent=self
        )
        self.draft.restored.connect(self.draft_restored)
        self.draft.saved.connect(self.draft_saved)
        self.draft.failed.connect(self.draft_failed)

    @property
    def patient(self) -> PatientRecord | None:
        return self._patient

    @property
    def busy(self) -> bool:
        return self._busy

    def choices(self, field: str) -> list[Choice]:
        """The drop-down entries of ``field`` (cached reference data, cheap to call)."""
        list_name = LIST_NAMES[field]
        if list_name not in self._lists:
            self._lists[list_name] = list(self._reference.choices(list_name))
        return list(self._lists[list_name])

    def start(self, patient: PatientRecord) -> None:
        """Begin a referral for ``patient``; their draft, if any, comes back."""
        if self._patient is not None and self._patient.id == patient.id:
            self._patient = patient
            self.patient_changed.emit(patient)
            return
        self.draft.save_now()
        self._patient = patient
        self.draft.forget()
        self.draft.set_key(str(patient.id))
        self.field_errors_changed.emit({})
        self.form_reset.emit()
        self.patient_changed.emit(patient)
        self.draft.load()

    def form_changed(self, values: Mapping[str, object]) -> None:
        self.draft.update(values)

    def save_draft_now(self) -> None:
        self.draft.save_now()

    def submit(self, values: Mapping[str, object]) -> None:
        """Record the referral; emits ``saved`` or the problems to show."""
        patient = self._patient
        if self._busy or patient is None:
            return
        actor = self._session.require_user()
        priority_code = _text(values, "priority")
        priority = (
            ReferralPriority(priority_code)
            if priority_code in set(ReferralPriority)
            else ReferralPriority.ROUTINE
        )
        data = ReferralInput(
            patient_id=patient.id,
            source=_text(values, "source"),
            received_on=_text(values, "received_on"),
            referrer_name=_text(values, "referrer_name"),
            reason=_text(values, "reason"),
            specialty=_text(values, "specialty"),
            referrer_organisation=_text(values, "referrer_organisation"),
            priority=priority,
        )
        self.field_errors_changed.emit({})
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._referrals.create(actor, data),
            on_done=self._on_created,
            on_failed=self._on_create_failed,
        )

    def clear_form(self) -> None:
        """Empty the form on purpose and forget its draft."""
        self.draft.discard()
        self.field_errors_changed.emit({})
        self.form_reset.emit()

    def reset(self) -> None:
        """Forget the patient and the form without touching the store (after switching user)."""
        self.draft.forget()
        self._patient = None
        self.draft.set_key(None)
        self.field_errors_changed.emit({})
        self.form_reset.emit()

    def _on_created(self, referral: ReferralSummary) -> None:
        self._set_busy(False)
        self.draft.discard()
        self.form_reset.emit()
        self.saved.emit(referral)

    def _on_create_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        by_field = {item.field: item for item in errors.field_errors(error) if item.field}
        self.field_errors_changed.emit(by_field)
        self.problem.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
