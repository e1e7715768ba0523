"""What the server checks of a pushed triage decision, beyond who may triage.

A device's own triage service records a decision only with an outcome and a pathway from
their code lists (a pathway for an appointment), a reason to return a referral, the tier and
diagnostics that follow from its pathway and outcome, and the patient of the referral it
decides. A tampered device could push anything, so the server checks the decision with the
same rules (``checked_decision``): ``sync.bad_value`` for one the service would never have
recorded, ``sync.wrong_patient`` for one naming another patient's referral.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from clinic_app.domains.triage.model import TriageDecision
from clinic_app.domains.triage.rules import CheckedDecision, checked_decision
from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.people.care import Referral
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked


def _typed(value: Any) -> str:
    """A pushed text as the form would have held it ("" for none)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("not a text")
    return value


def _as_recorded(row: Mapping[str, Any], checked: CheckedDecision) -> bool:
    """Whether a pushed decision holds exactly what the service records for its fields."""
    tier = checked.tier.value if checked.tier is not None else None
    return (
        row.get("outcome") == checked.outcome
        and row.get("pathway") == checked.pathway
        and row.get("tier") == tier
        and row.get("with_diagnostics") is checked.with_diagnostics
        and row.get("reason") == checked.reason
        and row.get("advice") == checked.advice
    )


def decision_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """``sync.bad_value`` for a pushed decision the triage service would never have recorded.

    Only a new decision is checked: a decision is never changed (the server refuses any
    change to an append-only row).
    """
    if stored is not None:
        return None
    priority = row.get("priority")
    try:
        checked = checked_decision(
            _typed(row.get("outcome")),
            _typed(getattr(priority, "value", priority)),
            _typed(row.get("pathway")),
            _typed(row.get("reason")),
            _typed(row.get("advice")),
        )
    except (FormErrors, ValidationError, TypeError):
        return "sync.bad_value"
    return None if _as_recorded(row, checked) else "sync.bad_value"


on_checked(
    TriageDecision.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(conn, row, {"referral_id": Referral}),
)
on_checked(TriageDecision.__tablename__, "as_triage_records_it", decision_refusal)
