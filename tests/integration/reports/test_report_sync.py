"""A trainee's laptop and a supervisor's laptop take a scan to a verified report a PACS holds."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.support.orthanc import Orthanc
from tests.support.sync_server import SyncServer, server_command
from tests.ui.conftest import ONLINE_WAIT_MS, sign_in, wait_idle
from ui.app import build_main_window

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        running.add_user("helen", "Helen Marsh", "supervisor", PASSWORD)
        running.add_user("sam", "Sam Lee", "trainee", PASSWORD)
        subprocess.run(
            server_command(
                "user", "set-supervisor", "sam", "--supervisor", "helen", "--db", running.db_url
            ),
            check=True,
            capture_output=True,
        )
        yield running


def _laptop(server: SyncServer, path: Path, name: str) -> Services:
    services = create_clinic(path)
    services.sync.enrol(SYSTEM, server.url, name)
    server.approve(services.context.device_id)
    services.sync.sync_now()
    return services


@pytest.fixture
def laptops(server: SyncServer, tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    trainee_laptop = _laptop(server, tmp_path / "trainee.db", "clinic room 2")
    supervisor_laptop = _laptop(server, tmp_path / "supervisor.db", "supervisor's office")
    yield trainee_laptop, supervisor_laptop
    trainee_laptop.close()
    supervisor_laptop.close()


def _scanned(laptop: Services, trainee: CurrentUser, *, seed: int) -> tuple[Any, Any]:
    """Ada Lovelace registered on ``laptop`` and a still of her right knee captured."""
    patient = laptop.patients.register(
        trainee,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    frame = np.random.default_rng(seed).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    image = laptop.imaging.capture_still(
        trainee, patient.id, frame, body_part="KNEE", laterality="R"
    )
    return patient, image


def test_draft_to_verified_report_across_two_laptops_reaches_the_pacs(
    laptops: tuple[Services, Services], orthanc: Orthanc
) -> None:
    mine, theirs = laptops
    trainee = mine.auth.login("sam", PASSWORD)
    patient, image = _scanned(mine, trainee, seed=4)
    report = mine.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    mine.reports.save(
        trainee,
        report.id,
        {
            "findings": "Small effusion.",
            "impression": "Effusion.",
            "key_images": [str(image.id)],
        },
    )
    mine.reports.submit(trainee, report.id)
    mine.sync.sync_now()

    # On the supervisor's laptop: the report waits in the queue; verified there.
    theirs.sync.sync_now()
    supervisor = theirs.auth.login("helen", PASSWORD)
    (waiting,) = theirs.reports.pending_reviews(supervisor)
    assert waiting.report.id == report.id
    theirs.dicom_settings.change(
        SYSTEM, pacs_ae_title=orthanc.ae_title, pacs_host="127.0.0.1", pacs_port=orthanc.dicom_port
    )
    theirs.reports.verify(
        supervisor, report.id, PASSWORD, supervision_mode="remote_live", agreement="agree"
    )
    theirs.sync.sync_now()

    # The trainee's laptop learns it is verified; the supervisor's sends the study.
    mine.sync.sync_now()
    final = mine.reports.get(trainee, report.id)
    assert (final.final, final.verified, final.supervisor_name) == (True, True, "Helen Marsh")
    (outcome,) = theirs.pacs.send_due()
    assert outcome.archived, outcome
    tags = {
        tag["Modality"]: tag
        for tag in (
            orthanc.get(f"/instances/{instance['ID']}/simplified-tags")
            for instance in orthanc.get("/instances?expand")  # type: ignore[union-attr]
        )
    }
    assert set(tags) == {"US", "SR", "KO"}
    assert tags["SR"]["AuthorObserverSequence"][0]["PersonName"] == "LEE^Sam"  # type: ignore[index]
    verifier = tags["SR"]["VerifyingObserverSequence"][0]  # type: ignore[index]
    assert verifier["VerifyingObserverName"] == "MARSH^Helen"
    # Once the PACS confirms, every laptop sees the study archived.
    theirs.sync.sync_now()
    mine.sync.sync_now()
    (study,) = mine.imaging.studies(trainee, patient.id)
    assert study.archived_at is not None


def test_the_supervisor_is_told_after_a_sync_brings_a_report_to_review(
    qtbot: QtBot, laptops: tuple[Services, Services]
) -> None:
    mine, theirs = laptops
    window = build_main_window(theirs, idle_lock_seconds=0)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    try:
        sign_in(qtbot, window, "helen", PASSWORD, wait_ms=ONLINE_WAIT_MS)
        wait_idle(window)
        assert "wait for your review" not in window.notice.text()

        # Meanwhile, on the trainee's laptop, a report is sent for review.
        trainee = mine.auth.login("sam", PASSWORD)
        patient = mine.patients.register(
            trainee,
            PatientInput(
                given_name="Ada",
                family_name="Lovelace",
                date_of_birth="1960-03-14",
                sex="2",
                nhs_number="9990000018",
            ),
        )
        frame = np.random.default_rng(5).integers(0, 90, (48, 64, 3), dtype=np.uint8)
        image = mine.imaging.capture_still(
            trainee, patient.id, frame, body_part="HIP", laterality="L"
        )
        report = mine.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
        mine.reports.save(trainee, report.id, {"findings": "Effusion.", "impression": "Effusion."})
        mine.reports.submit(trainee, report.id)
        mine.sync.sync_now()

        # The supervisor's background sync brings it; the window says so without being asked.
        theirs.sync.wake()
        qtbot.waitUntil(lambda: "wait for your review" in window.notice.text(), timeout=30_000)
        wait_idle(window)
    finally:
        window.shutdown()


def test_a_report_returned_on_the_supervisors_laptop_reaches_the_trainee_with_its_feedback(
    laptops: tuple[Services, Services],
) -> None:
    """The supervisor returns a trainee's report with feedback on her laptop. The server takes
    the return and its review whole: nothing is refused on her laptop, and the trainee's
    laptop shows the report returned with her words (a review checked against the report as
    it stood before the return would be refused, and the feedback never leave her laptop)."""
    mine, theirs = laptops
    trainee = mine.auth.login("sam", PASSWORD)
    _patient, image = _scanned(mine, trainee, seed=5)
    report = mine.reports.start(trainee, image.study_id)  # type: ignore[arg-type]
    mine.reports.save(
        trainee, report.id, {"findings": "Small effusion.", "impression": "Effusion."}
    )
    mine.reports.submit(trainee, report.id)
    mine.sync.sync_now()

    theirs.sync.sync_now()
    supervisor = theirs.auth.login("helen", PASSWORD)
    theirs.reports.return_to_trainee(supervisor, report.id, "Measure the effusion, please.")
    theirs.sync.sync_now()
    assert theirs.sync.issues(supervisor) == []

    mine.sync.sync_now()
    back = mine.reports.get(trainee, report.id)
    assert back.status == "returned"
    assert any("Measure the effusion" in words for words in back.feedback)
