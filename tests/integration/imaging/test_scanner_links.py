"""Scanner links checked with dcmtk, as a scanner's own set-up screen would use them.

The app's listeners run as the app runs them (``ScannerLink`` over the service's DICOM
settings, in a real store); dcmtk's echoscu, findscu and storescu play the scanner.
"""

from __future__ import annotations

import logging
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset

from clinic_app.container import Services
from clinic_app.domains.imaging.views import KnownScanner, PlannedScan
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput
from tests.support.dcmtk import dcmtk
from tests.support.us_image import ScanSubject, us_image

PASSWORD = "correct horse battery"
ADA = "9990000018"
BYRON = "9990000026"
NOBODY = "9990000034"
POCUS = KnownScanner("POCUS1", "127.0.0.1", "Knee clinic scanner")


def _tool(name: str) -> str:
    return dcmtk(name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_tool(args[0]), *args[1:]],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="tom", display_name="Tom Okafor", role=Role.SONOGRAPHER, password=PASSWORD
    )
    return services.auth.login("tom", PASSWORD)


@pytest.fixture
def planned(services: Services, sonographer: CurrentUser) -> dict[str, PlannedScan]:
    """Two patients with a knee scan planned for today (Ada's at 09:30, Byron's at 14:00)."""
    scans: dict[str, PlannedScan] = {}
    for nhs, given, family in ((ADA, "Ada", "Lovelace"), (BYRON, "George", "Byron")):
        patient = services.patients.register(
            sonographer,
            PatientInput(
                given_name=given,
                family_name=family,
                date_of_birth="1960-03-14",
                sex="2" if given == "Ada" else "1",
                nhs_number=nhs,
            ),
        )
        services.imaging.plan_scan(sonographer, patient.id, f"{family} knee ultrasound")
    for scan in services.imaging.worklist():
        # Planned now; the worklist's times are set here so time ranges can be checked.
        hour, minute = (9, 30) if scan.nhs_number == ADA else (14, 0)
        local = scan.planned_at.astimezone()
        at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        scans[scan.nhs_number] = replace(scan, planned_at=at)
    return scans


