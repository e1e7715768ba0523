"""A child process that keeps registering patients, as the app would, until told to stop.

Run as ``python -m tests.support.live_writer`` from the project root. It reads its order,
one JSON object on stdin::

    {"store": "<path>", "key": "<64 hex digits>", "audit_key": "<64 hex digits>",
     "username": "...", "password": "...",
     "start": <position in the synthetic NHS number sequence>, "limit": <at most this many>,
     "stop": "<path of a file whose appearance means: finish the current write and stop>",
     "pause": <seconds to wait between registrations>}

It opens the store through the app's own code (``bootstrap.open_clinic``, the key placed in
an in-memory keychain because the parent's keychain cannot be shared), signs in, and
registers patients one after another through ``patients.register``, with a short pause
between them (a busy clinic app, not a tight loop that never lets go of the write lock).
On stdout, one line each, written straight to the pipe:

    ready          signed in
    ack <nhs>      ``patients.register`` returned for this NHS number
    done <count>   stopped cleanly after this many registrations, store closed
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import keyring

from clinic_app.bootstrap import open_clinic
from clinic_app.kernel.security import keychain
from clinic_app.kernel.vocabulary import AlertKind
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.views import PatientInput
from tests.support.memory_keyring import MemoryKeyring

_GIVEN = ("Aled", "Bronwen", "Chidi", "Delyth", "Esi", "Farah", "Gwilym", "Harriet")
_FAMILY = ("Ashworth", "Bhatt", "Carradine", "Dobson", "Eze", "Fairbairn", "Gupta")


def _say(line: str) -> None:
    os.write(sys.stdout.fileno(), f"{line}\n".encode("ascii"))


def _patient(index: int, number: str) -> PatientInput:
    alerts: tuple[tuple[AlertKind, str], ...] = ()
    if index % 3 == 0:
        # A second row (and outbox entry) in the same registration.
        alerts = ((AlertKind.ALLERGY, "Allergy: latex (hives)"),)
    return PatientInput(
        given_name=_GIVEN[index % len(_GIVEN)],
        family_name=_FAMILY[index % len(_FAMILY)],
        date_of_birth=f"{1950 + index % 50}-{1 + index % 12:02d}-{1 + index % 28:02d}",
        sex=("1", "2")[index % 2],
        nhs_number=number,
        postcode="LS1 4AP",
        alerts=alerts,
    )


def main() -> None:
    """Register patients until the stop file appears (or ``limit`` is reached)."""
    order = json.loads(sys.stdin.readline())
    path = Path(order["store"])
    stop = Path(order["stop"])
    backend = MemoryKeyring()
    backend.set_password(keychain.SERVICE, keychain.store_key_name(path), order["key"])
    # The audit chain's key, so the child seals entries as the parent verifies them.
    backend.set_password(keychain.SERVICE, keychain.audit_key_name(path), order["audit_key"])
    keyring.set_keyring(backend)

    services = open_clinic(path)
    written = 0
    try:
        actor = services.auth.login(order["username"], order["password"])
        _say("ready")
        for index, number in enumerate(synthetic_numbers(order["limit"], start=order["start"])):
            if stop.exists():
                break
            services.patients.register(actor, _patient(index, number))
            written += 1
            _say(f"ack {number}")
            time.sleep(order["pause"])
    finally:
        services.close()
    _say(f"done {written}")


if __name__ == "__main__":
    main()
