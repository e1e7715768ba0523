"""The server refuses patients, referrals and episodes that the device would never write.

A tampered device could register a patient with a made-up NHS number, a date of birth to
come, codes of no list or no name; take in a referral from nowhere, received next month; or
open an episode on no pathway that ends before it began. The server runs the device's own
rules on what each change brings and refuses such a row (``sync.bad_value``), while what the
device's services really write, and a person registered twice from two laptops, still arrive.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.care import EpisodeChange, EpisodeOfCare, Referral
from clinic_app.people.handlers import patient_refusal
from clinic_app.people.model import Patient, PatientDuplicate
from clinic_app.people.views import PatientInput, ReferralInput
from clinic_app.server.authorise import Acting
from clinic_app.sync.protocol import Change, Status
from tests.support.server_push import (
    NOW,
    PushServer,
    example_patient,
    insert,
    push_server,
    update,
)

APPLIED = [(Status.APPLIED, None)]
BAD = [(Status.REJECTED, "sync.bad_value")]
TODAY = NOW.date()
PASSWORD = "correct horse battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PushServer]:
    made = push_server(tmp_path, (("clinician", Role.CLINICIAN),))
    yield made
    made.engine.dispose()


@pytest.fixture
def device(services: Services) -> Services:
    """A laptop's store and services."""
    return services


def _row(services: Services, model: type[Any], row_id: uuid.UUID) -> dict[str, Any]:
    """A row as the device holds it, as a device's insert sends it (all but its version)."""
    table = model.__table__
    with services.context.store.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == row_id)).mappings().one()
    return {name: value for name, value in row.items() if name not in ("id", "row_version")}


def _pushed(services: Services, model: type[Any], row_id: uuid.UUID, by: Acting) -> dict[str, Any]:
    """A row as ``by`` pushes it: who closed an episode is the user the push is made as.

    The rows are made on the device by its own physiotherapist; the server's clinician
    pushes them here, as the laptop would push them under the token of whoever made them.
    """
    row = _row(services, model, row_id)
    if "changed_by" in row:
        row["changed_by"] = by.user_id
    return row


def _registered(services: Services, nhs_number: str = "9990000018") -> uuid.UUID:
    return services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs_number,
            ethnicity="A",
        ),
    ).id


def _device_patient(device: Services) -> dict[str, Any]:
    """A patient as the device's own registration keeps them."""
    return _row(device, Patient, _registered(device))


def test_a_patient_the_device_registers_passes_and_is_applied(
    server: PushServer, device: Services
) -> None:
    by = server.acting["clinician"]
    patient = _registered(device)
    row = _row(device, Patient, patient)

    assert patient_refusal(None, row, None) is None
    assert server.push(by, insert("patient", patient, by, **row)) == APPLIED


@pytest.mark.parametrize(
    "values",
    [
        {"nhs_number": "1234567890"},  # no number is issued with these nine digits
        {"nhs_number": "9990000019"},  # the check digit does not follow
        {"nhs_number": "ABCDEFGHIJ"},
        {"nhs_number": "1111111111"},
        {"nhs_number": "999 000 0018"},  # kept as its ten digits
        {"nhs_number": ""},
        {"date_of_birth": TODAY + timedelta(days=5 * 365)},
        {"date_of_birth": date(1800, 1, 1)},
        {"sex": "Q"},
        {"sex": ""},
        {"ethnicity": "ZZ"},
        {"ethnicity": " A"},
        {"given_name": ""},
        {"family_name": "   "},
    ],
)
def test_a_patient_the_device_would_never_register_is_refused(
    device: Services, values: dict[str, Any]
) -> None:
    row = _device_patient(device)

    assert patient_refusal(None, {**row, **values}, None) == "sync.bad_value"


def test_a_new_patient_is_judged_whole_with_what_it_leaves_out_at_its_default(
    device: Services,
) -> None:
    row = _device_patient(device)
    no_number = {name: value for name, value in row.items() if name != "nhs_number"}
    no_name = {name: value for name, value in row.items() if name != "family_name"}

    assert patient_refusal(None, no_number, None) is None
    assert patient_refusal(None, no_name, None) == "sync.bad_value"


def test_a_date_of_birth_is_judged_at_the_row_s_own_time(device: Services) -> None:
    """A laptop checks "not born yet" on its own day; the server asks the same of the row."""
    row = _device_patient(device)
    made = datetime.combine(TODAY - timedelta(days=10), NOW.timetz())
    # Written ten days ago by a laptop in a time zone ahead: born on the next day there.
    born_that_day = {**row, "created_at": made, "date_of_birth": made.date() + timedelta(days=1)}
    # Before the server's today, yet days after the row was written.
    born_later = {**row, "created_at": made, "date_of_birth": made.date() + timedelta(days=3)}
    # A row claiming to be written next year cannot make a birth to come acceptable.
    claims_later = datetime.combine(TODAY + timedelta(days=400), NOW.timetz())
    not_born_yet = {
        **row,
        "created_at": claims_later,
        "date_of_birth": TODAY + timedelta(days=300),
    }

    assert patient_refusal(None, born_that_day, None) is None
    assert patient_refusal(None, born_later, None) == "sync.bad_value"
    assert patient_refusal(None, not_born_yet, None) == "sync.bad_value"