@pytest.fixture
def listening(
    services: Services, planned: dict[str, PlannedScan], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    """The app's listeners as the service lead set them: POCUS1 on loopback, station US1."""
    monkeypatch.setattr(services.imaging, "worklist", lambda day=None: list(planned.values()))
    storage_port = _free_port()
    # Two probes in a row may be given the same free port; the two listeners need two.
    worklist_port = next(port for port in iter(_free_port, None) if port != storage_port)
    services.dicom_settings.change(
        SYSTEM,
        listen=True,
        storage_port=storage_port,
        worklist_port=worklist_port,
        scanners=[POCUS],
        worklist_station="US1",
    )
    state = services.scanners.start()
    assert state.listening
    yield services
    services.scanners.stop()


def _find(services: Services, tmp_path: Path, *keys: str, aet: str = "POCUS1") -> list[Dataset]:
    """findscu's worklist query with these keys; the answers it wrote."""
    out = tmp_path / f"answers-{len(list(tmp_path.iterdir()))}"
    out.mkdir()
    settings = services.dicom_settings.current(SYSTEM)
    args = ["findscu", "-W", "-X", "-od", str(out), "-aet", aet, "-aec", settings.ae_title]
    for key in keys:
        args += ["-k", key]
    done = _run(*args, "127.0.0.1", str(settings.worklist_port))
    assert done.returncode == 0, done.stderr
    return [dcmread(path) for path in sorted(out.glob("rsp*.dcm"))]


def _ids(answers: list[Dataset]) -> list[str]:
    return sorted(str(answer.PatientID) for answer in answers)


SPS = "ScheduledProcedureStepSequence[0]"


def test_echo_is_answered_on_both_listeners_for_a_listed_scanner(listening: Services) -> None:
    settings = listening.dicom_settings.current(SYSTEM)
    for port in (settings.storage_port, settings.worklist_port):
        done = _run("echoscu", "-aet", "POCUS1", "-aec", "ONESTOP", "127.0.0.1", str(port))
        assert done.returncode == 0, done.stderr


def test_an_unlisted_ae_title_is_refused_on_both_listeners_and_logged_without_patient_data(
    listening: Services,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    sonographer: CurrentUser,
) -> None:
    settings = listening.dicom_settings.current(SYSTEM)
    image = tmp_path / "knee.dcm"
    us_image(subject=None).save_as(image)
    with caplog.at_level(logging.INFO):
        stored = _run(
            "storescu", "-aet", "INTRUDER", "-aec", "ONESTOP", "127.0.0.1",
            str(settings.storage_port), str(image),
        )  # fmt: skip
        echoed = _run(
            "echoscu", "-aet", "INTRUDER", "-aec", "ONESTOP", "127.0.0.1",
            str(settings.worklist_port),
        )  # fmt: skip
    for done in (stored, echoed):
        assert done.returncode != 0
        assert "Calling AE Title Not Recognized" in done.stderr
    assert listening.imaging.orphans(sonographer) == []
    refusals = [r.getMessage() for r in caplog.records if "refused an association" in r.message]
    assert len(refusals) == 2
    assert all("'INTRUDER'" in line and "127.0.0.1" in line for line in refusals)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert ADA not in logged
    assert "LOVELACE" not in logged.upper()


def test_a_listed_title_from_another_address_is_refused_and_from_its_network_let_in(
    listening: Services, tmp_path: Path, sonographer: CurrentUser
) -> None:
    listening.dicom_settings.change(
        SYSTEM, scanners=[KnownScanner("POCUS1", "127.0.0.2"), KnownScanner("WARD", "127.0.0.0/8")]
    )
    listening.scanners.start()
    port = str(listening.dicom_settings.current(SYSTEM).storage_port)
    image = tmp_path / "knee.dcm"
    us_image(subject=ScanSubject(nhs_number=NOBODY)).save_as(image)
    refused = _run("storescu", "-aet", "POCUS1", "-aec", "ONESTOP", "127.0.0.1", port, str(image))
    assert refused.returncode != 0
    assert "Not Recognized" in refused.stderr
    taken = _run("storescu", "-aet", "WARD", "-aec", "ONESTOP", "127.0.0.1", port, str(image))
    assert taken.returncode == 0, taken.stderr
    assert listening.scanners.spool is not None
    assert listening.scanners.spool.drain(60)
    assert len(listening.imaging.orphans(sonographer)) == 1


def test_an_empty_allow_list_lets_no_scanner_in(listening: Services) -> None:
    listening.dicom_settings.change(SYSTEM, scanners=[])
    listening.scanners.start()
    port = str(listening.dicom_settings.current(SYSTEM).worklist_port)
    done = _run("echoscu", "-aet", "POCUS1", "-aec", "ONESTOP", "127.0.0.1", port)
    assert done.returncode != 0


def test_the_retired_us_image_class_is_accepted_by_the_listener(
    listening: Services, tmp_path: Path, sonographer: CurrentUser
) -> None:
    # Someone not registered: it waits for a person, where the test can see it.
    image = us_image(subject=ScanSubject(nhs_number=NOBODY))
    retired = "1.2.840.10008.5.1.4.1.1.6"
    image.SOPClassUID = retired
    image.file_meta.MediaStorageSOPClassUID = retired
    path = tmp_path / "retired.dcm"
    image.save_as(path)
    port = str(listening.dicom_settings.current(SYSTEM).storage_port)
    # -R: propose only the file's own class, as the old scanner does.
    done = _run("storescu", "-R", "-aet", "POCUS1", "-aec", "ONESTOP", "127.0.0.1", port, str(path))
    assert done.returncode == 0, done.stderr
    # Answered once sealed in the receive spool; its worker then takes it into the store.
    assert listening.scanners.spool is not None
    assert listening.scanners.spool.drain(60)
    kept = listening.imaging.orphans(sonographer)
    assert [o.sop_class_uid for o in kept] == [retired]


def test_a_date_range_for_today_returns_todays_scans_and_other_ranges_none(
    listening: Services, tmp_path: Path
) -> None:
    today = listening.context.today()
    day = today.strftime("%Y%m%d")
    tomorrow = (today + timedelta(days=1)).strftime("%Y%m%d")
    yesterday = (today - timedelta(days=1)).strftime("%Y%m%d")
    for wanted, found in (
        (f"{day}-{day}", [ADA, BYRON]),
        (f"{yesterday}-", [ADA, BYRON]),
        (f"-{day}", [ADA, BYRON]),
        (day, [ADA, BYRON]),
        (f"{tomorrow}-", []),
        (f"-{yesterday}", []),
    ):
        answers = _find(
            listening, tmp_path, "PatientID", f"{SPS}.ScheduledProcedureStepStartDate={wanted}"
        )
        assert _ids(answers) == found, wanted


def test_a_time_range_inside_the_step_sequence_picks_the_morning_scan(
    listening: Services, tmp_path: Path
) -> None:
    answers = _find(
        listening, tmp_path, "PatientID", f"{SPS}.ScheduledProcedureStepStartTime=0800-1200"
    )
    assert _ids(answers) == [ADA]
    answers = _find(listening, tmp_path, "PatientID", f"{SPS}.ScheduledProcedureStepStartTime=13-")
    assert _ids(answers) == [BYRON]


def test_patient_name_matches_with_wildcards_without_regard_to_case(
    listening: Services, tmp_path: Path
) -> None:
    for wanted, found in (
        ("lovelace*", [ADA]),
        ("LOV?LACE^ADA", [ADA]),
        ("BYRON", [BYRON]),
        ("*^George", [BYRON]),
        ("B*", [BYRON]),
        ("SMITH*", []),
        ("*", [ADA, BYRON]),
    ):
        answers = _find(listening, tmp_path, f"PatientName={wanted}", "PatientID")
        assert _ids(answers) == found, wanted


def test_the_station_ae_title_key_and_the_answers_station_are_the_scheduled_station(
    listening: Services, tmp_path: Path
) -> None:
    asked = _find(listening, tmp_path, "PatientID", f"{SPS}.ScheduledStationAETitle=US1")
    assert _ids(asked) == [ADA, BYRON]
    # The scheduled station, never the AE title of the scanner that asked.
    assert {str(a.ScheduledProcedureStepSequence[0].ScheduledStationAETitle) for a in asked} == {
        "US1"
    }
    assert _find(listening, tmp_path, "PatientID", f"{SPS}.ScheduledStationAETitle=POCUS1") == []


def test_sequence_keys_must_all_match_one_step(listening: Services, tmp_path: Path) -> None:
    day = listening.context.today().strftime("%Y%m%d")
    both = _find(
        listening,
        tmp_path,
        "PatientID",
        f"{SPS}.Modality=US",
        f"{SPS}.ScheduledProcedureStepStartDate={day}",
    )
    assert _ids(both) == [ADA, BYRON]
    assert _find(listening, tmp_path, "PatientID", f"{SPS}.Modality=MR") == []
    performer = f"{SPS}.ScheduledPerformingPhysicianName=JONES^Ann"
    assert _find(listening, tmp_path, "PatientID", performer) == []


def test_universal_matching_returns_every_scan_and_type_2_keys_come_back_empty(
    listening: Services, tmp_path: Path, planned: dict[str, PlannedScan]
) -> None:
    answers = _find(
        listening,
        tmp_path,
        "PatientName",
        "PatientID",
        "AccessionNumber",
        "ReferringPhysicianName",
        "RequestedProcedurePriority",
        "PatientWeight",
        f"{SPS}.Modality",
        f"{SPS}.ScheduledPerformingPhysicianName",
        f"{SPS}.ScheduledProcedureStepStartDate",
    )
    assert _ids(answers) == [ADA, BYRON]
    for answer in answers:
        assert answer.AccessionNumber == planned[str(answer.PatientID)].accession
        for keyword in ("ReferringPhysicianName", "RequestedProcedurePriority", "PatientWeight"):
            assert keyword in answer
            assert answer[keyword].is_empty
        step = answer.ScheduledProcedureStepSequence[0]
        assert step.Modality == "US"
        assert "ScheduledPerformingPhysicianName" in step
        assert step["ScheduledPerformingPhysicianName"].is_empty
        # Only what was asked for comes back.
        assert "PatientBirthDate" not in answer
        assert "ScheduledStationAETitle" not in step
