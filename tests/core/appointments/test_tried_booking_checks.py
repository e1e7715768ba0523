"""Bad input in every field of a booking is named at once, the day gone among it."""

from __future__ import annotations

import pytest

from clinic_app.kernel.errors import FormErrors
from tests.core.appointments.conftest import Clinic


def _codes(error: FormErrors) -> dict[str, str]:
    return {e.field or "": e.code for e in error.errors}


def test_a_day_gone_is_refused_even_when_the_time_is_wrong_too(clinic: Clinic) -> None:
    with pytest.raises(FormErrors) as refused:
        clinic.book(day="01/01/2020", time="25:00", minutes="0")
    codes = _codes(refused.value)
    assert codes["day"] == "appointment.in_the_past"
    assert codes["time"] == "appointment.time_invalid"
    assert codes["minutes"].startswith("appointment.")
    assert not clinic.appointments.for_patient(clinic.reception, clinic.harriet)


def test_a_day_gone_with_a_good_time_is_refused_on_the_day(clinic: Clinic) -> None:
    with pytest.raises(FormErrors) as refused:
        clinic.book(day="01/01/2020", time="10:30")
    assert _codes(refused.value) == {"day": "appointment.in_the_past"}
