"""Registering and finding patients, and signing in: the services as a user meets them."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import AuthenticationFailed, Conflict, FormErrors, NotFound
from clinic_app.kernel.local import LoginThrottle
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import AlertKind, Role
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput

TODAY = date(2025, 6, 1)
PASSWORD = "correct horse battery"


def _mod11_ok(number: str) -> bool:
    """The NHS number check, written out here so the fixtures do not lean on the core."""
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return check != 10 and int(number[9]) == (0 if check == 11 else check)


VALID = ["9990000018", "9990000026", "9990000034", "9990000042", "9990000050", "9990000069"]
VALID += ["9990000077", "9990000085", "9990000093", "9990000107"]
assert all(_mod11_ok(n) for n in VALID)


def _input(**changes: Any) -> PatientInput:
    values: dict[str, Any] = {
        "given_name": "Gwendolen",
        "family_name": "Featherstonehaugh",
        "date_of_birth": "1966-09-14",
        "sex": "2",
    }
    values.update(changes)
    return PatientInput(**values)


def _counts(services: Services) -> tuple[int, int, int]:
    with services.context.store.sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Patient, OutboxEntry, AuditEntry)
        )


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One store for the registration tests, with the clock fixed; each test counts rows."""
    services = create_clinic(Path(tmp_path_factory.mktemp("register")) / "clinic.db")
    services.context.today = lambda: TODAY
    yield services
    services.close()


# ---------------------------------------------------------------- registration


def test_every_bad_field_is_reported_at_once(clinic: Services) -> None:
    before = _counts(clinic)
    bad = _input(
        nhs_number="999 000 0019",  # wrong check digit
        family_name="   ",
        date_of_birth="2025-06-02",  # tomorrow
        sex="7",
        postcode="LS99 ZZZ9",
        email="someone@nowhere",
        interpreter_needed=True,
        interpreter_language="",
    )
    with pytest.raises(FormErrors) as caught:
        clinic.patients.register(SYSTEM, bad)
    found = {(e.field, e.code) for e in caught.value.errors}
    assert found == {
        ("nhs_number", "nhs_number.check_digit"),
        ("family_name", "name.empty"),
        ("date_of_birth", "date_of_birth.future"),
        ("sex", "code.unknown"),
        ("postcode", "postcode.invalid"),
        ("email", "email.invalid"),
        ("interpreter_language", "code.required"),
    }
    assert len(caught.value.errors) == len(found)
    assert caught.value.params == {"count": len(found)}
    assert _counts(clinic) == before


REMAINDER_10 = "9990000140"  # the first nine digits give remainder 10: never issued
assert not _mod11_ok(REMAINDER_10)


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"nhs_number": "9990000019"}, "nhs_number", "nhs_number.check_digit"),
        ({"nhs_number": REMAINDER_10}, "nhs_number", "nhs_number.unusable_check"),
        ({"nhs_number": "999000001"}, "nhs_number", "nhs_number.length"),
        ({"nhs_number": "99900000181"}, "nhs_number", "nhs_number.length"),
        ({"nhs_number": "999000001O"}, "nhs_number", "nhs_number.not_digits"),
        ({"nhs_number": "9999999999"}, "nhs_number", "nhs_number.repeated_digit"),
        ({"given_name": ""}, "given_name", "name.empty"),
        ({"given_name": "R2D2"}, "given_name", "name.characters"),
        ({"family_name": ""}, "family_name", "name.empty"),
        ({"date_of_birth": ""}, "date_of_birth", "date.required"),
        ({"date_of_birth": "31/02/1975"}, "date_of_birth", "date.invalid"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth", "date_of_birth.future"),
        ({"date_of_birth": "01/01/1890"}, "date_of_birth", "date_of_birth.too_old"),
        ({"sex": ""}, "sex", "code.required"),
        ({"sex": "M"}, "sex", "code.unknown"),
        ({"ethnicity": "Q"}, "ethnicity", "code.unknown"),
        ({"postcode": "12345"}, "postcode", "postcode.invalid"),
        ({"email": "a@b"}, "email", "email.invalid"),
        ({"phone": "call me"}, "phone", "phone.invalid"),
        ({"interpreter_needed": True}, "interpreter_language", "code.required"),
        (
            {"interpreter_needed": True, "interpreter_language": "xx"},
            "interpreter_language",
            "code.unknown",
        ),
        ({"preferred_contact_method": "email"}, "email", "email.required_for_contact"),
        ({"gp_practice_id": "not-a-uuid"}, "gp_practice_id", "gp_practice.unknown"),
    ],
)
def test_one_bad_field(clinic: Services, changes: dict[str, Any], field: str, code: str) -> None:
    before = _counts(clinic)
    with pytest.raises(FormErrors) as caught:
        clinic.patients.register(SYSTEM, _input(**changes))
    assert [(e.field, e.code) for e in caught.value.errors] == [(field, code)]
    assert _counts(clinic) == before


