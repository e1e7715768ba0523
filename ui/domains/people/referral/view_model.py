"""Recording a new referral for the open patient, with its draft kept per patient."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.vocabulary import ReferralPriority
from clinic_app.people.views import PatientRecord, ReferralInput, ReferralSummary
from ui.common.drafts import DraftStore, ReferenceLists
from ui.common.form_model import DraftedFormViewModel
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


class ReferralViewModel(DraftedFormViewModel):
    """Holds whose referral this is, its lists and its draft; submits it to the service."""

    patient_changed = Signal(object)

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
        # Fields that hold a value in an untouched form; they alone do not make a draft.
        super().__init__(
            reference,
            drafts,
            runner=runner,
            session=session,
            draft_kind=DRAFT_KIND,
            list_names=LIST_NAMES,
            ignore_for_blank=frozenset({"received_on", "priority"}),
            parent=parent,
        )
        self._referrals = referrals
        self._patient: PatientRecord | None = None

    @property
    def patient(self) -> PatientRecord | None:
        return self._patient

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
        self._submit(lambda: self._referrals.create(actor, data))

    def reset(self) -> None:
        """Forget the patient and the form without touching the store (after switching user)."""
        self.draft.forget()
        self._patient = None
        self.draft.set_key(None)
        self.field_errors_changed.emit({})
        self.form_reset.emit()
