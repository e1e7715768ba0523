"""A study made under a registration since merged into another record reaches a real Orthanc
under the surviving record: its NHS number and name, never the registration merged away.

A patient was registered at one clinic and scanned there; a trainee reported the scan and
their supervisor verified it. The same person was registered again at another clinic under her
married name, and a person merged the first registration into that record. Sent to the PACS
afterwards, every object of the study (the image, the report's SR and its key-image note) must
be filed under the surviving record's name and NHS number, not the name merged away.
"""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from sqlalchemy import insert, select

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.model import Patient
from clinic_app.people.text import search_key
from clinic_app.people.views import PatientInput
from tests.support.merges import merged_by_sync
from tests.support.orthanc import Orthanc

pytestmark = pytest.mark.timeout(240)
PASSWORD = "correct horse battery"
NUMBER = "9990000018"


def _users(services: Services) -> tuple[CurrentUser, CurrentUser]:
    for name, role, boss in (("sam", Role.SUPERVISOR, None), ("tia", Role.TRAINEE, "sam")):
        services.users.add(
            SYSTEM,
            username=name,
            display_name=f"{name.title()} Smith",
            role=role,
            password=PASSWORD,
            supervisor=boss,
        )
    return services.auth.login("sam", PASSWORD), services.auth.login("tia", PASSWORD)


def _registered_again(services: Services, patient: uuid.UUID, family: str) -> uuid.UUID:
    """The same person registered at another clinic under another name, as a pull stores it."""
    table = Patient.__table__
    with services.context.store.engine.begin() as conn:
        row = dict(conn.execute(select(table).where(table.c.id == patient)).mappings().one())
        again = uuid.uuid4()
        conn.execute(
            insert(table),
            {**row, "id": again, "family_name": family, "family_key": search_key(family)},
        )
    return again


def test_a_merged_registrations_study_is_filed_under_the_surviving_record(
    services: Services, orthanc: Orthanc
) -> None:
    supervisor, trainee = _users(services)
    services.dicom_settings.change(
        SYSTEM, pacs_ae_title=orthanc.ae_title, pacs_host="127.0.0.1", pacs_port=orthanc.dicom_port
    )
    first = services.patients.register(
        trainee,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=NUMBER,
        ),
    ).id
    frame = np.random.default_rng(4).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    image = services.imaging.capture_still(
        trainee, first, frame, body_part="SHOULDER", laterality="L"
    )
    assert image.study_id is not None
    report = services.reports.start(trainee, image.study_id, first)
    services.reports.save(
        trainee,
        report.id,
        {"findings": "Subscapularis intact.", "impression": "Normal study.",
         "key_images": [str(image.id)]},
    )  # fmt: skip
    services.reports.submit(trainee, report.id)
    assert services.pacs.send_due() == []  # nothing is queued while it waits for review
    # While it waited, the second registration was merged into the surviving record ...
    survivor = _registered_again(services, first, "Whitfield")
    merged_by_sync(services, survivor=survivor, merged=first)
    (study,) = services.imaging.studies(supervisor, survivor)
    assert (study.id, study.patient_id) == (image.study_id, first)
    # ... and the supervisor verifies it from there: the study leaves under that record.
    services.reports.verify(
        supervisor, report.id, PASSWORD, supervision_mode="present", agreement="agree"
    )
    (outcome,) = services.pacs.send_due()
    assert outcome.archived, outcome
    assert (outcome.confirmed, outcome.images) == (3, 3)  # the image, the SR and the KOS
    filed = {}
    for instance in orthanc.get("/instances"):  # type: ignore[union-attr]
        tags = orthanc.get(f"/instances/{instance}/simplified-tags")
        filed[tags["Modality"]] = (tags["PatientID"], tags["PatientName"])  # type: ignore[index]
    assert filed == {
        "US": (NUMBER, "WHITFIELD^Ada"),
        "SR": (NUMBER, "WHITFIELD^Ada"),
        "KO": (NUMBER, "WHITFIELD^Ada"),
    }
    # One patient in the PACS: nothing under the registration merged away.
    assert len(orthanc.get("/patients")) == 1  # type: ignore[arg-type]
