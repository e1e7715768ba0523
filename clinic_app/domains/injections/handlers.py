"""What the server checks of a pushed injection, beyond who may take its lifecycle's steps.

A device's own service refuses to sign an injection its user may not give under the PGD
named; a tampered device could push one signed anyway, so the server checks the PGD again
as it holds it (its dates, drugs, targets and practitioners, and no two drugs in one
syringe), with the signer the push names: ``sync.not_allowed`` when the PGD does not
authorise it. It runs the device's safety checks again too (``safety_refusal``): a signing
with a hard stop, or a warning not acknowledged, is ``sync.not_allowed``. An injection
links only its own patient's episode, images and shared decision (``sync.wrong_patient``).
A pack code must be a GTIN whose check digit adds up, linked to a product of the formulary
(``sync.bad_value``) and listed once (``sync.pack_code_listed``): a scan of it names that
product.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from clinic_app.domains.decisions.handlers import decision_link_refusal
from clinic_app.domains.imaging.model import ImagingStudy
from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.model import InjectionRecord, PackCode, PatientGroupDirection
from clinic_app.domains.injections.pack import is_gtin
from clinic_app.domains.injections.record import INJECTION
from clinic_app.domains.injections.rules import Drug, PgdTerms, authority_problems, signing_stops
from clinic_app.domains.injections.service.history import checks_as_signed
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.records.seal import becomes_signed, transient_row
from clinic_app.sync.hooks import on_checked


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


def _uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _pgd(conn: Connection, pgd_id: uuid.UUID) -> PgdTerms | None:
    """The PGD as the server holds it, or None (a PGD not written by the service lead)."""
    table = PatientGroupDirection.__table__
    row = conn.execute(select(table).where(table.c.id == pgd_id)).mappings().first()
    if row is None or row["deleted"]:
        return None
    return PgdTerms(
        id=pgd_id,
        name=str(row["name"]),
        version=str(row["version"]),
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        drugs=frozenset(row["drugs"] or ()),
        targets=frozenset(row["targets"] or ()),
        practitioners=frozenset(uuid.UUID(p) for p in row["practitioners"] or ()),
    )


def authority_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """``sync.not_allowed`` when a pushed signing under a PGD is one the PGD does not allow.

    Only the step that signs is checked (a draft may still be incomplete); the signer is the
    ``signed_by`` the push names, which ``TableRule.own_columns`` holds to the pushing user.
    """
    if not becomes_signed(row, stored) or row.get("authority_kind") != "pgd":
        return None
    try:
        pgd_id = _uuid(row.get("pgd_id"))
        terms = _pgd(conn, pgd_id) if pgd_id is not None else None
        day = _day(row.get("performed_on")) or _day(row.get("signed_at"))
        drugs = [Drug.from_json(d) for d in row.get("drugs") or ()]
        signer = _uuid(row.get("signed_by"))
    except (ValueError, TypeError, AttributeError):
        # Drugs that are not a list of drugs, or an id that is not one: nothing to authorise.
        return "sync.not_allowed"
    if terms is None or day is None:
        return "sync.not_allowed"
    problems = authority_problems(
        terms,
        on=day,
        user_id=signer,
        drugs=drugs,
        target=row.get("target"),
        version=row.get("pgd_version"),
    )
    return "sync.not_allowed" if problems else None


def safety_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """``sync.not_allowed`` when a pushed signing has a hard stop or a warning not acknowledged.

    The checks are the device's own (``rules.check_injection``, then ``rules.signing_stops``
    over the row's acknowledgements), made at the record's own date with what its device
    certainly knew when it signed (``service.history.checks_as_signed``): its own content
    (checklist answers, each drug's expiry against ``performed_on``, doses against the
    formulary, the INR), and the injections and red-flag screenings it recorded itself. A
    record honestly signed with what its laptop held is never refused for something recorded
    elsewhere that had not reached it. Only the step that signs is checked.
    """
    if not becomes_signed(row, stored):
        return None
    try:
        record = transient_row(INJECTION, row)
        acknowledged = {str(a["code"]) for a in row.get("acknowledgements") or ()}
        with Session(bind=conn) as session:
            checks = checks_as_signed(session, record)
    except (ValueError, TypeError, AttributeError, KeyError):
        # Drugs, answers or acknowledgements that are not what the app writes: not signable.
        return "sync.not_allowed"
    return "sync.not_allowed" if signing_stops(checks, acknowledged) else None


def pack_code_refusal(
    conn: Connection, row: Mapping[str, Any], stored: Mapping[str, Any] | None
) -> str | None:
    """Why a pushed pack code is refused, as a code; None when it is taken.

    ``sync.bad_value`` for a code that is no GTIN, or names no product we know;
    ``sync.pack_code_listed`` for one the server already lists (for this product or another),
    as the device refuses it: two laptops adding the same code offline would otherwise leave
    a scan of it naming two products.
    """
    if row.get("deleted"):
        return None
    gtin, product = row.get("gtin"), row.get("product_id")
    if not isinstance(gtin, str) or not is_gtin(gtin):
        return "sync.bad_value"
    if not isinstance(product, str) or injection_content().formulary.product(product) is None:
        return "sync.bad_value"
    listed = select(PackCode.id).where(PackCode.gtin == gtin, PackCode.deleted.is_(False))
    if stored is not None:
        listed = listed.where(PackCode.id != stored["id"])
    if conn.execute(listed.limit(1)).first() is not None:
        return "sync.pack_code_listed"
    return None


TABLE = InjectionRecord.__tablename__

on_checked(
    TABLE,
    "same_patient",
    lambda conn, row, _stored: link_refusal(
        conn, row, {"episode_id": EpisodeOfCare, "imaging_study_id": ImagingStudy}
    ),
)
on_checked(
    TABLE, "same_patient_decision", lambda conn, row, _stored: decision_link_refusal(conn, row)
)
on_checked(TABLE, "pgd_authority", authority_refusal)
on_checked(TABLE, "safety_checks", safety_refusal)
on_checked(PackCode.__tablename__, "a_known_code", pack_code_refusal)
