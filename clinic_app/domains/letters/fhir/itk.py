"""The ITK outpatient letter rules as data: resources/letters/itk_sections.json, checked at load.

The file lists the PRSB headings the ITK3 outpatient letter carries (with their SNOMED CT
codes and whether each is mandatory), the identifier and code systems, and the attachment
limits. Every number and code in it names its source; this module only reads and checks it.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic import ValidationError as SchemaError

from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.resource_files import read_json

RULES_FOLDER = "letters"
RULES_FILE = "itk_sections"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Uri = Annotated[str, StringConstraints(pattern=r"^(https?://|urn:)\S+$")]
SnomedId = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{5,17}$")]
Conformance = Literal["mandatory", "required", "optional"]
AdministrativeGender = Literal["male", "female", "other", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CodedConcept(_Model):
    """A code with its display term and where it was read."""

    code: Text
    display: Text
    source: Text | None = None


class Section(_Model):
    """One PRSB heading of the outpatient letter and its SNOMED CT concept."""

    code: SnomedId
    title: Text
    conformance: Conformance
    source: Text


class IdentifierSystems(_Model):
    """The identifier systems the bundle uses for patients, organisations and documents."""

    nhs_number: Uri
    ods_organisation: Uri
    document: Uri
    source: Text


class Verification(_Model):
    """The UK Core NHS number verification status extension and its two codes used here."""

    extension_url: Uri
    system: Uri
    verified: CodedConcept
    not_traced: CodedConcept
    source: Text


class UnknownPractice(_Model):
    """What is sent for a patient whose GP practice is not known."""

    ods_code: Text
    name: Text
    source: Text


class EncounterClass(_Model):
    """The coded class of the attendance."""

    system: Uri
    code: Text
    display: Text
    source: Text


class AttachmentRules(_Model):
    """The attachment's media type and the ITK message size limit."""

    content_type: Text
    max_message_bytes: int = Field(gt=0, strict=True)
    source: Text


class GenderMap(_Model):
    """From the app's person stated gender codes to FHIR administrative gender."""

    from_person_stated_gender: dict[str, AdministrativeGender]
    source: Text
    verify: Text | None = None


class ItkRules(_Model):
    """The whole rules file."""

    source: Text
    licence: Text
    version: Text
    derivation: Text
    code_system: Uri
    document_type: CodedConcept
    sections: tuple[Section, ...] = Field(min_length=1)
    identifier_systems: IdentifierSystems
    registration_systems: dict[str, Text]
    nhs_number_verification: Verification
    gp_practice_unknown: UnknownPractice
    encounter_class: EncounterClass
    attachment: AttachmentRules
    administrative_gender: GenderMap

    @model_validator(mode="after")
    def _sections_once_each(self) -> ItkRules:
        codes = [section.code for section in self.sections]
        if len(set(codes)) != len(codes):
            raise ValueError("a section code is listed twice")
        if not any(section.conformance == "mandatory" for section in self.sections):
            raise ValueError("no mandatory section")
        return self

    def section(self, code: str) -> Section | None:
        """The heading with this SNOMED CT code, or None when the letter has no such heading."""
        return next((section for section in self.sections if section.code == code), None)

    @property
    def mandatory_sections(self) -> tuple[Section, ...]:
        """The headings every outpatient letter carries, in the order of the standard."""
        return tuple(section for section in self.sections if section.conformance == "mandatory")

    def registration_system(self, body: str) -> str | None:
        """The identifier system of a professional register, or None for a body not listed."""
        if body == "source":
            return None
        return self.registration_systems.get(body)


def parse_rules(data: object) -> ItkRules:
    """Check a decoded rules document against the schema.

    Raises:
        ClinicError: ``content.invalid`` (params ``file``, ``reason``) when it does not fit.
    """
    try:
        return ItkRules.model_validate(data)
    except SchemaError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ClinicError(
            "content.invalid", file=f"{RULES_FILE}.json", reason=f"{where}: {first['msg']}"
        ) from error


@cache
def itk_rules() -> ItkRules:
    """The shipped rules, read and checked once.

    Raises:
        ClinicError: ``content.invalid`` when the shipped file is missing or malformed.
    """
    return parse_rules(read_json(RULES_FOLDER, RULES_FILE))