def test_unknown_practice_writes_nothing(clinic: Services) -> None:
    before = _counts(clinic)
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the code is checked below
        clinic.patients.register(SYSTEM, _input(gp_practice_id=str(uuid.uuid4())))
    assert getattr(caught.value, "code", None) == "gp_practice.unknown"
    assert _counts(clinic) == before


def test_valid_input_is_stored_tidied(clinic: Services) -> None:
    record = clinic.patients.register(
        SYSTEM,
        _input(
            nhs_number=" 999 000 0085 ",
            given_name="  Mary   Anne ",
            postcode="ls6 2ab",
            date_of_birth="14/09/1966",
            interpreter_needed=True,
            interpreter_language="pl",
            alerts=((AlertKind.ALLERGY, " Penicillin "),),
        ),
    )
    assert record.nhs_number == "9990000085"
    assert record.given_name == "Mary Anne"
    assert record.postcode == "LS6 2AB"
    assert record.date_of_birth == date(1966, 9, 14)
    assert record.age == 58
    assert record.interpreter_language == "pl"
    assert [(a.kind, a.text) for a in record.alerts] == [(AlertKind.ALLERGY, "Penicillin")]
    assert clinic.patients.open(SYSTEM, record.id) == record


def test_duplicate_nhs_number_is_a_conflict(clinic: Services) -> None:
    clinic.patients.register(SYSTEM, _input(nhs_number="9990000093"))
    before = _counts(clinic)
    with pytest.raises(Conflict) as caught:
        clinic.patients.register(
            SYSTEM, _input(nhs_number="999-000-0093", given_name="Other", family_name="Person")
        )
    assert caught.value.code == "patient.duplicate_nhs_number"
    assert caught.value.params == {"field": "nhs_number"}
    assert _counts(clinic) == before


def test_patients_without_nhs_number_are_not_duplicates(clinic: Services) -> None:
    first = clinic.patients.register(SYSTEM, _input())
    second = clinic.patients.register(SYSTEM, _input())
    assert first.id != second.id
    assert first.nhs_number is None


# ---------------------------------------------------------------- search


@dataclass
class Register:
    services: Services
    ids: dict[str, uuid.UUID]


PEOPLE: dict[str, dict[str, Any]] = {
    "obrien": {"given_name": "Siobhan", "family_name": "O'Brien", "nhs_number": VALID[0]},
    "zoe": {"given_name": "Zoë", "family_name": "Fairbrother", "nhs_number": VALID[1]},
    "muller": {"given_name": "Jürgen", "family_name": "Müller", "nhs_number": VALID[2]},
    "smith_john": {"given_name": "John", "family_name": "Smith", "nhs_number": VALID[3]},
    "smith_alice": {"given_name": "Alice", "family_name": "Smith", "nhs_number": VALID[4]},
    "smithson": {"given_name": "Bob", "family_name": "Smithson", "nhs_number": VALID[5]},
    "smithers_given": {"given_name": "Smithers", "family_name": "Abbott"},
    "tombs": {"given_name": "Tess", "family_name": "Tombs", "nhs_number": VALID[6]},
    "desouza": {"given_name": "Maria", "family_name": "De Souza"},
}
BORN = {"obrien": "12/03/1975", "tombs": "1975-03-12", "desouza": "1990-05-05"}


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    services = create_clinic(Path(tmp_path_factory.mktemp("search")) / "clinic.db")
    try:
        ids = {}
        for key, person in PEOPLE.items():
            data = _input(date_of_birth=BORN.get(key, "1980-01-01"), sex="9", **person)
            ids[key] = services.patients.register(SYSTEM, data).id
        with services.context.store.sessions.begin() as session:
            session.actor = Actor(device_id=services.context.device_id)
            tombstoned = session.get(Patient, ids["tombs"])
            assert tombstoned is not None
            tombstoned.tombstone()
        yield Register(services, ids)
    finally:
        services.close()


