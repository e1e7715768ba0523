"""The checks read the store: every synced injection of the patient, their red flags, the PGD."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from clinic_app.demo import demo_password
from clinic_app.domains.injections.model import InjectionRecord
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.kernel.settings import ServiceSetting, setting_id
from tests.core.injections.conftest import Clinic
from tests.core.injections.helpers import ALL_NO, knee_injection
from tests.support.merges import merged_by_sync

OTHER_LAPTOP = uuid.UUID("01900000-0000-7000-8000-0000000000ee")


def _codes(error: FormErrors) -> set[tuple[str, str | None]]:
    return {(e.code, e.field) for e in error.errors}


def _sign(clinic: Clinic, record_id: uuid.UUID) -> None:
    clinic.services.injections.sign(clinic.clinician, record_id, demo_password("clinician"))


def _signed_elsewhere(
    clinic: Clinic, days_ago: int, side: str = "left", patient: uuid.UUID | None = None
) -> None:
    """A signed knee injection of the patient as it arrives by sync from another laptop."""
    now = utcnow()
    with clinic.services.context.store.sessions.begin() as session:
        session.execute(
            insert(InjectionRecord.__table__).values(
                id=uuid.uuid4(),
                patient_id=patient or clinic.patient,
                episode_id=clinic.episode,
                status="signed",
                performed_on=date.today() - timedelta(days=days_ago),
                target="knee_joint",
                side=side,
                approach="",
                consent_risks=[],
                checklist={},
                drugs=[],
                immediate_reaction="",
                aftercare_given=True,
                steroid_card_considered=True,
                acknowledgements=[],
                signed_at=now - timedelta(days=days_ago),
                signed_by=clinic.colleague.id,
                content_sha256="0" * 64,
                created_at=now,
                updated_at=now,
                created_by=clinic.colleague.id,
                device_id=OTHER_LAPTOP,
                row_version=1,
                deleted=False,
            )
        )


def test_an_injection_given_on_another_laptop_counts(clinic: Clinic) -> None:
    _signed_elsewhere(clinic, days_ago=30)
    draft = clinic.services.injections.start(clinic.clinician, clinic.patient, clinic.episode)
    clinic.services.injections.save(clinic.clinician, draft.id, knee_injection(clinic.pgd()))

    checks = clinic.services.injections.checks(clinic.clinician, draft.id)
    assert [w.code for w in checks.warnings] == ["repeat_too_soon"]
    assert not checks.can_sign
    with pytest.raises(FormErrors) as refused:
        _sign(clinic, draft.id)
    assert _codes(refused.value) == {("injection.warning_not_acknowledged", "repeat_too_soon")}


def test_an_injection_under_a_registration_merged_into_the_record_counts(clinic: Clinic) -> None:
    # The same person registered twice (two clinics, offline): their knee was injected under
    # the second registration, which a person has since merged into this record.
    _signed_elsewhere(clinic, days_ago=30, patient=clinic.other)
    draft = clinic.services.injections.start(clinic.clinician, clinic.patient, clinic.episode)
    clinic.services.injections.save(clinic.clinician, draft.id, knee_injection(clinic.pgd()))
    assert clinic.services.injections.checks(clinic.clinician, draft.id).warnings == ()
    merged_by_sync(clinic.services, survivor=clinic.patient, merged=clinic.other)

    checks = clinic.services.injections.checks(clinic.clinician, draft.id)
    assert [w.code for w in checks.warnings] == ["repeat_too_soon"]
    with pytest.raises(FormErrors) as refused:
        _sign(clinic, draft.id)
    assert _codes(refused.value) == {("injection.warning_not_acknowledged", "repeat_too_soon")}


def test_each_warning_is_acknowledged_and_kept_with_who_and_when(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, clinic.patient)
    fields = knee_injection(clinic.pgd(), checklist={**ALL_NO, "diabetes": "yes"})
    services.injections.save(clinician, draft.id, fields)
    with pytest.raises(ValidationError) as not_warned:
        services.injections.acknowledge(clinician, draft.id, "pregnancy")
    assert not_warned.value.code == "injection.not_warned"

    acknowledged = services.injections.acknowledge(clinician, draft.id, "diabetes")
    assert [(a.code, a.by) for a in acknowledged.acknowledgements] == [("diabetes", clinician.id)]
    assert services.injections.checks(clinician, draft.id).can_sign
    _sign(clinic, draft.id)

    signed = services.injections.get(clinician, draft.id)
    assert signed.intact
    assert [a.code for a in signed.acknowledgements] == ["diabetes"]


def test_an_acknowledgement_the_draft_no_longer_needs_is_dropped(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    pgd = clinic.pgd()
    draft = services.injections.start(clinician, clinic.patient)
    services.injections.save(
        clinician, draft.id, knee_injection(pgd, checklist={**ALL_NO, "pregnancy": "yes"})
    )
    services.injections.acknowledge(clinician, draft.id, "pregnancy")

    saved = services.injections.save(clinician, draft.id, knee_injection(pgd))
    assert saved.acknowledgements == ()


def test_suspected_infection_stops_signing_whatever_is_acknowledged(clinic: Clinic) -> None:
    draft = clinic.services.injections.start(clinic.clinician, clinic.patient)
    clinic.services.injections.save(
        clinic.clinician,
        draft.id,
        knee_injection(clinic.pgd(), checklist={**ALL_NO, "infection_systemic": "yes"}),
    )

    with pytest.raises(FormErrors) as refused:
        _sign(clinic, draft.id)
    assert ("injection.suspected_infection", "checklist.infection_systemic") in _codes(
        refused.value
    )


def test_an_unresolved_septic_arthritis_flag_in_the_episode_stops_it(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    screening = services.red_flags.record(
        clinician,
        clinic.patient,
        "septic_arthritis",
        {"hot_swollen_joint": "yes", "joint_replacement": "no"},
        episode_id=clinic.episode,
    )
    draft = services.injections.start(clinician, clinic.patient, clinic.episode)
    services.injections.save(clinician, draft.id, knee_injection(clinic.pgd()))

    stops = services.injections.checks(clinician, draft.id).hard_stops
    assert [(s.code, s.field) for s in stops] == [("injection.septic_flag", "target")]

    services.red_flags.resolve(
        clinic.colleague,
        screening.id,
        "clinician_override",
        "Aspirated by rheumatology this morning: crystals, Gram stain and culture negative.",
    )
    assert services.injections.checks(clinician, draft.id).hard_stops == ()


def test_under_a_pgd_that_does_not_name_them_a_clinician_cannot_sign(clinic: Clinic) -> None:
    services = clinic.services
    theirs = clinic.pgd(practitioners=(clinic.colleague.id,))
    draft = services.injections.start(clinic.clinician, clinic.patient)
    services.injections.save(clinic.clinician, draft.id, knee_injection(theirs))

    with pytest.raises(FormErrors) as refused:
        _sign(clinic, draft.id)
    assert _codes(refused.value) == {("pgd.not_named", "pgd_id")}


def test_mixing_two_drugs_in_one_syringe_needs_a_prescription(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    pgd = clinic.pgd()
    mixed = knee_injection(
        pgd, drugs=tuple(replace(d, same_syringe=True) for d in knee_injection(pgd).drugs)
    )
    draft = services.injections.start(clinician, clinic.patient)
    services.injections.save(clinician, draft.id, mixed)
    with pytest.raises(FormErrors) as refused:
        _sign(clinic, draft.id)
    assert _codes(refused.value) == {("pgd.mixed_syringe", "drugs")}

    services.injections.save(
        clinician,
        draft.id,
        knee_injection(pgd, drugs=mixed.drugs, authority_kind="psd", prescriber_name="Dr A Khan"),
    )
    _sign(clinic, draft.id)


def test_the_service_s_own_interval_is_the_one_checked(clinic: Clinic) -> None:
    _signed_elsewhere(clinic, days_ago=100)
    now = utcnow()
    # As the server's setting arrives by sync.
    with clinic.services.context.store.sessions.begin() as session:
        session.execute(
            insert(ServiceSetting.__table__).values(
                id=setting_id("injection_rules"),
                key="injection_rules",
                value={"repeat_interval_weeks": 16},
                created_at=now,
                updated_at=now,
                row_version=1,
                deleted=False,
            )
        )
    draft = clinic.services.injections.start(clinic.clinician, clinic.patient, clinic.episode)
    clinic.services.injections.save(clinic.clinician, draft.id, knee_injection(clinic.pgd()))

    warnings = clinic.services.injections.checks(clinic.clinician, draft.id).warnings
    assert [(w.code, w.params["weeks"]) for w in warnings] == [("repeat_too_soon", 16)]


def test_an_inr_typed_on_the_clinic_clock_is_kept_and_checked(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, clinic.patient)
    typed = datetime.now() - timedelta(hours=30)  # no zone, as a screen's clock gives it
    fields = knee_injection(
        clinic.pgd(),
        checklist={**ALL_NO, "anticoagulated": "yes"},
        anticoagulant="warfarin",
        inr_value=2.4,
        inr_measured_at=typed,
    )

    saved = services.injections.save(clinician, draft.id, fields)
    kept = saved.fields.inr_measured_at
    assert kept is not None
    assert kept == typed.astimezone()
    warnings = services.injections.checks(clinician, draft.id).warnings
    assert [w.code for w in warnings] == ["warfarin_no_recent_inr"]
