"""Letters as FHIR R4 documents shaped as the NHS England ITK3 outpatient letter.

Build a :class:`LetterDocument` from a signed letter, turn it into a document Bundle with
:func:`build_bundle` (or :func:`build_bundle_json`), and check any bundle against the ITK
rules with :func:`check_bundle`, which returns every :class:`Problem` found.
"""

from __future__ import annotations

from clinic_app.domains.letters.fhir.bundle import (
    administrative_gender,
    build_bundle,
    build_bundle_json,
)
from clinic_app.domains.letters.fhir.checks import (
    RULES,
    Problem,
    check_bundle,
    check_bundle_json,
)
from clinic_app.domains.letters.fhir.document import (
    Attendance,
    Author,
    LetterDocument,
    Organisation,
    PatientDetails,
    Registration,
    SectionText,
)
from clinic_app.domains.letters.fhir.itk import ItkRules, itk_rules

__all__ = [
    "RULES",
    "Attendance",
    "Author",
    "ItkRules",
    "LetterDocument",
    "Organisation",
    "PatientDetails",
    "Problem",
    "Registration",
    "SectionText",
    "administrative_gender",
    "build_bundle",
    "build_bundle_json",
    "check_bundle",
    "check_bundle_json",
    "itk_rules",
]