def _found(register: Register, query: str, limit: int = 50) -> list[str]:
    names = {v: k for k, v in register.ids.items()}
    return [names[p.id] for p in register.services.patients.search(SYSTEM, query, limit=limit)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("o'brien", ["obrien"]),
        ("obrien", ["obrien"]),
        ("OBRIEN", ["obrien"]),
        ("O\u2019Brien", ["obrien"]),  # typographic apostrophe
        ("o'b", ["obrien"]),
        ("zoe", ["zoe"]),
        ("ZOË", ["zoe"]),
        ("Zoe\u0308", ["zoe"]),  # the same letter typed decomposed
        ("muller", ["muller"]),
        ("fairb", ["zoe"]),
        ("siobhan o'brien", ["obrien"]),
        ("o'brien, siobhan", ["obrien"]),
        ("obrien siobhan", ["obrien"]),
        ("sio obr", ["obrien"]),
        ("zoe fairbrother", ["zoe"]),
        ("fairbrother, zoe", ["zoe"]),
        ("john smith", ["smith_john"]),
        ("smith, john", ["smith_john"]),
        ("alice smithson", []),
        ("nobody", []),
    ],
)
def test_search_by_name(register: Register, query: str, expected: list[str]) -> None:
    assert _found(register, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("desouza", ["desouza"]),
        # The surname typed as it is written, or with a space for the apostrophe.
        ("De Souza", ["desouza"]),
        ("de souza", ["desouza"]),
        ("maria de souza", ["desouza"]),
        ("de souza, maria", ["desouza"]),
        ("o brien", ["obrien"]),
        ("siobhan o brien", ["obrien"]),
    ],
)
def test_family_names_of_more_than_one_word(
    register: Register, query: str, expected: list[str]
) -> None:
    # A surname nobody can find by typing it leads to a second record for the same person.
    assert _found(register, query) == expected


# A number prefix lists in NHS number order (the unique index), not name order.
IN_NUMBER_ORDER = ["obrien", "zoe", "muller", "smith_john", "smith_alice", "smithson"]


def test_one_word_matches_either_name(register: Register) -> None:
    found = _found(register, "smith")
    assert sorted(found) == ["smith_alice", "smith_john", "smithers_given", "smithson"]
    # Among family-name matches: family name, then given name.
    assert [k for k in found if k != "smithers_given"] == ["smith_alice", "smith_john", "smithson"]


def test_same_birthday_is_listed_by_family_then_given_name(register: Register) -> None:
    assert _found(register, "01/01/1980") == [
        "smithers_given",  # Abbott
        "zoe",  # Fairbrother
        "muller",
        "smith_alice",
        "smith_john",
        "smithson",
    ]


@pytest.mark.parametrize("query", ["smith", "999", "01/01/1980"])
def test_limit_keeps_the_first_results(register: Register, query: str) -> None:
    everything = _found(register, query)
    assert len(everything) >= 4
    for limit in range(1, len(everything) + 1):
        assert _found(register, query, limit=limit) == everything[:limit]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (VALID[0], ["obrien"]),
        ("999 000 0018", ["obrien"]),
        ("999-000-0018", ["obrien"]),
        (" 999 000 0018 ", ["obrien"]),
        ("999000001", ["obrien"]),
        ("999 000 00", IN_NUMBER_ORDER),
        ("999", IN_NUMBER_ORDER),
        ("998", []),
        ("99", []),  # too short to be read as an NHS number
    ],
)
def test_search_by_nhs_number(register: Register, query: str, expected: list[str]) -> None:
    assert _found(register, query) == expected


@pytest.mark.parametrize("query", ["12/03/1975", "1975-03-12", "12-03-1975", "12.3.1975"])
def test_search_by_date_of_birth(register: Register, query: str) -> None:
    # Tombs was born the same day but is tombstoned.
    assert _found(register, query) == ["obrien"]


@pytest.mark.parametrize("query", ["tombs", "tess", "tess tombs", VALID[6], "999 000 0077"])
def test_tombstoned_patient_is_never_found(register: Register, query: str) -> None:
    assert _found(register, query) == []


def test_tombstoned_patient_cannot_be_opened(register: Register) -> None:
    with pytest.raises(NotFound):
        register.services.patients.open(SYSTEM, register.ids["tombs"])


@pytest.mark.parametrize("query", ["", "   ", ",", "'"])
def test_empty_query_finds_nothing(register: Register, query: str) -> None:
    assert _found(register, query) == []


def test_search_result_carries_what_the_list_shows(register: Register) -> None:
    (row,) = register.services.patients.search(SYSTEM, "obrien")
    assert row.nhs_number == VALID[0]
    assert (row.family_name, row.given_name) == ("O'Brien", "Siobhan")
    assert row.date_of_birth == date(1975, 3, 12)
    assert row.alert_count == 0


# ---------------------------------------------------------------- signing in


def _add(services: Services, username: str = "physio") -> None:
    services.users.add(
        SYSTEM, username=username, display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )


def _login_error(services: Services, username: str, password: str) -> AuthenticationFailed:
    with pytest.raises(AuthenticationFailed) as caught:
        services.auth.login(username, password)
    return caught.value


