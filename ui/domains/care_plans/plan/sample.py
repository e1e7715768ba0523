"""A made-up plan, shown on the screen for its screenshot only (never kept)."""

from __future__ import annotations

from datetime import date, timedelta

from clinic_app.domains.care_plans.views import (
    CarePlanInput,
    PlanAction,
    SupportChoice,
    TreatmentTried,
)

_TODAY = date.today()

SAMPLE_PLAN = CarePlanInput(
    what_matters="Playing with my grandchildren and getting back to the allotment.",
    strengths="I like to keep busy. My daughter drives me to appointments.",
    goals=("Walk the dog to the park and back", "Sleep through the night"),
    actions=(
        PlanAction("Home exercises twice a day", "Me", _TODAY + timedelta(days=42)),
        PlanAction("Send the plan to my GP", "Physiotherapist", _TODAY + timedelta(days=5)),
    ),
    conditions=("Type 2 diabetes",),
    treatments=(TreatmentTried("Naproxen", "Upset my stomach"),),
    flare_plan="Rest for a day, then start the exercises again gently.",
    seek_help="If the pain is much worse after a week, call the named contact.",
    safety_nets=("cauda_equina",),
    support_services=(SupportChoice("versus_arthritis"), SupportChoice(None, "Walking group")),
    named_contact="Sam Physio",
    contact_route="The booking line",
    pifu_months=6,
    review_on=_TODAY + timedelta(days=90),
    gp_consent=True,
    gp_consent_given_by="patient",
)
