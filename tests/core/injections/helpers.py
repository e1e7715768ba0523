"""A complete injection as a clinician would record it, to change one thing at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from clinic_app.domains.injections.rules import Drug
from clinic_app.domains.injections.views import InjectionInput, PgdView

ALL_NO = {
    "infection_local": "no",
    "infection_systemic": "no",
    "allergy": "no",
    "anticoagulated": "no",
    "diabetes": "no",
    "pregnancy": "no",
    "immunosuppression": "no",
    "prosthetic_joint": "no",
    "joint_replacement_planned": "no",
}
STEROID = Drug("methylprednisolone_acetate_40", 40, 1, "MP1234", date.today() + timedelta(days=200))
ANAESTHETIC = Drug("lidocaine_1", 30, 3, "LD99", date.today() + timedelta(days=400))


def knee_injection(pgd: PgdView, **changes: object) -> InjectionInput:
    """A left knee injection of 40 mg methylprednisolone with lidocaine under ``pgd``."""
    fields = InjectionInput(
        performed_on=date.today(),
        target="knee_joint",
        side="left",
        approach="superolateral",
        guidance="landmark",
        authority_kind="pgd",
        pgd_id=pgd.id,
        pgd_version=pgd.version,
        consent_risks=("post_injection_flare", "infection", "no_benefit"),
        checklist=dict(ALL_NO),
        drugs=(STEROID, ANAESTHETIC),
        observation_minutes=20,
        aftercare_given=True,
        steroid_card_considered=True,
        review_date=date.today() + timedelta(weeks=6),
        sdm_missing_reason="Decided with the patient at the last visit, before aids were used.",
    )
    return replace(fields, **changes)  # type: ignore[arg-type]