def test_wrong_password_and_unknown_user_look_the_same(services: Services) -> None:
    _add(services)
    wrong = _login_error(services, "physio", "not the password")
    unknown = _login_error(services, "nobody", PASSWORD)
    assert (type(wrong), wrong.code, wrong.params) == (AuthenticationFailed, "auth.failed", {})
    assert (type(unknown), unknown.code, unknown.params) == (type(wrong), wrong.code, wrong.params)


def test_user_name_is_not_case_sensitive(services: Services) -> None:
    _add(services)
    assert services.auth.login("  PHYSIO ", PASSWORD).username == "physio"


def _lock_row(services: Services, username: str) -> LoginThrottle | None:
    with services.context.store.sessions() as session:
        return session.get(LoginThrottle, username)


def test_five_failures_lock_the_account_for_the_configured_time(services: Services) -> None:
    services.context.config.login_lockout_seconds = 120
    _add(services)
    for _ in range(4):
        assert _login_error(services, "physio", "wrong one").code == "auth.failed"
    assert services.auth.login("physio", PASSWORD).username == "physio"  # 4 is not enough
    for _ in range(5):
        assert _login_error(services, "physio", "wrong one").code == "auth.failed"
    locked_at = utcnow()

    # Now even the right password is refused, and the wait is what the service lead set.
    refused = _login_error(services, "Physio", PASSWORD)
    assert refused.code == "auth.locked_out"
    assert 115 <= refused.params["seconds"] <= 121
    row = _lock_row(services, "physio")
    assert row is not None
    assert row.locked_until is not None
    assert abs(row.locked_until - (locked_at + timedelta(seconds=120))) < timedelta(seconds=5)

    # Time passes (moved on in the store rather than waited for).
    with services.context.store.sessions.begin() as session:
        throttle = session.get(LoginThrottle, "physio")
        assert throttle is not None
        throttle.locked_until = utcnow() - timedelta(seconds=1)
    assert services.auth.login("physio", PASSWORD).username == "physio"
    assert _lock_row(services, "physio") is None


def test_lockout_length_follows_the_config(services: Services) -> None:
    services.context.config.max_failed_logins = 2
    services.context.config.login_lockout_seconds = 30
    _add(services)
    for _ in range(2):
        _login_error(services, "physio", "wrong one")
    refused = _login_error(services, "physio", PASSWORD)
    assert refused.code == "auth.locked_out"
    assert 25 <= refused.params["seconds"] <= 31


def test_success_clears_the_failure_count(services: Services) -> None:
    services.context.config.max_failed_logins = 3
    _add(services)
    for _ in range(2):
        _login_error(services, "physio", "wrong one")
    services.auth.login("physio", PASSWORD)
    assert _lock_row(services, "physio") is None
    for _ in range(2):
        assert _login_error(services, "physio", "wrong one").code == "auth.failed"
    # Had the first two been kept, this would be the fourth failure and a lock-out.
    assert services.auth.login("physio", PASSWORD).username == "physio"


def test_unknown_user_names_are_locked_out_alike(services: Services) -> None:
    # Otherwise a lock-out would tell a guesser which user names exist.
    services.context.config.max_failed_logins = 3
    for _ in range(3):
        assert _login_error(services, "nobody", "guess").code == "auth.failed"
    assert _login_error(services, "nobody", "guess").code == "auth.locked_out"


def test_passwords_are_stored_as_scrypt_hashes(services: Services) -> None:
    _add(services, "physio")
    _add(services, "sono")
    with services.context.store.engine.begin() as conn:
        stored = dict(conn.execute(text("SELECT username, password_hash FROM app_user")).all())
    assert set(stored) == {"physio", "sono"}
    assert stored["physio"] != stored["sono"]  # salted: same password, different hashes
    for value in stored.values():
        scheme, log2_n, r, p, salt_b64, digest_b64 = value.split("$")
        assert (scheme, r, p) == ("scrypt", "8", "1")
        assert int(log2_n) >= 15
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        assert len(salt) >= 16
        expected = hashlib.scrypt(
            PASSWORD.encode(), salt=salt, n=2 ** int(log2_n), r=8, p=1, maxmem=2**26, dklen=32
        )
        assert digest == expected
        assert PASSWORD not in value


def test_password_appears_nowhere_in_the_store(services: Services) -> None:
    _add(services)
    services.auth.login("physio", PASSWORD)
    _login_error(services, "physio", "a wrong guess")
    with services.context.store.engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        ]
        dump = [
            str(value)
            for table in tables
            for row in conn.execute(text(f'SELECT * FROM "{table}"'))
            for value in row
        ]
    assert len(tables) >= 10
    assert not [v for v in dump if PASSWORD in v or "a wrong guess" in v]
