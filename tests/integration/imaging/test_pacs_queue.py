"""The PACS queue against a real Orthanc: it keeps trying, and archives only what the PACS holds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest

from clinic_app.container import Services
from clinic_app.domains.imaging.service.pacs import retry_delay
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, ValidationError
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, PatientRecord
from tests.support.orthanc import Orthanc
from tests.support.sync_server import free_port

pytestmark = pytest.mark.timeout(240)
PASSWORD = "correct horse battery"


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="tom", display_name="Tom Okafor", role=Role.SONOGRAPHER, password=PASSWORD
    )
    return services.auth.login("tom", PASSWORD)


@pytest.fixture
def patient(services: Services, sonographer: CurrentUser) -> PatientRecord:
    return services.patients.register(
        sonographer,
        PatientInput(
            nhs_number="9990000042",
            family_name="Lovelace",
            given_name="Ada",
            date_of_birth="1960-03-14",
            sex="2",
        ),
    )


@pytest.fixture
def stopped_services(services: Services) -> Iterator[Services]:
    yield services
    services.pacs.stop()


def _scan(services: Services, actor: CurrentUser, patient: PatientRecord) -> None:
    rng = np.random.default_rng(7)
    services.imaging.capture_still(
        actor,
        patient.id,
        rng.integers(0, 120, (96, 128, 3), dtype=np.uint8),
        body_part="KNEE",
        laterality="R",
    )
    services.imaging.capture_clip(
        actor,
        patient.id,
        rng.integers(0, 120, (5, 96, 128, 3), dtype=np.uint8),
        40.0,
        body_part="KNEE",
        laterality="R",
    )


def _study(services: Services, actor: CurrentUser, patient: PatientRecord) -> object:
    (study,) = services.imaging.studies(actor, patient.id)
    return study


def test_an_unanswered_send_waits_and_retries_then_archives_once_the_pacs_confirms(
    services: Services, sonographer: CurrentUser, patient: PatientRecord, orthanc: Orthanc
) -> None:
    _scan(services, sonographer, patient)
    pacs = orthanc
    pacs.stop()  # the PACS is down when the clinician asks
    services.dicom_settings.change(
        SYSTEM, pacs_ae_title=pacs.ae_title, pacs_host="127.0.0.1", pacs_port=pacs.dicom_port
    )
    study = _study(services, sonographer, patient)
    services.pacs.send_study(sonographer, study.id)  # type: ignore[attr-defined]

    # The PACS is not running yet: the attempt fails, and the study waits for a retry.
    (outcome,) = services.pacs.send_due()
    assert (outcome.archived, outcome.error) == (False, "pacs.unreachable")
    waiting = _study(services, sonographer, patient)
    assert waiting.pacs_state == "waiting"  # type: ignore[attr-defined]
    assert waiting.archived_at is None  # type: ignore[attr-defined]
    assert services.pacs.send_due() == []  # not due again for a minute
    (send,) = services.pacs.sends(sonographer)
    assert send.next_attempt_at - utcnow() > timedelta(seconds=50)

    pacs.start()
    (outcome,) = services.pacs.send_due(now=utcnow() + retry_delay(1))
    assert outcome.archived, outcome
    assert (outcome.confirmed, outcome.images) == (2, 2)
    patients = pacs.get("/patients?expand")
    assert [p["MainDicomTags"]["PatientID"] for p in patients] == ["9990000042"]  # type: ignore[index]
    assert len(pacs.get("/instances")) == 2  # type: ignore[arg-type]

    archived = _study(services, sonographer, patient)
    assert archived.pacs_state == "archived"  # type: ignore[attr-defined]
    assert archived.archived_at is not None  # type: ignore[attr-defined]
    with pytest.raises(Conflict) as made_educational:
        services.pacs.set_purpose(sonographer, archived.id, "educational")  # type: ignore[attr-defined]
    assert made_educational.value.code == "pacs.already_sent"
    with pytest.raises(Conflict) as again:
        services.pacs.send_study(sonographer, archived.id)  # type: ignore[attr-defined]
    assert again.value.code == "pacs.already_archived"


def test_stow_rs_from_the_background_sender(
    stopped_services: Services,
    sonographer: CurrentUser,
    patient: PatientRecord,
    orthanc: Orthanc,
) -> None:
    services = stopped_services
    _scan(services, sonographer, patient)
    services.dicom_settings.change(
        SYSTEM,
        pacs_ae_title=orthanc.ae_title,
        pacs_host="127.0.0.1",
        pacs_port=orthanc.dicom_port,
        pacs_method="stow-rs",
        pacs_dicomweb_url=f"{orthanc.url}/dicom-web",
    )
    services.pacs.start(interval=30)
    study = _study(services, sonographer, patient)
    services.pacs.send_study(sonographer, study.id)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _study(services, sonographer, patient).pacs_state == "archived":  # type: ignore[attr-defined]
            break
        time.sleep(0.2)
    assert _study(services, sonographer, patient).pacs_state == "archived"  # type: ignore[attr-defined]
    assert len(orthanc.get("/instances")) == 2  # type: ignore[arg-type]


def test_an_educational_study_never_goes_to_the_pacs(
    services: Services, sonographer: CurrentUser, patient: PatientRecord, orthanc: Orthanc
) -> None:
    _scan(services, sonographer, patient)
    services.dicom_settings.change(
        SYSTEM, pacs_ae_title=orthanc.ae_title, pacs_host="127.0.0.1", pacs_port=orthanc.dicom_port
    )
    study = _study(services, sonographer, patient)
    services.pacs.set_purpose(sonographer, study.id, "educational")  # type: ignore[attr-defined]
    with pytest.raises(Conflict) as refused:
        services.pacs.send_study(sonographer, study.id)  # type: ignore[attr-defined]
    assert refused.value.code == "pacs.educational"
    assert _study(services, sonographer, patient).pacs_state == "educational"  # type: ignore[attr-defined]

    # Queued while clinical, then made educational before it went: it is never sent.
    services.pacs.set_purpose(sonographer, study.id, "clinical")  # type: ignore[attr-defined]
    services.pacs.send_study(sonographer, study.id)  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        services.pacs.set_purpose(sonographer, study.id, "educational")  # type: ignore[attr-defined]
    services.pacs.send_due()
    assert _study(services, sonographer, patient).pacs_state == "archived"  # type: ignore[attr-defined]


def test_sending_without_a_pacs_set_up_is_refused_in_plain_codes(
    services: Services, sonographer: CurrentUser, patient: PatientRecord
) -> None:
    _scan(services, sonographer, patient)
    study = _study(services, sonographer, patient)
    with pytest.raises(ValidationError) as refused:
        services.pacs.send_study(sonographer, study.id)  # type: ignore[attr-defined]
    assert refused.value.code == "pacs.not_configured"
    assert services.pacs.sends(sonographer) == []


def test_the_wait_between_attempts_doubles_up_to_an_hour() -> None:
    waits = [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 50)]
    assert waits == [60, 120, 240, 3600, 3600, 3600]


def test_the_dicom_settings_refuse_bad_values_together(services: Services) -> None:
    from clinic_app.kernel.errors import FormErrors, PermissionDenied

    with pytest.raises(FormErrors) as bad:
        services.dicom_settings.change(
            SYSTEM,
            ae_title="FAR TOO LONG AN AE TITLE",
            storage_port=70000,
            pacs_method="stow-rs",
            pacs_host="pacs",
            pacs_ae_title="PACS\\1",
        )
    assert {(e.field, e.code) for e in bad.value.errors} == {
        ("ae_title", "dicom.bad_ae_title"),
        ("storage_port", "dicom.bad_port"),
        ("pacs_ae_title", "dicom.bad_ae_title"),
        ("pacs_dicomweb_url", "dicom.url_needed"),
    }
    assert services.dicom_settings.current(SYSTEM).ae_title == "ONESTOP"
    port = free_port()
    changed = services.dicom_settings.change(SYSTEM, storage_port=port)
    assert services.dicom_settings.current(SYSTEM) == changed
    services.users.add(
        SYSTEM, username="ann", display_name="Ann Lee", role=Role.CLINICIAN, password=PASSWORD
    )
    clinician = services.auth.login("ann", PASSWORD)
    with pytest.raises(PermissionDenied):
        services.dicom_settings.change(clinician, storage_port=port + 1)