def test_a_change_is_judged_by_the_fields_it_alters(device: Services) -> None:
    """A row kept before the rules still syncs its other fields; a bad new value is refused."""
    legacy = {**_device_patient(device), "sex": "M"}  # a code from before the NHS list

    assert patient_refusal(None, {**legacy, "postcode": "LS2 9JT"}, legacy) is None
    assert patient_refusal(None, {**legacy, "ethnicity": "ZZ"}, legacy) == "sync.bad_value"
    assert patient_refusal(None, {**legacy, "sex": "2"}, legacy) is None
    assert patient_refusal(None, {**legacy, "sex": "Q"}, legacy) == "sync.bad_value"


def test_the_patient_check_asks_no_query_and_costs_microseconds(device: Services) -> None:
    """A first sync pushes every patient: the check runs on the row alone."""
    row = _device_patient(device)
    started = time.perf_counter()
    for _ in range(1000):
        assert patient_refusal(None, row, None) is None
    assert time.perf_counter() - started < 1.0  # about 15 microseconds a row


def test_one_person_registered_on_two_laptops_arrives_twice_as_a_possible_duplicate(
    server: PushServer, device: Services, tmp_path: Path
) -> None:
    by = server.acting["clinician"]
    other = create_clinic(tmp_path / "other-laptop.db")
    try:
        changes = []
        for laptop in (device, other):
            patient = _registered(laptop, "9990000018")
            changes.append(insert("patient", patient, by, **_row(laptop, Patient, patient)))
    finally:
        other.close()

    assert server.push(by, changes[0]) == APPLIED
    assert server.push(by, changes[1]) == APPLIED
    with server.engine.connect() as conn:
        flagged = conn.execute(select(func.count()).select_from(PatientDuplicate.__table__))
        assert flagged.scalar() == 1


# ---------------------------------------------------------------- referrals and episodes


_TABLES = ("patient", "referral", "episode_of_care", "episode_change")
_MODELS = (Patient, Referral, EpisodeOfCare, EpisodeChange)


def _care(device: Services) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]:
    """A patient referred, triaged into physiotherapy and discharged, on the device."""
    device.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    physio = device.auth.login("physio", PASSWORD)
    patient = _registered(device)
    referral = device.referrals.create(
        SYSTEM,
        ReferralInput(
            patient_id=patient,
            source="gp",
            received_on=(TODAY - timedelta(days=3)).isoformat(),
            referrer_name="Dr A Hughes",
            reason="Knee pain for three months",
            specialty="physiotherapy",
        ),
    ).id
    device.triage.triage(
        physio,
        referral,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    with device.context.store.engine.connect() as conn:
        episode = conn.execute(
            select(EpisodeOfCare.id).where(EpisodeOfCare.referral_id == referral)
        ).scalar_one()
    device.episodes.close(physio, episode, "Goals met")
    with device.context.store.engine.connect() as conn:
        change = conn.execute(
            select(EpisodeChange.id).where(EpisodeChange.episode_id == episode)
        ).scalar_one()
    return patient, referral, episode, change


def test_what_the_device_writes_for_a_referral_and_its_episode_is_applied(
    server: PushServer, device: Services
) -> None:
    by = server.acting["clinician"]
    rows = zip(_TABLES, _MODELS, _care(device), strict=True)
    changes = [
        insert(name, row_id, by, **_pushed(device, model, row_id, by))
        for name, model, row_id in rows
    ]

    assert server.push(by, *changes) == APPLIED * 4


@pytest.mark.parametrize(
    ("table", "values"),
    [
        ("referral", {"source": "zzz"}),
        ("referral", {"specialty": "xyz"}),
        ("referral", {"specialty": " physiotherapy"}),
        ("referral", {"received_on": TODAY + timedelta(days=30)}),
        ("referral", {"received_on": date(1999, 12, 31)}),
        ("episode_of_care", {"pathway": "zzz"}),
        ("episode_of_care", {"started_on": TODAY + timedelta(days=30)}),
        ("episode_of_care", {"ended_on": TODAY - timedelta(days=30)}),  # before it began
        ("episode_of_care", {"ended_on": TODAY + timedelta(days=30)}),
        ("episode_change", {"change": "banana"}),
    ],
)
def test_a_referral_or_episode_the_device_would_never_write_is_refused(
    server: PushServer, device: Services, table: str, values: dict[str, Any]
) -> None:
    by = server.acting["clinician"]
    rows = list(zip(_TABLES, _MODELS, _care(device), strict=True))
    upto = _TABLES.index(table)
    before = [
        insert(name, row_id, by, **_pushed(device, model, row_id, by))
        for name, model, row_id in rows[:upto]
    ]
    _name, model, row_id = rows[upto]
    tampered = insert(table, row_id, by, **{**_pushed(device, model, row_id, by), **values})

    assert server.push(by, *before, tampered) == APPLIED * upto + BAD


def test_a_referral_is_judged_at_the_day_it_was_written(server: PushServer) -> None:
    by = server.acting["clinician"]
    patient, registered = example_patient(by)
    written = datetime.combine(TODAY - timedelta(days=20), NOW.timetz())

    def referral(received_on: date) -> Change:
        return insert(
            "referral",
            uuid.uuid4(),
            by,
            patient_id=patient,
            source="gp",
            received_on=received_on,
            referrer_name="Dr A Hughes",
            reason="Back pain",
            specialty="physiotherapy",
            created_at=written,
        )

    assert (
        server.push(
            by, registered, referral(written.date()), referral(written.date() + timedelta(days=5))
        )
        == APPLIED * 2 + BAD
    )


def test_an_episode_closed_later_on_the_device_is_applied_and_a_bad_change_of_it_refused(
    server: PushServer, device: Services
) -> None:
    by = server.acting["clinician"]
    patient, referral, episode, _change = _care(device)
    opened = {**_row(device, EpisodeOfCare, episode), "ended_on": None, "status": "open"}
    assert (
        server.push(
            by,
            insert("patient", patient, by, **_row(device, Patient, patient)),
            insert("referral", referral, by, **_row(device, Referral, referral)),
            insert("episode_of_care", episode, by, **{**opened, "end_reason": None}),
        )
        == APPLIED * 3
    )

    assert (
        server.push(
            by, update("episode_of_care", episode, 1, by, started_on=TODAY + timedelta(days=9))
        )
        == BAD
    )
    assert (
        server.push(
            by,
            update(
                "episode_of_care",
                episode,
                1,
                by,
                status="closed",
                ended_on=TODAY,
                end_reason="Goals met",
            ),
        )
        == APPLIED
    )


@pytest.mark.parametrize(
    "values",
    [
        {"nhs_number": "1234567890"},
        {"date_of_birth": TODAY + timedelta(days=5 * 365)},
        {"sex": "Q"},
    ],
)
def test_a_pushed_patient_the_device_would_never_register_is_refused(
    server: PushServer, device: Services, values: dict[str, Any]
) -> None:
    by = server.acting["clinician"]
    patient = _registered(device)
    tampered = insert("patient", patient, by, **{**_row(device, Patient, patient), **values})

    assert server.push(by, tampered) == BAD
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Patient)).scalar() == 0


