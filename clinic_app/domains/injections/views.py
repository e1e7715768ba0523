"""Read models of injections and PGDs, and what a screen sends to save them: frozen, Qt-free."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from clinic_app.domains.injections.rules import CheckWarning, Drug
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.vocabulary import RecordStatus

#: The longest addendum, in characters (a screen says so before the service refuses more).
ADDENDUM_MAX = 4000


@dataclass(frozen=True)
class PgdInput:
    """A PGD as the service lead enters it (all of it, every time)."""

    name: str
    version: str
    valid_from: date
    valid_to: date
    drugs: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    practitioners: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class PgdView:
    """One PGD of the register."""

    id: uuid.UUID
    name: str
    version: str
    valid_from: date
    valid_to: date
    drugs: tuple[str, ...]
    targets: tuple[str, ...]
    practitioners: tuple[uuid.UUID, ...]
    row_version: int

    def valid_on(self, day: date) -> bool:
        """True when ``day`` is within its dates (both days included)."""
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class PackCodeView:
    """One pack code (GTIN) of the service's list, and the formulary product it is."""

    id: uuid.UUID
    gtin: str
    product_id: str
    row_version: int


def products_by_gtin(codes: Iterable[PackCodeView]) -> dict[str, str]:
    """Each listed GTIN and the product it names.

    A GTIN linked to two products (two laptops each added it before they synced) names
    neither: a scan of it never picks a product by guess, and the list shows both links for
    the service lead to remove the wrong one.
    """
    found: dict[str, set[str]] = {}
    for code in codes:
        found.setdefault(code.gtin, set()).add(code.product_id)
    return {gtin: next(iter(products)) for gtin, products in found.items() if len(products) == 1}


@dataclass(frozen=True)
class Aspirate:
    """What was drawn off before injecting."""

    volume_ml: float
    appearance: str = ""
    sent_for_tests: bool = False


@dataclass(frozen=True)
class InjectionInput:
    """What the injection screen saves of a draft (all of it, every time).

    Attributes:
        performed_on: the day of the injection (today when not given).
        target: a target id of resources/injections/targets.json.
        side: ``left`` or ``right``.
        approach: the approach, in words (e.g. "posterior").
        guidance: ``landmark`` or ``ultrasound``.
        imaging_study_id: the study holding the guidance images (when ultrasound-guided).
        authority_kind: ``pgd``, ``psd`` (patient-specific direction) or ``prescriber``.
        pgd_id, pgd_version: the PGD given under (authority ``pgd``).
        prescriber_name: who wrote the patient-specific direction (authority ``psd``).
        consent_risks: the ids of the risks talked through.
        checklist: checklist item id → ``yes`` or ``no``.
        anticoagulant: ``warfarin`` or ``other`` when the patient is anticoagulated.
        inr_value, inr_measured_at: the latest INR and when it was measured.
        replacement_planned_on: the date a replacement of this joint is planned for.
        drugs: each drug given.
        aspirate: what was aspirated, if anything.
        immediate_reaction: any reaction seen, in words ("" for none).
        observation_minutes: how long the patient was observed afterwards.
        aftercare_given: the aftercare advice was given.
        steroid_card_considered: the steroid emergency card was considered.
        review_date: when the patient is to be reviewed.
        sdm_record_id: the shared decision that led to it (None: the latest of the episode).
        sdm_missing_reason: why the clinician went on with no shared decision recorded.
    """

    performed_on: date | None = None
    target: str | None = None
    side: str | None = None
    approach: str = ""
    guidance: str | None = None
    imaging_study_id: uuid.UUID | None = None
    authority_kind: str | None = None
    pgd_id: uuid.UUID | None = None
    pgd_version: str | None = None
    prescriber_name: str | None = None
    consent_risks: tuple[str, ...] = ()
    checklist: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    anticoagulant: str | None = None
    inr_value: float | None = None
    inr_measured_at: datetime | None = None
    replacement_planned_on: date | None = None
    drugs: tuple[Drug, ...] = ()
    aspirate: Aspirate | None = None
    immediate_reaction: str = ""
    observation_minutes: int | None = None
    aftercare_given: bool = False
    steroid_card_considered: bool = False
    review_date: date | None = None
    sdm_record_id: uuid.UUID | None = None
    sdm_missing_reason: str | None = None


@dataclass(frozen=True)
class Acknowledgement:
    """A warning the clinician acknowledged before signing: what, who and when."""

    code: str
    by: uuid.UUID | None
    at: datetime


@dataclass(frozen=True)
class AddendumView:
    """A signed addendum of an injection record."""

    id: uuid.UUID
    text: str
    signed_at: datetime
    signed_by: uuid.UUID | None
    intact: bool
    #: The signer's name as the service knows them ("" when their account is not held here).
    signer_name: str = ""


@dataclass(frozen=True)
class InjectionView:
    """One injection record as screens and letters read it.

    ``intact`` is False when a signed record no longer matches its seal (changed outside the
    app): it is reported, never repaired.
    """

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    status: str
    fields: InjectionInput
    acknowledgements: tuple[Acknowledgement, ...]
    created_at: datetime
    created_by: uuid.UUID | None
    row_version: int
    signed_at: datetime | None = None
    signed_by: uuid.UUID | None = None
    attestation: str | None = None
    intact: bool = True
    addenda: tuple[AddendumView, ...] = ()
    summary: str = ""
    #: The signer's name as the service knows them ("" when their account is not held here).
    signer_name: str = ""

    @property
    def is_signed(self) -> bool:
        """True once signed: it never changes again."""
        return self.status == RecordStatus.SIGNED


@dataclass(frozen=True)
class InjectionChecks:
    """What stands before signing a draft.

    Attributes:
        hard_stops: problems that stop signing, each a code with the field it is about.
        warnings: each (code, words key, fields): acknowledge each code before signing.
        acknowledged: the warning codes acknowledged so far.
        incomplete: what is still to be filled in before signing.
    """

    hard_stops: tuple[ValidationError, ...]
    warnings: tuple[CheckWarning, ...]
    acknowledged: frozenset[str]
    incomplete: tuple[ValidationError, ...] = ()

    @property
    def unacknowledged(self) -> tuple[CheckWarning, ...]:
        """The warnings not acknowledged yet."""
        return tuple(w for w in self.warnings if w.code not in self.acknowledged)

    @property
    def can_sign(self) -> bool:
        """True when nothing stops signing and every warning is acknowledged."""
        return not self.hard_stops and not self.unacknowledged and not self.incomplete
