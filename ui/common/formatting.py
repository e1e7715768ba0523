"""How names, NHS numbers, dates and ages are written on screen (NHS banner conventions)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication

from clinic_app.kernel.errors import ValidationError
from clinic_app.people.nhs_number import format_nhs_number

# Fixed English abbreviations: the dd-Mmm-yyyy form must not change with the machine's locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Formatting", text)


def patient_name(family_name: str, given_name: str, title: str | None = None) -> str:
    """Family name in capitals, then given name, then title: ``SMITH, Jane (Mrs)``."""
    name = f"{family_name.upper()}, {given_name}"
    if title:
        name = f"{name} ({title})"
    return name


def nhs_number(digits: str | None) -> str:
    """An NHS number grouped 3 3 4, or "No NHS number" when there is none."""
    if not digits:
        return _tr("No NHS number")
    try:
        return format_nhs_number(digits)
    except ValidationError:
        # A stored value that is not ten digits is still shown exactly as it is.
        return digits


def clinical_date(value: date) -> str:
    """A date written the unambiguous NHS way: ``05-Mar-1975``."""
    return f"{value.day:02d}-{_MONTHS[value.month - 1]}-{value.year:04d}"


def age(years: int) -> str:
    """An age in years, as on a banner: ``49y``."""
    return _tr("{years}y").format(years=years)


def born(date_of_birth: date, years: int) -> str:
    """Date of birth with the age: ``05-Mar-1975 (49y)``."""
    return f"{clinical_date(date_of_birth)} ({age(years)})"


def display_role(role: str) -> str:
    """A role code as a person reads it: ``clinician`` becomes ``Clinician``."""
    return role.replace("_", " ").capitalize()
