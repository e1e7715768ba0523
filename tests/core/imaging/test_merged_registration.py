"""Imaging and scan reports under a registration since merged into another record.

The studies, their images and their reports are the surviving record's: listed there (each
naming the registration it was made under), opened there, and an image already held under the
merged registration is the same image when imported again from the survivor. Another
patient's stay refused.
"""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.errors import Conflict
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.views import PatientInput, PatientSummary
from tests.support.merges import merged_by_sync, renamed
from tests.ui.records import second_registration


def _still(demo: Services, patient: uuid.UUID, seed: int) -> tuple[uuid.UUID, uuid.UUID]:
    """A still of the shoulder captured for ``patient``: (its id, its study's id)."""
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    frame = np.random.default_rng(seed).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    image = demo.imaging.capture_still(
        sonographer, patient, frame, body_part="SHOULDER", laterality="R"
    )
    assert image.study_id is not None
    return image.id, image.study_id


def _merged(demo: Services) -> tuple[PatientSummary, uuid.UUID]:
    """A demo patient, and a second registration of her (named Whitfield) merged over her."""
    supervisor = demo.auth.login("supervisor", demo_password("supervisor"))
    (patient,) = [p for p in demo.patients.search(supervisor, "999", limit=60) if p.nhs_number][:1]
    survivor = second_registration(demo, patient)
    renamed(demo, survivor, "Whitfield")
    return patient, survivor


def _someone_else(demo: Services) -> uuid.UUID:
    return demo.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Iris",
            family_name="Lund",
            date_of_birth="1950-01-02",
            sex="2",
            # Far beyond the demo clinic's numbers.
            nhs_number=next(synthetic_numbers(1, start=50_000)),
        ),
    ).id


def test_the_survivor_lists_the_merged_registrations_studies_and_no_one_elses(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, survivor = _merged(demo)
    _image, study = _still(demo, patient.id, 1)
    other = _someone_else(demo)
    _other_image, other_study = _still(demo, other, 2)
    assert demo.imaging.studies(sonographer, survivor) == []  # not merged yet

    merged_by_sync(demo, survivor=survivor, merged=patient.id)

    listed = demo.imaging.studies(sonographer, survivor)
    assert [(s.id, s.patient_id) for s in listed] == [(study, patient.id)]
    # Asked for by the registration merged away, the record is the same one.
    assert [s.id for s in demo.imaging.studies(sonographer, patient.id)] == [study]
    assert [s.id for s in demo.imaging.studies(sonographer, other)] == [other_study]


def test_an_image_held_under_the_merged_registration_is_the_same_image_imported_again(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, survivor = _merged(demo)
    image, _study = _still(demo, patient.id, 3)
    merged_by_sync(demo, survivor=survivor, merged=patient.id)
    data = demo.imaging.image_file(sonographer, image)

    # Imported again into the surviving record, it is the image already held (not refused as
    # another patient's) ...
    again = demo.imaging.import_dicom(sonographer, data, patient_id=survivor)
    assert again.id == image
    # ... and into someone else's record it is refused.
    other = _someone_else(demo)
    with pytest.raises(Conflict):
        demo.imaging.import_dicom(sonographer, data, patient_id=other)


def test_a_report_under_the_merged_registration_opens_from_the_survivor_and_names_them(
    demo: Services,
) -> None:
    trainee = demo.auth.login("trainee", demo_password("trainee"))
    patient, survivor = _merged(demo)
    _image, study = _still(demo, patient.id, 4)
    other = _someone_else(demo)
    merged_by_sync(demo, survivor=survivor, merged=patient.id)

    # Started from the surviving record, the report is of the study's own registration (its
    # SR joins that study in the PACS), and named as the surviving record names her.
    report = demo.reports.start(trainee, study, survivor)
    assert report.patient_id == patient.id
    assert report.patient is not None
    assert report.patient.family_name == "Whitfield"
    assert demo.reports.get(trainee, report.id, survivor).id == report.id
    printable = demo.reports.printable(trainee, report.id)
    assert printable.patient_name.startswith("WHITFIELD,")

    # Never from another patient's record.
    with pytest.raises(Conflict) as refused:
        demo.reports.start(trainee, study, other)
    assert refused.value.code == "report.wrong_patient"
    with pytest.raises(Conflict) as refused:
        demo.reports.get(trainee, report.id, other)
    assert refused.value.code == "report.wrong_patient"
