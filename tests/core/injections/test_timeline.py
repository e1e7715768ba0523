"""Injections on the patient's timeline and in letters, through the record kernel only."""

from __future__ import annotations

from clinic_app.demo import demo_password
from clinic_app.domains.injections.record import INJECTION
from clinic_app.letters.compose import sections_for
from clinic_app.records.registry import record_type_for_table
from clinic_app.records.timeline import EntryStatus
from tests.core.injections.conftest import Clinic
from tests.core.injections.helpers import knee_injection


def _entries(clinic: Clinic) -> list[tuple[str, str, bool, bool, str]]:
    timeline = clinic.services.timeline.for_patient(clinic.clinician, clinic.patient)
    return [
        (e.kind, e.status, e.can_continue, e.can_add_to, e.detail)
        for episode in timeline.episodes
        for e in episode.entries
        if e.kind.startswith("injection")
    ]


def test_a_draft_continues_and_a_signed_one_is_added_to(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    assert record_type_for_table("injection_record") is INJECTION
    draft = services.injections.start(clinician, clinic.patient)
    services.injections.save(clinician, draft.id, knee_injection(clinic.pgd()))
    assert _entries(clinic) == [("injection", EntryStatus.DRAFT, True, False, "Knee joint, left")]

    services.injections.sign(clinician, draft.id, demo_password("clinician"))
    services.injections.add_addendum(
        clinician, draft.id, "Rang the next day: no flare.", demo_password("clinician")
    )
    assert sorted(_entries(clinic)) == [
        ("injection", EntryStatus.SIGNED, False, True, "Knee joint, left"),
        ("injection_addendum", EntryStatus.SIGNED, False, True, "Rang the next day: no flare."),
    ]


def test_a_letter_quotes_a_signed_injection_and_never_a_draft(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    draft = services.injections.start(clinician, clinic.patient, clinic.episode)
    services.injections.save(clinician, draft.id, knee_injection(clinic.pgd()))
    with services.context.store.sessions() as session:
        assert not [
            s
            for s in sections_for(session, clinic.patient, clinic.episode)
            if s.record_type == "injection"
        ]
    services.injections.sign(clinician, draft.id, demo_password("clinician"))
    with services.context.store.sessions() as session:
        offered = [
            s
            for s in sections_for(session, clinic.patient, clinic.episode)
            if s.record_type == "injection"
        ]
    assert len(offered) == 1
    assert "Site: Knee joint, left" in offered[0].text
    assert "Methylprednisolone acetate 40 mg/mL (Depo-Medrone) 40" in offered[0].text
