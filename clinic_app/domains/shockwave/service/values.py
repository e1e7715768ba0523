"""Checking what a screen saves of a course or a session, what signing needs, and read models."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.shockwave.content import shockwave_content
from clinic_app.domains.shockwave.model import EswtCourse, EswtDevice, EswtSession
from clinic_app.domains.shockwave.record import COURSE, SESSION, course_words
from clinic_app.domains.shockwave.rules import (
    ANSWERS,
    PAIN_MAX,
    PAIN_MIN,
    PLANNED_MAX,
    SIDES,
    TEXT_MAX,
    SessionDraft,
    session_value_problems,
)
from clinic_app.domains.shockwave.views import (
    Acknowledgement,
    CourseInput,
    CourseView,
    Outcome,
    SessionInput,
    SessionView,
)
from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.people.duplicates import identities_of
from clinic_app.records.seal import intact
from clinic_app.records.sections import missing_sections

APPLICATOR_MAX = 120
#: The course's parts fixed once its first session is signed (the session was given on them).
FIXED_ONCE_STARTED: tuple[str, ...] = (
    "indication",
    "side",
    "eswt_device_id",
    "governance",
    "contraindications",
    "outcome_before",
)


def _text(value: str, field: str, limit: int = TEXT_MAX) -> str:
    text = value.strip()
    if len(text) > limit:
        raise ValidationError("text.too_long", field=field, max_length=limit)
    return text


def _outcome(session: Session, patient_id: uuid.UUID, value: Outcome, field: str) -> dict[str, Any]:
    """An outcome as the course keeps it: {} when nothing was recorded."""
    found: dict[str, Any] = {}
    if value.pain_nrs is not None:
        if isinstance(value.pain_nrs, bool) or not PAIN_MIN <= value.pain_nrs <= PAIN_MAX:
            raise ValidationError("eswt.pain_out_of_range", field=f"{field}.pain_nrs")
        found["pain_nrs"] = value.pain_nrs
    if value.responses:
        known = set(
            session.scalars(
                select(QuestionnaireResponse.id).where(
                    QuestionnaireResponse.id.in_(list(value.responses)),
                    # Answered under any registration of the patient, merged ones too.
                    QuestionnaireResponse.patient_id.in_(identities_of(session, patient_id)),
                    QuestionnaireResponse.deleted.is_(False),
                )
            )
        )
        for response in value.responses:
            if response not in known:
                raise ValidationError("eswt.unknown_response", field=f"{field}.responses")
        found["responses"] = [str(r) for r in dict.fromkeys(value.responses)]
    return found


def outcome_of(stored: Mapping[str, Any] | None) -> Outcome:
    """An outcome as the course keeps it, read back."""
    stored = stored or {}
    return Outcome(
        pain_nrs=stored.get("pain_nrs"),
        responses=tuple(uuid.UUID(r) for r in stored.get("responses") or ()),
    )


def checked_outcome(
    session: Session, row: EswtCourse, value: Outcome, field: str
) -> dict[str, Any]:
    """Check an outcome of the course's patient.

    Raises:
        ValidationError: ``eswt.pain_out_of_range``, ``eswt.unknown_response`` (a
            questionnaire response that is not this patient's).
    """
    return _outcome(session, row.patient_id, value, field)


def checked_course(session: Session, row: EswtCourse, data: CourseInput) -> dict[str, object]:
    """The course's values to store, every impossible value refused with its field.

    Raises:
        FormErrors: ``eswt.unknown_indication``, ``eswt.unknown_side``,
            ``eswt.planned_out_of_range``, ``eswt.unknown_device``,
            ``eswt.unknown_requirement``, ``eswt.unknown_contraindication``,
            ``eswt.bad_answer``, ``eswt.pain_out_of_range``, ``eswt.unknown_response``,
            ``text.too_long``.
    """
    content = shockwave_content()
    errors: list[ValidationError] = []
    values: dict[str, object] = {}

    def keep(name: str, value: object) -> None:
        values[name] = value

    if data.indication is not None and content.indications.indication(data.indication) is None:
        errors.append(ValidationError("eswt.unknown_indication", field="indication"))
    keep("indication", data.indication or None)
    if data.side is not None and data.side not in SIDES:
        errors.append(ValidationError("eswt.unknown_side", field="side"))
    keep("side", data.side or None)
    planned = data.planned_sessions
    if planned is not None and (isinstance(planned, bool) or not 1 <= planned <= PLANNED_MAX):
        errors.append(
            ValidationError("eswt.planned_out_of_range", field="planned_sessions", most=PLANNED_MAX)
        )
    keep("planned_sessions", planned)
    if data.eswt_device_id is not None:
        device = session.get(EswtDevice, data.eswt_device_id)
        if device is None or device.deleted:
            errors.append(ValidationError("eswt.unknown_device", field="eswt_device_id"))
    keep("eswt_device_id", data.eswt_device_id)
    known = {r.id for r in content.indications.requirements}
    for requirement in data.governance:
        if requirement not in known:
            errors.append(
                ValidationError("eswt.unknown_requirement", field=f"governance.{requirement}")
            )
    keep("governance", {k: bool(v) for k, v in data.governance.items() if k in known})
    items = content.contraindications.ids
    for item, answer in data.contraindications.items():
        if item not in items:
            errors.append(
                ValidationError("eswt.unknown_contraindication", field=f"contraindications.{item}")
            )
        elif answer not in ANSWERS:
            errors.append(ValidationError("eswt.bad_answer", field=f"contraindications.{item}"))
    keep(
        "contraindications",
        {i: data.contraindications[i] for i in items if data.contraindications.get(i) in ANSWERS},
    )
    try:
        keep("outcome_before", checked_outcome(session, row, data.outcome_before, "outcome_before"))
    except ValidationError as error:
        errors.append(error)
    if errors:
        raise FormErrors(errors)
    return values


def course_problems(row: EswtCourse) -> list[ValidationError]:
    """What a course still needs before a session is signed (its scores after aside)."""
    problems = [
        ValidationError("eswt.required_to_sign", field=key)
        for key in missing_sections(COURSE.sections, row.content)
        if key != "outcome_after"
    ]
    for item in shockwave_content().contraindications.ids:
        if row.contraindications.get(item) not in ANSWERS:
            problems.append(
                ValidationError(
                    "eswt.contraindication_unanswered", field=f"contraindications.{item}"
                )
            )
    return problems


def checked_session(
    row: EswtSession,
    data: SessionInput,
    *,
    device_kind: str | None,
    planned: int | None,
    today: date,
) -> dict[str, object]:
    """The session's values to store, every impossible value refused with its field.

    Raises:
        FormErrors: those of ``session_value_problems`` (``eswt.session_beyond_plan``,
            ``eswt.session_in_future``, ``eswt.pulses_out_of_bounds`` and the others),
            ``eswt.unknown_side_effect``, ``text.too_long``.
    """
    draft = SessionDraft(
        record_id=row.id,
        number=row.number,
        performed_on=data.performed_on,
        pressure_bar=data.pressure_bar,
        energy_mj_mm2=data.energy_mj_mm2,
        frequency_hz=data.frequency_hz,
        pulses=data.pulses,
        pain_during=data.pain_during,
    )
    errors = session_value_problems(draft, device_kind=device_kind, planned=planned, today=today)
    known = shockwave_content().indications.side_effect_ids
    for effect in data.side_effects:
        if effect not in known:
            errors.append(ValidationError("eswt.unknown_side_effect", field="side_effects"))
    try:
        applicator = _text(data.applicator, "applicator", APPLICATOR_MAX)
        target = _text(data.target, "target")
    except ValidationError as error:
        errors.append(error)
    if errors:
        raise FormErrors(errors)
    return {
        "performed_on": data.performed_on or today,
        "applicator": applicator,
        "pressure_bar": data.pressure_bar,
        "energy_mj_mm2": data.energy_mj_mm2,
        "frequency_hz": data.frequency_hz,
        "pulses": data.pulses,
        "target": target,
        "ultrasound_guided": bool(data.ultrasound_guided),
        "local_anaesthetic": bool(data.local_anaesthetic),
        "pain_during": data.pain_during,
        "side_effects": [e for e in known if e in data.side_effects],
    }


def session_problems(row: EswtSession, device_kind: str | None) -> list[ValidationError]:
    """What a session still needs before it is signed: its parts, and its device's measure."""
    problems = [
        ValidationError("eswt.required_to_sign", field=key)
        for key in missing_sections(SESSION.sections, row.content)
        if key != "device_serial"
    ]
    if device_kind == "radial" and row.pressure_bar is None:
        problems.append(ValidationError("eswt.required_to_sign", field="pressure_bar"))
    if device_kind == "focused" and row.energy_mj_mm2 is None:
        problems.append(ValidationError("eswt.required_to_sign", field="energy_mj_mm2"))
    return problems


def _acks(values: Sequence[Mapping[str, str]]) -> tuple[Acknowledgement, ...]:
    return tuple(
        Acknowledgement(
            code=a["code"],
            by=uuid.UUID(a["by"]) if a.get("by") else None,
            at=datetime.fromisoformat(a["at"]),
        )
        for a in values
    )


def session_view(row: EswtSession) -> SessionView:
    """The read model of one session, its seal checked."""
    return SessionView(
        id=row.id,
        course_id=row.course_id,
        number=row.number,
        status=str(row.status),
        fields=SessionInput(
            performed_on=row.performed_on,
            applicator=row.applicator,
            pressure_bar=row.pressure_bar,
            energy_mj_mm2=row.energy_mj_mm2,
            frequency_hz=row.frequency_hz,
            pulses=row.pulses,
            target=row.target,
            ultrasound_guided=row.ultrasound_guided,
            local_anaesthetic=row.local_anaesthetic,
            pain_during=row.pain_during,
            side_effects=tuple(row.side_effects),
        ),
        eswt_device_id=row.eswt_device_id,
        device_serial=row.device_serial,
        device_kind=row.device_kind,
        acknowledgements=_acks(row.acknowledgements),
        created_by=row.created_by,
        row_version=row.row_version,
        signed_at=row.signed_at,
        signed_by=row.signed_by,
        intact=intact(SESSION, row),
    )


def course_view(row: EswtCourse, sessions: Sequence[EswtSession]) -> CourseView:
    """The read model of one course with its sessions in order, every seal checked."""
    return CourseView(
        id=row.id,
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        status=str(row.status),
        fields=CourseInput(
            indication=row.indication,
            side=row.side,
            planned_sessions=row.planned_sessions,
            eswt_device_id=row.eswt_device_id,
            governance=dict(row.governance),
            contraindications=dict(row.contraindications),
            outcome_before=outcome_of(row.outcome_before),
            sdm_record_id=row.sdm_record_id,
            sdm_missing_reason=row.sdm_missing_reason,
        ),
        outcome_after=outcome_of(row.outcome_after),
        sessions=tuple(session_view(s) for s in sessions),
        created_by=row.created_by,
        row_version=row.row_version,
        signed_at=row.signed_at,
        signed_by=row.signed_by,
        intact=intact(COURSE, row),
        summary=course_words(row),
        local_anaesthetic_note=shockwave_content().indications.local_anaesthetic_note,
    )
