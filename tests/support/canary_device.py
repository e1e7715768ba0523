"""A laptop as its own process, logging as the app does, for the no-patient-data-in-logs test.

Run as ``python -m tests.support.canary_device SERVER_URL DB_URL FOLDER``: it configures
logging as ``onestop`` does, turns SQLAlchemy's engine logger up to INFO (as a developer
might), syncs two laptops that registered canary patients (the same NHS number on both, the
everyday duplicate), and then forces errors whose text carries the canaries: a unique clash
in the store, an error logged with its traceback, and uncaught errors on a thread and on the
main thread. It prints how many error paths it reached on standard output.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import keyring
from sqlalchemy import insert, select

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.logs import configure_logging
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput
from tests.support.memory_keyring import MemoryKeyring
from tests.support.sync_server import server_command

CANARIES = {
    "given": "Quillonia",
    "family": "Zebrowskaya",
    "nhs": "9990012318",
    "address": "17 Canaryfield Lane",
    "phone": "07700 900461",
}
log = logging.getLogger("onestop.canary")


def _laptop(server_url: str, db_url: str, path: Path, name: str) -> Services:
    services = create_clinic(path)
    services.sync.enrol(SYSTEM, server_url, name)
    subprocess.run(
        server_command("device", "approve", str(services.context.device_id), "--db", db_url),
        check=True,
        capture_output=True,
    )
    return services


def _register(services: Services, family: str) -> None:
    services.patients.register(
        SYSTEM,
        PatientInput(
            given_name=CANARIES["given"],
            family_name=family,
            date_of_birth="1961-07-23",
            sex="2",
            nhs_number=CANARIES["nhs"],
        ),
    )


def main(server_url: str, db_url: str, folder: Path) -> int:
    keyring.set_keyring(MemoryKeyring())
    configure_logging(logging.INFO)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    reached = 0
    a = _laptop(server_url, db_url, folder / "a.db", "a")
    b = _laptop(server_url, db_url, folder / "b.db", "b")
    try:
        _register(a, CANARIES["family"])
        _register(b, CANARIES["family"] + "-Smith")
        for laptop in (a, b, a, b):
            try:
                laptop.sync.sync_now()
            except Exception:
                reached += 1
                log.exception("sync failed")
        with a.context.store.engine.begin() as conn:
            row = conn.execute(select(Patient.__table__)).mappings().first()
        assert row is not None
        try:
            with a.context.store.engine.begin() as conn:
                conn.execute(insert(Patient.__table__).values(**dict(row)))
        except Exception as error:
            reached += 1
            log.exception("store write failed")
            log.error("store write failed: %s", error)
            log.warning("details %r", error)

        def fail_on_a_thread() -> None:
            raise RuntimeError(f"{CANARIES['address']} {CANARIES['phone']} {CANARIES['nhs']}")

        thread = threading.Thread(target=fail_on_a_thread, name="canary")
        thread.start()
        thread.join()
        reached += 1
    finally:
        a.close()
        b.close()
    print(f"REACHED {reached}", flush=True)
    raise ValueError(f"uncaught: {CANARIES['family']} {CANARIES['nhs']} {CANARIES['address']}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
