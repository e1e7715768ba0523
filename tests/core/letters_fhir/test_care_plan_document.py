"""A signed care plan as its ITK outpatient-letter FHIR document, and the plans refused."""

from __future__ import annotations

import base64
import html
import json
import uuid
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.care_plans.views import CarePlanInput, PlanAction, TreatmentTried
from clinic_app.domains.letters.content import prsb_headings
from clinic_app.domains.letters.fhir import check_bundle
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.kernel.session import Actor
from clinic_app.kernel.staff import Site
from clinic_app.people.care import EpisodeOfCare

TODAY = date.today()
GOALS = ("Walk to the shops and back without stopping", "Lift my grandson & hold him")


def _plan() -> CarePlanInput:
    return CarePlanInput(
        what_matters="Looking after my grandson on Tuesdays.",
        strengths="My daughter drives me to appointments.",
        goals=GOALS,
        actions=(PlanAction("Do the home exercises every morning", "Me", TODAY + timedelta(28)),),
        conditions=("Low back pain",),
        treatments=(TreatmentTried("Physiotherapy in 2024", "helped for a few months"),),
        self_management="Keep moving, little and often.",
        flare_plan="Ease off for two days, use heat, then build back up.",
        seek_help="If the pain is not settling after two weeks, book back in.",
        safety_nets=("cauda_equina",),
        named_contact="Priya Shah",
        contact_route="Call the MSK booking line and say you are on PIFU.",
        pifu_months=6,
        review_on=TODAY + timedelta(days=90),
        gp_consent=True,
        gp_consent_given_by="patient",
    )


def _clinician(services: Services) -> CurrentUser:
    return services.auth.login("clinician", demo_password("clinician"))


def _patient(services: Services) -> uuid.UUID:
    with services.context.store.sessions() as session:
        return session.scalars(
            select(EpisodeOfCare.patient_id)
            .where(EpisodeOfCare.deleted.is_(False))
            .order_by(EpisodeOfCare.patient_id)
            .limit(1)
        ).one()


def _ods(services: Services, me: CurrentUser, code: str | None) -> None:
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        site = session.get(Site, me.site_id)
        assert site is not None
        site.ods_code = code


def _signed(
    services: Services, me: CurrentUser, patient: uuid.UUID, plan: CarePlanInput
) -> uuid.UUID:
    plans = services.care_plans
    draft = plans.start(me, patient)
    plans.save(me, draft.id, patient, plan)
    plans.sign(me, draft.id, patient, demo_password("clinician"))
    return draft.id


def _sections(bundle: dict[str, Any]) -> dict[str, str]:
    composition = bundle["entry"][0]["resource"]
    return {
        section["code"]["coding"][0]["code"]: html.unescape(section["text"]["div"])
        for section in composition["section"]
    }


def test_a_signed_plan_is_a_whole_itk_document_with_the_goals_in_the_patient_s_words(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient = _patient(demo)
    plan_id = _signed(demo, me, patient, _plan())
    _ods(demo, me, "RDEMO")

    text = demo.letters.care_plan_document(me, plan_id, patient)

    bundle = json.loads(text)
    assert check_bundle(bundle) == []
    codes = {heading.key: heading.snomed for heading in prsb_headings()}
    sections = _sections(bundle)
    for heading in prsb_headings():
        if heading.mandatory:
            assert heading.snomed in sections, heading.key
    plan_words = sections[codes["plan_and_requested_actions"]]
    for goal in GOALS:
        assert goal in plan_words
    assert "Priya Shah" in plan_words
    advice = sections[codes["information_and_advice_given"]]
    assert "Ease off for two days" in advice
    assert "Low back pain" in sections[codes["problems_and_issues"]]
    assert "helped for a few months" in sections[codes["history"]]
    binary = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Binary"
    )
    assert base64.b64decode(binary["data"]).startswith(b"%PDF-")

    # The same plan gives the same bytes, attachment and all.
    assert demo.letters.care_plan_document(me, plan_id, patient) == text
    with demo.context.store.sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert (entry.action, entry.patient_id, entry.entity_id) == (
        "letter.care_plan_document",
        patient,
        plan_id,
    )


def test_a_draft_a_replaced_version_and_a_service_with_no_ods_code_are_refused(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient = _patient(demo)
    plans = demo.care_plans
    draft = plans.start(me, patient)
    plans.save(me, draft.id, patient, _plan())
    _ods(demo, me, "RDEMO")
    with pytest.raises(Conflict) as unsigned:
        demo.letters.care_plan_document(me, draft.id, patient)
    assert unsigned.value.code == "letter.plan_not_signed"

    plans.sign(me, draft.id, patient, demo_password("clinician"))
    review = plans.review(me, draft.id, patient)
    plans.save(me, review.id, patient, replace(_plan(), review_on=TODAY + timedelta(days=120)))
    plans.sign(me, review.id, patient, demo_password("clinician"))
    with pytest.raises(Conflict) as replaced:
        demo.letters.care_plan_document(me, draft.id, patient)
    assert replaced.value.code == "letter.plan_superseded"
    assert check_bundle(json.loads(demo.letters.care_plan_document(me, review.id, patient))) == []

    _ods(demo, me, None)
    with pytest.raises(Conflict) as no_code:
        demo.letters.care_plan_document(me, review.id, patient)
    assert no_code.value.code == "letter.no_service_ods_code"


def test_a_plan_the_patient_would_not_share_with_the_gp_or_of_another_patient_is_refused(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient = _patient(demo)
    plan_id = _signed(demo, me, patient, replace(_plan(), gp_consent=False))
    _ods(demo, me, "RDEMO")
    with pytest.raises(Conflict) as not_shared:
        demo.letters.care_plan_document(me, plan_id, patient)
    assert not_shared.value.code == "letter.plan_not_shared"
    with pytest.raises(NotFound):
        demo.letters.care_plan_document(me, plan_id, uuid.uuid4())
