"""The appointment is a record type that is never signed; the non-attendance rule's file."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest

from clinic_app.domains.appointments.content import (
    changed_dna_rule,
    dna_rule_with,
    parse_dna_rule,
    shipped_dna_rule,
)
from clinic_app.domains.appointments.model import Appointment
from clinic_app.domains.appointments.record import APPOINTMENT
from clinic_app.domains.appointments.rules import (
    DnaRule,
    PastContact,
    clash_id,
    evaluate_dna,
    overlaps,
    session_slots,
)
from clinic_app.figures.compose import figures_for
from clinic_app.kernel.errors import ClinicError, ValidationError
from clinic_app.letters.compose import sections_for
from clinic_app.records.registry import SigningPolicy, record_type_for_table, record_types
from clinic_app.records.seal import digest, seal
from tests.core.appointments.conftest import Clinic


def _raw() -> dict[str, Any]:
    path = resources.files("resources") / "appointments" / "dna_rule.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_appointment_is_registered_and_never_signed() -> None:
    assert record_types()["appointment"] is APPOINTMENT
    assert record_type_for_table("appointment") is APPOINTMENT
    assert APPOINTMENT.signing is SigningPolicy.NONE
    assert not APPOINTMENT.signed
    assert not APPOINTMENT.attested
    assert APPOINTMENT.letter_sections is None
    assert APPOINTMENT.measures == ()
    # Besides appointments, only the patient's own Friends and Family Test answer is unsigned.
    unsigned = {code for code, rt in record_types().items() if not rt.signed}
    assert unsigned == {"appointment", "fft_response"}
    row = Appointment(
        patient_id=None,  # type: ignore[arg-type]
        clinician_id=None,  # type: ignore[arg-type]
        site_id=None,  # type: ignore[arg-type]
        starts_at=datetime.now(UTC),
        minutes=30,
        appointment_type="new",
        mechanism="video",
    )
    # Nothing can seal one or compute a digest for it.
    with pytest.raises(ValueError, match="never signed"):
        seal(APPOINTMENT, row, session=None, signer=None, attestation=None)
    with pytest.raises(ValueError, match="never signed"):
        digest(APPOINTMENT, row)
    assert row.status is None or row.status == "booked"


def test_letters_and_figures_walk_every_record_type_with_appointments_stored(
    clinic: Clinic,
) -> None:
    clinic.book()
    with clinic.services.context.store.sessions() as session:
        assert sections_for(session, clinic.harriet) == []
        now = datetime.now(UTC)
        figures = figures_for(session, now - timedelta(days=1), now + timedelta(days=1))
    assert "assessment.signed" in figures


def test_the_shipped_rule_is_cited_and_checked() -> None:
    raw = _raw()
    assert raw["derivation"]
    assert raw["source"]
    assert raw["what_the_sources_say"]
    assert "Data Dictionary" in raw["source"]
    rule = parse_dna_rule(raw)
    assert rule == shipped_dna_rule()
    for key, bad in (
        ("derivation", ""),
        ("offer_discharge_after", 0),
        ("offer_discharge_after", "2"),
        ("consecutive", "yes"),
        ("surprise", 1),
    ):
        broken = copy.deepcopy(raw)
        broken[key] = bad
        with pytest.raises(ClinicError) as refused:
            parse_dna_rule(broken)
        assert refused.value.code == "content.invalid"


def test_a_service_setting_keeps_only_what_differs_from_the_default() -> None:
    assert changed_dna_rule({}, "offer_discharge_after", 3) == {"offer_discharge_after": 3}
    assert changed_dna_rule({"offer_discharge_after": 3}, "offer_discharge_after", 2) == {}
    with pytest.raises(ValidationError) as refused:
        changed_dna_rule({}, "consecutive", "sometimes")
    assert (refused.value.code, refused.value.field) == ("appointment.dna_rule_flag", "consecutive")
    with pytest.raises(KeyError):
        changed_dna_rule({}, "wait_for", 2)
    assert dna_rule_with({"offer_discharge_after": 4}).offer_discharge_after == 4


def test_the_rule_counts_as_it_says() -> None:
    dna = PastContact("did_not_attend", "follow_up")
    seen = PastContact("attended", "follow_up")
    new_dna = PastContact("did_not_attend", "new")
    two = DnaRule(2, consecutive=True, first_new_patient_dna_counts=True)
    assert evaluate_dna(two, [], "follow_up").discharge_offered is False
    assert evaluate_dna(two, [dna], "follow_up").discharge_offered is True
    assert evaluate_dna(two, [dna, seen], "follow_up").discharge_offered is False
    apart = DnaRule(2, consecutive=False, first_new_patient_dna_counts=True)
    assert evaluate_dna(apart, [dna, seen], "follow_up").discharge_offered is True
    no_new = DnaRule(2, consecutive=True, first_new_patient_dna_counts=False)
    assert evaluate_dna(no_new, [new_dna], "follow_up").discharge_offered is False
    assert evaluate_dna(no_new, [dna], "new").discharge_offered is False
    assert evaluate_dna(no_new, [dna], "follow_up").earlier == 1


def test_times_slots_and_clash_ids() -> None:
    from datetime import date

    at = datetime(2027, 3, 9, 10, 0, tzinfo=UTC)
    assert overlaps(at, 30, at + timedelta(minutes=29), 10)
    assert not overlaps(at, 30, at + timedelta(minutes=30), 10)
    assert not overlaps(at + timedelta(minutes=30), 10, at, 30)
    # Summer time: 09:00 in London on 1 July is 08:00 UTC; in winter it is 09:00 UTC.
    summer = session_slots(date(2027, 7, 1), "09:00", "10:15", 30)
    assert [(s.hour, s.minute) for s, _ in summer] == [(8, 0), (8, 30)]
    winter = session_slots(date(2027, 1, 7), "09:00", "10:00", 30)
    assert [(s.hour, s.minute) for s, _ in winter] == [(9, 0), (9, 30)]
    a, b = uuid.uuid4(), uuid.uuid4()
    assert clash_id(a, b) == clash_id(b, a) != clash_id(a, a)
