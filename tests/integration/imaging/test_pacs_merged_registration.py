"""A study made under a registration since merged into another record, in a real Orthanc.

A patient was registered at one clinic (NHS number 999 000 0018, as Lovelace) and scanned
there; a trainee reported the scan and their supervisor verified it. She was registered again
at another clinic under her married name, Whitfield, with the number that clinic holds for her
(999 000 0026), and a person merged the first registration into that record.

- Sent to the PACS only after the merge, every object of the study (the image, the report's
  SR and its key-image note) is filed under the surviving record's name and NHS number.
- Sent before the merge, the PACS holds the study under the first registration: an addendum
  signed after the merge joins it there, under the same name and number, so the study is
  never split between two patients in the PACS (merging them there is the PACS team's work).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np
import pytest
from sqlalchemy import insert, select

from clinic_app.container import Services
from clinic_app.domains.reports.views import ReportView
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
FIRST_NUMBER = "9990000018"
SURVIVOR_NUMBER = "9990000026"


@dataclass(frozen=True)
class Scanned:
    """The first registration, its study, and the report a supervisor waits to verify."""

    supervisor: CurrentUser
    first: uuid.UUID
    study: uuid.UUID
    report: ReportView


def _scanned_and_reported(services: Services, orthanc: Orthanc) -> Scanned:
    for name, role, boss in (("sam", Role.SUPERVISOR, None), ("tia", Role.TRAINEE, "sam")):
        services.users.add(
            SYSTEM,
            username=name,
            display_name=f"{name.title()} Smith",
            role=role,
            password=PASSWORD,
            supervisor=boss,
        )
    supervisor = services.auth.login("sam", PASSWORD)
    trainee = services.auth.login("tia", PASSWORD)
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
            nhs_number=FIRST_NUMBER,
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
    report = services.reports.submit(trainee, report.id)
    assert services.pacs.send_due() == []  # nothing is queued while it waits for review
    return Scanned(supervisor, first, image.study_id, report)


def _merged_into_her_second_registration(services: Services, first: uuid.UUID) -> uuid.UUID:
    """Her registration at the other clinic (as a pull stores it), the first merged into it."""
    table = Patient.__table__
    with services.context.store.engine.begin() as conn:
        row = dict(conn.execute(select(table).where(table.c.id == first)).mappings().one())
        survivor = uuid.uuid4()
        conn.execute(
            insert(table),
            {
                **row,
                "id": survivor,
                "nhs_number": SURVIVOR_NUMBER,
                "family_name": "Whitfield",
                "family_key": search_key("Whitfield"),
            },
        )
    merged_by_sync(services, survivor=survivor, merged=first)
    return survivor


def _filed(orthanc: Orthanc) -> list[tuple[str, str, str]]:
    """(modality, Patient ID, Patient's Name) of every object the PACS holds."""
    filed = []
    for instance in orthanc.get("/instances"):  # type: ignore[union-attr]
        tags = orthanc.get(f"/instances/{instance}/simplified-tags")
        filed.append((tags["Modality"], tags["PatientID"], tags["PatientName"]))  # type: ignore[index]
    return sorted(filed)


def test_a_study_first_sent_after_the_merge_is_filed_under_the_surviving_record(
    services: Services, orthanc: Orthanc
) -> None:
    scanned = _scanned_and_reported(services, orthanc)
    # While the report waited, the first registration was merged into the other ...
    survivor = _merged_into_her_second_registration(services, scanned.first)
    (study,) = services.imaging.studies(scanned.supervisor, survivor)
    assert (study.id, study.patient_id) == (scanned.study, scanned.first)
    # ... and the supervisor verifies it from there: the study leaves under that record.
    services.reports.verify(
        scanned.supervisor,
        scanned.report.id,
        PASSWORD,
        supervision_mode="present",
        agreement="agree",
    )
    (outcome,) = services.pacs.send_due()
    assert outcome.archived, outcome
    assert (outcome.confirmed, outcome.images) == (3, 3)  # the image, the SR and the KOS
    assert _filed(orthanc) == [
        (modality, SURVIVOR_NUMBER, "WHITFIELD^Ada") for modality in ("KO", "SR", "US")
    ]
    assert len(orthanc.get("/patients")) == 1  # type: ignore[arg-type]


def test_a_study_the_pacs_held_before_the_merge_stays_one_patients_there(
    services: Services, orthanc: Orthanc
) -> None:
    scanned = _scanned_and_reported(services, orthanc)
    services.reports.verify(
        scanned.supervisor,
        scanned.report.id,
        PASSWORD,
        supervision_mode="present",
        agreement="agree",
    )
    (outcome,) = services.pacs.send_due()
    assert outcome.archived, outcome
    survivor = _merged_into_her_second_registration(services, scanned.first)
    (study,) = services.imaging.studies(scanned.supervisor, survivor)
    assert study.pacs_patient_id == scanned.first

    # An addendum signed from the surviving record goes with the study, as the PACS holds it.
    addendum = services.reports.addendum(
        scanned.supervisor, scanned.report.id, "Compared with the earlier scan: unchanged."
    )
    services.reports.sign(scanned.supervisor, addendum.id, PASSWORD)
    (outcome,) = services.pacs.send_due()
    assert outcome.archived, outcome
    filed = _filed(orthanc)
    assert sorted(modality for modality, _number, _name in filed) == [
        "KO", "KO", "SR", "SR", "US"
    ]  # fmt: skip
    assert {(number, name) for _modality, number, name in filed} == {(FIRST_NUMBER, "LOVELACE^Ada")}
    assert len(orthanc.get("/patients")) == 1  # type: ignore[arg-type]
    assert len(orthanc.get("/studies")) == 1  # type: ignore[arg-type]