def test_an_episode_naming_another_patient_s_referral_is_refused(
    server: PushServer, device: Services
) -> None:
    by = server.acting["clinician"]
    patient, referral, episode, _change = _care(device)
    other = _registered(device, "9990000026")
    pushed = [
        insert("patient", patient, by, **_row(device, Patient, patient)),
        insert("patient", other, by, **_row(device, Patient, other)),
        insert("referral", referral, by, **_row(device, Referral, referral)),
    ]
    assert server.push(by, *pushed) == APPLIED * 3
    crossed = {**_row(device, EpisodeOfCare, episode), "patient_id": other}

    assert server.push(by, insert("episode_of_care", episode, by, **crossed)) == [
        (Status.REJECTED, "sync.wrong_patient")
    ]


def test_a_later_change_never_moves_when_a_patient_was_registered(server: PushServer) -> None:
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    assert server.push(clinician, registered) == APPLIED
    long_ago = NOW - timedelta(days=3650)

    # A tampered laptop backdates the registration with a real change, and on its own.
    assert (
        server.push(
            clinician,
            update("patient", patient, 1, clinician, phone="0113 496 0000", created_at=long_ago),
        )
        == APPLIED
    )
    only_backdated = update("patient", patient, 2, clinician, created_at=long_ago)
    assert server.push(clinician, only_backdated) == [(Status.DUPLICATE, None)]
    with server.engine.connect() as conn:
        stored = conn.execute(
            select(Patient.created_at, Patient.phone).where(Patient.id == patient)
        ).one()
    assert stored.phone == "0113 496 0000"
    assert stored.created_at == NOW


def test_a_patient_or_referral_is_never_removed_by_a_pushed_tombstone(
    server: PushServer,
) -> None:
    # The app never removes a patient or a referral: a laptop that sends one removed is refused.
    by = server.acting["clinician"]
    patient, registered = example_patient(by)
    referral = uuid.uuid4()
    referred = insert(
        "referral",
        referral,
        by,
        patient_id=patient,
        source="gp",
        received_on=TODAY,
        referrer_name="Dr A Hughes",
        reason="Knee pain",
        specialty="physiotherapy",
    )
    assert server.push(by, registered, referred) == APPLIED * 2

    removed = server.push(
        by,
        update("patient", patient, 1, by, deleted=True, deleted_at=NOW),
        update("referral", referral, 1, by, deleted=True, deleted_at=NOW),
    )

    assert removed == [(Status.REJECTED, "sync.not_removable")] * 2
