"""The aftercare leaflet of a signed injection: its words chosen for the patient, then printed.

The words are data (``resources/injections/aftercare.json``): each statement short and plain,
with where its advice comes from. A part or statement is printed when it applies to this
injection: always; only when a local anaesthetic was given; only when the record's checklist
answers "yes" to an item (diabetes); only when the steroid emergency card was considered.
Everything printed is read from the signed record and the patient's record here, never taken
from a screen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import ValidationError as SchemaError

from clinic_app.domains.decisions.service import LARGE_PRINT
from clinic_app.domains.injections.content import FOLDER, InjectionContent, injection_content
from clinic_app.domains.injections.model import InjectionRecord
from clinic_app.domains.injections.record import INJECTION
from clinic_app.domains.injections.rules import Drug
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, Conflict, NotFound
from clinic_app.kernel.resource_files import read_json
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import Mode, UnitOfWork
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.duplicates import same_patient, survivor_of
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import format_nhs_number
from clinic_app.records.seal import intact

#: Reading an injection record is reading the clinical record (as ``records.READ``).
READ = Action.ASSESSMENT_VIEW
FILE = "aftercare"

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
#: A statement is short: a leaflet a patient reads at home, reading age about 11.
Statement = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Shown = Literal["always", "local_anaesthetic", "checklist_yes", "steroid_card_considered"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AftercareStatement(_Model):
    """One short statement and where its advice comes from."""

    id: Id
    text: Statement
    source: Text
    shown: Shown = "always"
    checklist_item: Id | None = None


class AftercarePart(_Model):
    """A heading and its statements; ``urgent`` is printed in a red-edged box."""

    id: Id
    heading: Statement
    shown: Shown = "always"
    checklist_item: Id | None = None
    urgent: bool = False
    statements: tuple[AftercareStatement, ...]


class Aftercare(_Model):
    """The aftercare leaflet's words, cited."""

    version: Text
    source: Text
    licence: Text
    title: Statement
    sections: tuple[AftercarePart, ...]
    #: Where the advice comes from, as printed at the foot of the leaflet (short lines).
    printed_sources: tuple[Statement, ...]
    #: Each target in plain words, as printed after the side ("Left " + words); a target
    #: not named here is printed with its title.
    site_words: dict[Id, Statement] = {}


def parse_aftercare(data: object, content: InjectionContent) -> Aftercare:
    """Check the leaflet's words (decoded JSON) against its schema and the checklist.

    Raises:
        ClinicError: ``content.invalid`` (``file``, ``reason``, ``field``) for the first
            problem found: a schema error, an id used twice, a part with no statements, or a
            "checklist_yes" condition naming no item of the checklist.
    """
    file = f"{FILE}.json"
    try:
        aftercare = Aftercare.model_validate(data)
    except SchemaError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "file"
        raise ClinicError("content.invalid", file=file, reason=first["msg"], field=field) from error
    known = set(content.checklist.ids)
    for target in aftercare.site_words:
        if content.targets.target(target) is None:
            raise ClinicError("content.invalid", file=file, reason="unknown_target", field=target)
    seen: set[str] = set()
    for part in aftercare.sections:
        if not part.statements:
            raise ClinicError("content.invalid", file=file, reason="no_statements", field=part.id)
        items: list[AftercarePart | AftercareStatement] = [part, *part.statements]
        for item in items:
            if item.id in seen:
                raise ClinicError("content.invalid", file=file, reason="used_twice", field=item.id)
            seen.add(item.id)
            if (item.shown == "checklist_yes") != (item.checklist_item is not None) or (
                item.checklist_item is not None and item.checklist_item not in known
            ):
                raise ClinicError(
                    "content.invalid", file=file, reason="unknown_checklist_item", field=item.id
                )
    return aftercare


@cache
def shipped_aftercare() -> Aftercare:
    """The shipped leaflet words, read and checked once."""
    return parse_aftercare(read_json(FOLDER, FILE), injection_content())


@dataclass(frozen=True)
class _Facts:
    """What decides which words apply."""

    local_anaesthetic: bool
    yes: frozenset[str]
    steroid_card_considered: bool

    def shows(self, item: AftercarePart | AftercareStatement) -> bool:
        if item.shown == "local_anaesthetic":
            return self.local_anaesthetic
        if item.shown == "checklist_yes":
            return item.checklist_item in self.yes
        if item.shown == "steroid_card_considered":
            return self.steroid_card_considered
        return True


