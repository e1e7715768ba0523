"""A child process for the crash test: registers patients until it is killed.

Run as ``python -m tests.support.crash_writer`` from the project root. It imports what it
needs first and only then reads its order, one JSON object on stdin, so the test can start
it ahead of time without it touching the store::

    {"store": "<path>", "key": "<64 hex digits>", "audit_key": "<64 hex digits>",
     "username": "...", "password": "...",
     "start": <position in the synthetic NHS number sequence>, "count": <how many>}

It opens the store through the same code as the app (``bootstrap.open_clinic``, with the
key placed in an in-memory keychain, because the parent's keychain cannot be shared), signs
in once, then registers patients one after another. It reports on stdout, one line each,
written straight to the pipe (no buffering), so a line the parent reads was written before
the process died:

    ready            signed in; the next line is about the first patient
    begin <nhs>      about to call ``patients.register`` for this NHS number
    ack <nhs>        ``patients.register`` returned: the write was shown as saved

``ack`` is written only after the call has returned, so every acknowledged NHS number is a
write the app would have told its user was saved.
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import keyring

from clinic_app.bootstrap import open_clinic
from clinic_app.kernel.security import keychain
from clinic_app.kernel.vocabulary import AlertKind
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.views import PatientInput
from tests.support.memory_keyring import MemoryKeyring

_GIVEN = ("Ada", "Bilal", "Ceri", "Dorota", "Emeka", "Fiona", "Gareth", "Hana", "Idris", "Jun")
_FAMILY = ("Abbott", "Begum", "Costa", "Dlamini", "Evans", "Fraser", "Gill", "Hughes", "Ito")
_OUTWARD = ("LS6", "BD9", "HX1", "WF1", "YO1", "S10")
_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _say(line: str) -> None:
    # One write(2) per line: a short write to a pipe is atomic, and it does not wait in
    # a Python buffer that a SIGKILL would throw away.
    os.write(sys.stdout.fileno(), f"{line}\n".encode("ascii"))


def _patient(number: str, rng: random.Random) -> PatientInput:
    born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 60 * 365))
    alerts: tuple[tuple[AlertKind, str], ...] = ()
    if rng.random() < 0.25:
        alerts = ((AlertKind.ALLERGY, "Allergy: penicillin (rash)"),)
    return PatientInput(
        given_name=rng.choice(_GIVEN),
        family_name=rng.choice(_FAMILY),
        date_of_birth=born.isoformat(),
        sex=rng.choice(("1", "2", "9")),
        nhs_number=number,
        postcode=f"{rng.choice(_OUTWARD)} {rng.randint(1, 9)}"
        f"{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}",
        phone="01632 960" + f"{rng.randint(0, 999):03d}",
        alerts=alerts,
    )


def main() -> None:
    """Register patients until killed (or until ``count`` are written)."""
    order = json.loads(sys.stdin.read())
    path = Path(order["store"])
    backend = MemoryKeyring()
    backend.set_password(keychain.SERVICE, keychain.store_key_name(path), order["key"])
    # The audit chain's key, so the child seals entries as the parent verifies them.
    backend.set_password(keychain.SERVICE, keychain.audit_key_name(path), order["audit_key"])
    keyring.set_keyring(backend)

    services = open_clinic(path)
    actor = services.auth.login(order["username"], order["password"])
    rng = random.Random(order["start"])
    _say("ready")
    for number in synthetic_numbers(order["count"], start=order["start"]):
        _say(f"begin {number}")
        services.patients.register(actor, _patient(number, rng))
        _say(f"ack {number}")
    services.close()


if __name__ == "__main__":
    main()
