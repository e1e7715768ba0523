"""Checking what a screen saves of an injection, what signing still needs, and the read model."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from clinic_app.domains.imaging.model import ImagingStudy
from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.model import (
    InjectionAddendum,
    InjectionRecord,
    PatientGroupDirection,
)
from clinic_app.domains.injections.record import INJECTION
from clinic_app.domains.injections.rules import (
    ANSWERS,
    ANTICOAGULANTS,
    ASPIRATE_MAX_ML,
    AUTHORITY_KINDS,
    BATCH_MAX,
    GUIDANCE,
    OBSERVATION_MAX_MINUTES,
    SIDES,
    TEXT_MAX,
    Draft,
    Drug,
    value_problems,
)
from clinic_app.domains.injections.service.history import products, targets
from clinic_app.domains.injections.views import (
    Acknowledgement,
    AddendumView,
    Aspirate,
    InjectionInput,
    InjectionView,
)
from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.people.duplicates import same_patient
from clinic_app.records.seal import intact, note_digest, signing_problems

NAME_MAX = 120


def _text(value: str, field: str, limit: int = TEXT_MAX) -> str:
    text = value.strip()
    if len(text) > limit:
        raise ValidationError("text.too_long", field=field, max_length=limit)
    return text


def _one_of(code: str, value: str | None, allowed: Sequence[str], field: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise ValidationError(f"injection.{code}", field=field)
    return value


def _study(session: Session, row: InjectionRecord, study_id: uuid.UUID | None) -> uuid.UUID | None:
    if study_id is None:
        return None
    study = session.get(ImagingStudy, study_id)
    # The patient's own study, or one under a registration merged with theirs.
    if (
        study is None
        or study.deleted
        or not same_patient(session, study.patient_id, row.patient_id)
    ):
        raise ValidationError("injection.unknown_study", field="imaging_study_id")
    return study.id


def _pgd(session: Session, pgd_id: uuid.UUID | None) -> uuid.UUID | None:
    if pgd_id is None:
        return None
    pgd = session.get(PatientGroupDirection, pgd_id)
    if pgd is None or pgd.deleted:
        raise ValidationError("pgd.not_found", field="pgd_id")
    return pgd.id


def _risks(chosen: Sequence[str]) -> list[str]:
    known = injection_content().consent_risks.ids
    for risk in chosen:
        if risk not in known:
            raise ValidationError("injection.unknown_risk", field="consent_risks", risk=risk)
    return [risk for risk in known if risk in chosen]


def _checklist(answers: dict[str, str]) -> dict[str, str]:
    known = injection_content().checklist.ids
    for item, answer in answers.items():
        if item not in known:
            raise ValidationError("injection.unknown_check", field=f"checklist.{item}")
        if answer not in ANSWERS:
            raise ValidationError("injection.bad_answer", field=f"checklist.{item}")
    return {item: answers[item] for item in known if item in answers}


def _aspirate(value: Aspirate | None) -> dict[str, object] | None:
    if value is None:
        return None
    if not 0 <= value.volume_ml <= ASPIRATE_MAX_ML:
        raise ValidationError(
            "injection.aspirate_out_of_range", field="aspirate.volume_ml", most=ASPIRATE_MAX_ML
        )
    return {
        "volume_ml": value.volume_ml,
        "appearance": _text(value.appearance, "aspirate.appearance", NAME_MAX),
        "sent_for_tests": bool(value.sent_for_tests),
    }


def _minutes(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not 0 <= value <= OBSERVATION_MAX_MINUTES:
        raise ValidationError(
            "injection.observation_out_of_range",
            field="observation_minutes",
            most=OBSERVATION_MAX_MINUTES,
        )
    return value


def _day(value: date | None, today: date) -> date:
    day = value or today
    if day > today:
        raise ValidationError("injection.date_in_future", field="performed_on")
    return day


def checked_values(
    session: Session, row: InjectionRecord, data: InjectionInput
) -> dict[str, object]:
    """The record's columns from what the screen sent; every impossible value refused.

    Raises:
        FormErrors: each problem with its field: the value problems of
            ``rules.value_problems`` (a dose or volume not above zero, mg not mL times the
            strength, an expiry over ten years ahead, more volume than anyone injects into
            the target, an INR out of range or measured after the injection), and
            ``injection.unknown_side``, ``injection.unknown_guidance``,
            ``injection.unknown_study``, ``injection.unknown_authority``, ``pgd.not_found``,
            ``injection.unknown_risk``, ``injection.unknown_check``, ``injection.bad_answer``,
            ``injection.unknown_anticoagulant``, ``injection.aspirate_out_of_range``,
            ``injection.observation_out_of_range``, ``injection.date_in_future``,
            ``injection.review_before_injection``, ``text.too_long``.
    """
    errors: list[ValidationError] = []
    values: dict[str, object] = {}

    def keep(field: str, check: Callable[[], object]) -> None:
        try:
            values[field] = check()
        except ValidationError as error:
            errors.append(error)

    today = date.today()
    try:
        performed_on = values["performed_on"] = _day(data.performed_on, today)
    except ValidationError as error:
        errors.append(error)
        performed_on = today
    keep("side", lambda: _one_of("unknown_side", data.side, SIDES, "side"))
    keep(
        "guidance",
        lambda: _one_of("unknown_guidance", data.guidance, GUIDANCE, "guidance"),
    )
    keep("imaging_study_id", lambda: _study(session, row, data.imaging_study_id))
    keep(
        "authority_kind",
        lambda: _one_of(
            "unknown_authority", data.authority_kind, AUTHORITY_KINDS, "authority_kind"
        ),
    )
    keep("pgd_id", lambda: _pgd(session, data.pgd_id))
    keep("pgd_version", lambda: _text(data.pgd_version or "", "pgd_version", 20) or None)
    keep(
        "prescriber_name",
        lambda: _text(data.prescriber_name or "", "prescriber_name", NAME_MAX) or None,
    )
    keep("consent_risks", lambda: _risks(data.consent_risks))
    keep("checklist", lambda: _checklist(dict(data.checklist)))
    keep(
        "anticoagulant",
        lambda: _one_of(
            "unknown_anticoagulant", data.anticoagulant, ANTICOAGULANTS, "anticoagulant"
        ),
    )
    keep("approach", lambda: _text(data.approach, "approach"))
    keep("immediate_reaction", lambda: _text(data.immediate_reaction, "immediate_reaction"))
    keep("aspirate", lambda: _aspirate(data.aspirate))
    keep("observation_minutes", lambda: _minutes(data.observation_minutes))
    for index, drug in enumerate(data.drugs):
        if len(drug.batch.strip()) > BATCH_MAX:
            errors.append(
                ValidationError("text.too_long", field=f"drugs.{index}.batch", max_length=BATCH_MAX)
            )
    if data.review_date is not None and data.review_date < performed_on:
        errors.append(ValidationError("injection.review_before_injection", field="review_date"))
    # A time typed with no zone is the clinic's own clock.
    measured = data.inr_measured_at
    if measured is not None and measured.tzinfo is None:
        measured = measured.astimezone()
    draft = Draft(
        record_id=row.id,
        performed_on=performed_on,
        target=data.target or None,
        side=data.side,
        drugs=data.drugs,
        checklist=dict(data.checklist),
        inr_value=data.inr_value,
        inr_measured_at=measured,
    )
    errors.extend(value_problems(draft, products(), targets()))
    if errors:
        raise FormErrors(errors)
    values.update(
        target=data.target or None,
        inr_value=data.inr_value,
        inr_measured_at=measured,
        replacement_planned_on=data.replacement_planned_on,
        drugs=[
            Drug(d.product_id, d.mg, d.ml, d.batch.strip(), d.expiry, d.same_syringe).as_json()
            for d in data.drugs
        ],
        aftercare_given=bool(data.aftercare_given),
        steroid_card_considered=bool(data.steroid_card_considered),
        review_date=data.review_date,
    )
    return values


def sign_problems(row: InjectionRecord) -> list[ValidationError]:
    """What is still to be filled in before the record can be signed, each with its field."""
    return signing_problems(INJECTION, row)


def _input(row: InjectionRecord) -> InjectionInput:
    aspirate = row.aspirate
    return InjectionInput(
        performed_on=row.performed_on,
        target=row.target,
        side=row.side,
        approach=row.approach,
        guidance=row.guidance,
        imaging_study_id=row.imaging_study_id,
        authority_kind=row.authority_kind,
        pgd_id=row.pgd_id,
        pgd_version=row.pgd_version,
        prescriber_name=row.prescriber_name,
        consent_risks=tuple(row.consent_risks),
        checklist=dict(row.checklist),
        anticoagulant=row.anticoagulant,
        inr_value=row.inr_value,
        inr_measured_at=row.inr_measured_at,
        replacement_planned_on=row.replacement_planned_on,
        drugs=tuple(Drug.from_json(d) for d in row.drugs),
        aspirate=Aspirate(
            volume_ml=float(aspirate["volume_ml"]),
            appearance=str(aspirate.get("appearance", "")),
            sent_for_tests=bool(aspirate.get("sent_for_tests", False)),
        )
        if aspirate
        else None,
        immediate_reaction=row.immediate_reaction,
        observation_minutes=row.observation_minutes,
        aftercare_given=row.aftercare_given,
        steroid_card_considered=row.steroid_card_considered,
        review_date=row.review_date,
        sdm_record_id=row.sdm_record_id,
        sdm_missing_reason=row.sdm_missing_reason,
    )


def injection_view(
    row: InjectionRecord,
    addenda: Sequence[InjectionAddendum] = (),
    names: Mapping[uuid.UUID, str] | None = None,
) -> InjectionView:
    """The read model of one injection record, its seal and its addenda's checked.

    ``names`` are the signers' names by user id ("" or missing for one not held here).
    """
    names = names or {}
    return InjectionView(
        id=row.id,
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        status=str(row.status),
        fields=_input(row),
        acknowledgements=tuple(
            Acknowledgement(
                code=a["code"],
                by=uuid.UUID(a["by"]) if a.get("by") else None,
                at=datetime.fromisoformat(a["at"]),
            )
            for a in row.acknowledgements
        ),
        created_at=row.created_at,
        created_by=row.created_by,
        row_version=row.row_version,
        signed_at=row.signed_at,
        signed_by=row.signed_by,
        signer_name=names.get(row.signed_by, "") if row.signed_by else "",
        attestation=row.attestation,
        intact=intact(INJECTION, row),
        addenda=tuple(
            AddendumView(
                id=a.id,
                text=a.text,
                signed_at=a.signed_at,
                signed_by=a.signed_by,
                signer_name=names.get(a.signed_by, "") if a.signed_by else "",
                intact=row.content_sha256 is not None
                and a.sha256
                == note_digest(row.id, row.content_sha256, a.text, a.signed_at, a.signed_by),
            )
            for a in addenda
        ),
        summary=INJECTION.describe(row),
    )
