"""A service of two sites on a real server: Ann works at Northgate, Ben at Southfield.

Used by the tests of scoped sync and of hostile pushes between the two sites' laptops.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clinic_app.bootstrap import create_clinic
from clinic_app.people.views import PatientInput
from tests.support.sync_server import Device, SyncServer, enrolled_device, sign_in

PASSWORD = "correct horse battery"


@contextmanager
def two_site_server(postgres_url: str, log: Path) -> Iterator[SyncServer]:
    """The service's own default scope rules, apart from triage being done from every clinic."""
    with SyncServer(postgres_url, log, scope=None) as running:
        running.set_scope({"awaiting_triage": False})
        north = running.add_site("Northgate Health Centre")
        south = running.add_site("Southfield Clinic")
        running.add_user("ann", "Ann North", "clinician", PASSWORD)
        running.add_user("ben", "Ben South", "clinician", PASSWORD)
        running.set_user_site("ann", north)
        running.set_user_site("ben", south)
        yield running


def site_laptop(server: SyncServer, folder: Path, name: str, user: str) -> Iterator[Device]:
    """An enrolled laptop with ``user`` signed in online (a fixture's body: ``yield from``)."""
    services = create_clinic(folder / f"{name}.db")
    device = enrolled_device(server, services, name)
    sign_in(device, user, PASSWORD)
    yield device
    device.transport.close()
    services.close()


def register(device: Device, nhs_number: str, family: str, phone: str = "") -> uuid.UUID:
    """A patient registered on the laptop by its signed-in user."""
    return device.services.patients.register(
        device.actor,
        PatientInput(
            given_name="Ada",
            family_name=family,
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs_number,
            postcode="LS1 4AP",
            phone=phone,
        ),
    ).id
