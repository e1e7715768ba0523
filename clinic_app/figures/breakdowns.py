"""How a measure's rows are broken down: the SQL value of each breakdown, and its words.

The standard breakdowns are by month, site, clinician, condition (the working diagnosis of
the episode's latest signed assessment, worded from resources/diagnoses, where the fact
source knows it; else not recorded), the patient's age band on the day of the fact (the bands of
resources/measures/age_bands.json: ONS five-year groups, 90 and over), sex (PERSON STATED
GENDER CODE), ethnicity (ETHNIC CATEGORY) and deprivation decile (see ``deprivation``). A
measure may also break down by one of its fact source's own code columns (a priority).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case

from clinic_app.domains.assessments.content import working_diagnoses
from clinic_app.figures.definitions import age_bands
from clinic_app.figures.deprivation import imd_decile_column
from clinic_app.figures.dialect import month_of, whole_years
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.staff import Site, User
from clinic_app.people.model import Patient

#: The breakdowns read from the patient's record.
PATIENT_BREAKDOWNS = frozenset({"age_band", "sex", "ethnicity", "deprivation"})
NOT_RECORDED_WORDS = "Not recorded"
#: How the deciles are worded at their ends.
_MOST_DEPRIVED, _LEAST_DEPRIVED = 1, 10


@dataclass(frozen=True)
class Grouping:
    """A breakdown in SQL: its key, its label when the store holds one, and joins needed.

    ``joins`` are ``(table, on)`` pairs to outer-join to the facts.
    """

    key: Any
    label: Any
    joins: tuple[tuple[Any, Any], ...] = ()


def _age_band(dialect: str, at_day: Any) -> Any:
    bands = age_bands()
    age = whole_years(dialect, Patient.date_of_birth, at_day)
    return case((age >= bands.open_from, bands.open_from), else_=(age // bands.width) * bands.width)


def _patient_value(name: str, dialect: str, at_day: Any) -> Any:
    if name == "age_band":
        return _age_band(dialect, at_day)
    if name == "deprivation":
        return imd_decile_column(Patient.postcode)
    return Patient.sex if name == "sex" else Patient.ethnicity


def grouping(name: str, facts: Any, dialect: str, at_day: Any) -> Grouping | None:
    """The breakdown ``name`` over the facts' subquery (None for ``all``: one row)."""
    if name == "all":
        return None
    if name in PATIENT_BREAKDOWNS:
        patient = ((Patient, Patient.id == facts.c.patient_id),)
        return Grouping(_patient_value(name, dialect, at_day), None, patient)
    if name == "month":
        return Grouping(month_of(dialect, at_day), None)
    if name == "site":
        return Grouping(facts.c.site_id, Site.name, ((Site, Site.id == facts.c.site_id),))
    if name == "clinician":
        return Grouping(
            facts.c.clinician_id, User.display_name, ((User, User.id == facts.c.clinician_id),)
        )
    return Grouping(facts.c[name], None)


def key_text(value: Any) -> str | None:
    """A breakdown value as the text a row keys it by."""
    return None if value is None else str(value)


def _month_words(key: str) -> str:
    year, month = key.split("-")
    return f"{date(int(year), int(month), 1):%B %Y}"


def _age_band_words(key: str) -> str:
    bands = age_bands()
    start = int(key)
    if start >= bands.open_from:
        return f"{start} and over"
    return f"{start} to {start + bands.width - 1}"


def _decile_words(key: str) -> str:
    ends = {_MOST_DEPRIVED: " (most deprived)", _LEAST_DEPRIVED: " (least deprived)"}
    return f"Decile {key}{ends.get(int(key), '')}"


def _listed(list_name: str) -> Callable[[str], str]:
    def words(key: str) -> str:
        return code_list(list_name).label_for(key) or key

    return words


def _condition_words(key: str) -> str:
    found = working_diagnoses().get(key)
    return found.label if found is not None else key


_WORDS: dict[str, Callable[[str], str]] = {
    "condition": _condition_words,
    "month": _month_words,
    "age_band": _age_band_words,
    "deprivation": _decile_words,
    "ethnicity": _listed("ethnic_category"),
    "sex": _listed("person_stated_gender"),
    "priority": _listed("referral_priority"),
}


def label_for(name: str, key: str | None, stored: str | None) -> str:
    """A breakdown value in words (``stored``: the words the store holds, a site's name)."""
    if key is None:
        return "All" if name == "all" else NOT_RECORDED_WORDS
    if stored:
        return stored
    words = _WORDS.get(name)
    return words(key) if words is not None else key
