"""A verified trainee report reaches a real Orthanc as an SR naming trainee and supervisor."""

from __future__ import annotations

import numpy as np
import pytest

from clinic_app.container import Services
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput
from tests.support.orthanc import Orthanc

pytestmark = pytest.mark.timeout(180)
PASSWORD = "correct horse battery"


def test_the_pacs_holds_the_verified_sr_with_author_and_verifier(
    services: Services, orthanc: Orthanc
) -> None:
    for name, role, boss in (
        ("sam", Role.SUPERVISOR, None),
        ("tia", Role.TRAINEE, "sam"),
    ):
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
    patient = services.patients.register(
        trainee,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    frame = np.random.default_rng(2).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    image = services.imaging.capture_still(
        trainee, patient.id, frame, body_part="SHOULDER", laterality="L"
    )
    services.dicom_settings.change(
        SYSTEM, pacs_ae_title=orthanc.ae_title, pacs_host="127.0.0.1", pacs_port=orthanc.dicom_port
    )
    report = services.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    services.reports.save(
        trainee,
        report.id,
        {
            "findings": "Subscapularis intact.",
            "impression": "Normal study.",
            "key_images": [str(image.id)],
        },
    )
    services.reports.submit(trainee, report.id)
    assert services.pacs.send_due() == []  # nothing is queued while it is unverified
    services.reports.verify(
        supervisor, report.id, PASSWORD, supervision_mode="present", agreement="agree"
    )

    (outcome,) = services.pacs.send_due()
    assert outcome.archived, outcome
    assert (outcome.confirmed, outcome.images) == (3, 3)  # the image, the SR and the KOS
    instances = orthanc.get("/instances?expand")
    modalities = {}
    for instance in instances:  # type: ignore[union-attr]
        tags = orthanc.get(f"/instances/{instance['ID']}/simplified-tags")
        modalities[tags["Modality"]] = tags  # type: ignore[index]
    assert set(modalities) == {"US", "SR", "KO"}
    sr = modalities["SR"]
    assert sr["PatientID"] == "9990000018"
    assert sr["VerificationFlag"] == "VERIFIED"
    assert sr["CompletionFlag"] == "COMPLETE"
    assert sr["AuthorObserverSequence"][0]["PersonName"] == "SMITH^Tia"
    assert sr["VerifyingObserverSequence"][0]["VerifyingObserverName"] == "SMITH^Sam"
