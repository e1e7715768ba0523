"""Registering a patient: reference lists, light checks as you type, submit, and the draft."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.dates import read_date
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.vocabulary import AlertKind
from clinic_app.people import nhs_number
from clinic_app.people.views import PatientInput, PatientRecord, PracticeSummary
from ui.common import errors
from ui.common.drafts import DraftStore, ReferenceLists
from ui.common.form_model import DraftedFormViewModel
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

DRAFT_KIND = "patient_registration"
DRAFT_KEY = "new"
DEFAULT_ETHNICITY = "99"

# Every field of PatientInput, in the order the form shows them; also the draft's keys.
TEXT_FIELDS = (
    "nhs_number",
    "title",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "phone",
    "email",
    "preferred_contact_method",
    "gp_practice_id",
    "ethnicity",
    "interpreter_language",
)
LIST_NAMES = {
    "sex": "person_stated_gender",
    "ethnicity": "ethnic_category",
    "preferred_contact_method": "preferred_contact_method",
    "interpreter_language": "interpreter_language",
    "accessible_information_needs": "accessible_information_need",
}


class PatientRegistrar(Protocol):
    """The part of the patient service this screen uses."""

    def register(self, actor: CurrentUser, data: PatientInput) -> PatientRecord: ...

    def practices(self, actor: CurrentUser) -> list[PracticeSummary]: ...


def empty_form() -> dict[str, object]:
    """The values of a fresh form, in the draft's shape."""
    values: dict[str, object] = dict.fromkeys(TEXT_FIELDS, "")
    values["ethnicity"] = DEFAULT_ETHNICITY
    values["interpreter_needed"] = False
    values["accessible_information_needs"] = []
    values["alerts"] = []
    return values


def _text(values: Mapping[str, object], name: str) -> str:
    value = values.get(name, "")
    return value if isinstance(value, str) else ""


def _alerts(value: object) -> tuple[tuple[AlertKind, str], ...]:
    alerts: list[tuple[AlertKind, str]] = []
    for item in value if isinstance(value, list | tuple) else ():
        if not isinstance(item, list | tuple) or len(item) != 2:
            continue
        kind, text = item
        if str(text).strip() and str(kind) in set(AlertKind):
            alerts.append((AlertKind(str(kind)), str(text)))
    return tuple(alerts)


def to_input(values: Mapping[str, object]) -> PatientInput:
    """Turn the form's values into what the service validates (nothing is checked here)."""
    needs = values.get("accessible_information_needs")
    interpreter_needed = bool(values.get("interpreter_needed"))
    return PatientInput(
        given_name=_text(values, "given_name"),
        family_name=_text(values, "family_name"),
        date_of_birth=_text(values, "date_of_birth"),
        sex=_text(values, "sex"),
        nhs_number=_text(values, "nhs_number"),
        title=_text(values, "title"),
        ethnicity=_text(values, "ethnicity") or DEFAULT_ETHNICITY,
        address=_text(values, "address"),
        postcode=_text(values, "postcode"),
        phone=_text(values, "phone"),
        email=_text(values, "email"),
        gp_practice_id=_text(values, "gp_practice_id"),
        preferred_contact_method=_text(values, "preferred_contact_method"),
        interpreter_needed=interpreter_needed,
        interpreter_language=_text(values, "interpreter_language") if interpreter_needed else "",
        accessible_information_needs=(
            tuple(str(code) for code in needs) if isinstance(needs, list | tuple) else ()
        ),
        alerts=_alerts(values.get("alerts")),
    )


class RegisterViewModel(DraftedFormViewModel):
    """Holds the register form's lists and draft; submits the form to the patient service."""

    practices_loaded = Signal(object)

    def __init__(
        self,
        patients: PatientRegistrar,
        reference: ReferenceLists,
        drafts: DraftStore,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(
            reference,
            drafts,
            runner=runner,
            session=session,
            draft_kind=DRAFT_KIND,
            list_names=LIST_NAMES,
            ignore_for_blank=frozenset({"ethnicity"}),
            parent=parent,
        )
        self._patients = patients
        self._practices: list[PracticeSummary] = []
        self.draft.set_key(DRAFT_KEY)

    @property
    def practices(self) -> list[PracticeSummary]:
        return list(self._practices)

    def start(self) -> None:
        """After sign-in: load the GP practices and this user's unfinished registration."""
        actor = self._session.require_user()
        self._runner.run_store(
            lambda: self._patients.practices(actor),
            on_done=self._on_practices_loaded,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
        )
        self.draft.load()

    def check_nhs_number(self, text: str, *, finished: bool) -> ValidationError | None:
        """A light check while typing: only a complete number (or a finished field) is judged."""
        digits = "".join(ch for ch in text if not ch.isspace() and ch != "-")
        if not digits:
            return None
        if not finished and len(digits) < nhs_number.LENGTH:
            return None
        try:
            nhs_number.normalise(text)
        except ValidationError as error:
            return error
        return None

    def check_date_of_birth(self, text: str) -> ValidationError | None:
        """A light check when leaving the field: a real date, not in the future."""
        if not text.strip():
            return None
        born = read_date(text)
        if born is None:
            return ValidationError("date.invalid", field="date_of_birth")
        if born > date.today():
            return ValidationError("date_of_birth.future", field="date_of_birth")
        return None

    def submit(self, values: Mapping[str, object]) -> None:
        """Register the patient; emits ``saved`` or the problems to show."""
        if self._busy:
            return
        actor = self._session.require_user()
        data = to_input(values)
        self._submit(lambda: self._patients.register(actor, data))

    def reset(self) -> None:
        """Empty the form without touching the store (after the user switched)."""
        self.draft.forget()
        self.field_errors_changed.emit({})
        self.form_reset.emit()

    def _on_practices_loaded(self, practices: list[PracticeSummary]) -> None:
        self._practices = list(practices)
        self.practices_loaded.emit(self.practices)