def _facts(row: InjectionRecord, drugs: tuple[Drug, ...], content: InjectionContent) -> _Facts:
    products = [content.formulary.product(drug.product_id) for drug in drugs]
    return _Facts(
        local_anaesthetic=any(p is not None and p.anaesthetic is not None for p in products),
        yes=frozenset(item for item, answer in (row.checklist or {}).items() if answer == "yes"),
        steroid_card_considered=bool(row.steroid_card_considered),
    )


def _site(row: InjectionRecord, content: InjectionContent, words: Aftercare) -> str:
    """Where, in plain words with its side: "Left knee joint"."""
    target = content.targets.target(row.target) if row.target else None
    where = words.site_words.get(row.target or "") or (
        target.title if target is not None else (row.target or "")
    )
    if row.side in {"left", "right"} and where:
        # "Knee joint" follows the side in lower case; "MCP joint" keeps its capitals.
        lower = len(where) > 1 and where[1].islower()
        return f"{row.side.capitalize()} {where[0].lower() if lower else where[0]}{where[1:]}"
    return where[:1].upper() + where[1:]


def aftercare_leaflet(
    uow: UnitOfWork, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID
) -> bytes:
    """The aftercare leaflet of this patient's signed injection as a PDF (printing is audited).

    An injection under a registration since merged into the patient's record is theirs, and
    its leaflet names them as the surviving record does.

    Raises:
        NotFound: ``injection.not_found`` (also for a record of another patient),
            ``patient.not_found``.
        Conflict: ``injection.aftercare_not_signed`` for a draft (a draft may still change),
            ``injection.aftercare_not_intact`` for a signed record that no longer matches its
            seal (changed outside the app).
        ClinicError: ``content.invalid`` when the shipped words are broken.
    """
    # Imported when someone prints, so reportlab loads only then.
    from clinic_app.domains.injections.pdf import (  # noqa: PLC0415
        AftercareLeaflet,
        GivenDrug,
        LeafletPart,
        aftercare_pdf,
    )

    content = injection_content()
    words = shipped_aftercare()
    with uow(actor, READ, mode=Mode.AUDITED_READ) as session:
        row = session.get(InjectionRecord, record_id)
        if row is None or row.deleted or not same_patient(session, row.patient_id, patient_id):
            raise NotFound("injection.not_found")
        if row.status != RecordStatus.SIGNED or row.content_sha256 is None:
            raise Conflict("injection.aftercare_not_signed")
        if not intact(INJECTION, row):
            # Changed outside the app since it was signed: never hand a patient those doses.
            raise Conflict("injection.aftercare_not_intact")
        # Named as the record that stands for them now: a registration since merged into it
        # may hold a name or number corrected on the surviving record.
        patient = session.get(Patient, survivor_of(session, row.patient_id))
        if patient is None or patient.deleted:
            raise NotFound("patient.not_found")
        giver = session.get(User, row.signed_by) if row.signed_by is not None else None
        drugs = tuple(Drug.from_json(value) for value in row.drugs)
        facts = _facts(row, drugs, content)
        given = []
        for drug in drugs:
            product = content.formulary.product(drug.product_id)
            name = product.name if product is not None else drug.product_id
            given.append(GivenDrug(name=name, mg=drug.mg, ml=drug.ml))
        parts = tuple(
            LeafletPart(
                heading=part.heading,
                statements=tuple(s.text for s in part.statements if facts.shows(s)),
                urgent=part.urgent,
            )
            for part in words.sections
            if facts.shows(part)
        )
        number = patient.nhs_number or ""
        leaflet = AftercareLeaflet(
            title=words.title,
            patient_name=f"{patient.family_name.upper()}, {patient.given_name}",
            nhs_number=format_nhs_number(number) if number else "",
            date_of_birth=patient.date_of_birth,
            given_on=row.performed_on or row.created_at.date(),
            site=_site(row, content, words),
            drugs=tuple(given),
            clinician=giver.display_name if giver is not None else "",
            parts=tuple(part for part in parts if part.statements),
            review_on=row.review_date,
            sources=words.printed_sources,
        )
        large = LARGE_PRINT in (patient.accessible_information_needs or [])
        uow.audit(
            session,
            actor,
            "injection.print",
            patient_id=row.patient_id,
            entity=INJECTION.table_name,
            entity_id=row.id,
        )
    return aftercare_pdf(leaflet, large_print=large)
