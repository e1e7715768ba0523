"""dcmtk's storescu pushes to the app's listener as a scanner would: re-sends, broken files.

Whatever the object or the store does, the scanner gets a proper answer (never pynetdicom's
0xC211 for a handler that threw), a refusal names the app's code in its Error Comment, and
the log holds neither a traceback nor anything of the patient's.
"""

from __future__ import annotations

import logging
import re
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydicom.dataset import Dataset

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.receive import (
    CANNOT_UNDERSTAND,
    DUPLICATE_INSTANCE,
    PROCESSING_FAILURE,
    SUCCESS,
    StorageReceiver,
)
from clinic_app.kernel.errors import Conflict
from tests.support.dcmtk import dcmtk, find
from tests.support.postgres import running_in_ci
from tests.support.us_image import ScanSubject, us_image

pytestmark = pytest.mark.skipif(
    find("storescu") is None and not running_in_ci(), reason="needs dcmtk"
)

HANDLER_THREW = 0xC211
SUBJECT = ScanSubject(nhs_number="9990000018", family_name="LOVELACE", given_name="Ada")
PATIENT_DETAILS = ("9990000018", "LOVELACE", "Lovelace", "Ada")
_STATUS = re.compile(r"DIMSE Status\s*:\s*0x([0-9A-Fa-f]{4})")
_COMMENT = re.compile(r"\(0000,0902\) LO \[([^\]]*)\]")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(keep: Callable[[bytes | Path], object]) -> Iterator[StorageReceiver]:
    running = StorageReceiver(keep, port=_free_port())
    running.start()
    yield running
    running.stop()


@pytest.fixture
def receiver(services: Services) -> Iterator[StorageReceiver]:
    yield from _listening(services.imaging.receive)


def _file(folder: Path, name: str, ds: Dataset) -> Path:
    path = folder / name
    ds.save_as(path, enforce_file_format=True)
    return path


def _push(receiver: StorageReceiver, path: Path) -> tuple[int, str | None]:
    """storescu sends one file; the status it was answered and the Error Comment, if any."""
    done = subprocess.run(
        [
            dcmtk("storescu"),
            "-d",
            "-aec",
            receiver.ae_title,
            receiver.host,
            str(receiver.port),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # The response to the C-STORE is the last incoming status (the first answers nothing).
    statuses = _STATUS.findall(done.stdout + done.stderr)
    assert statuses, done.stdout + done.stderr
    comments = _COMMENT.findall(done.stdout + done.stderr)
    return int(statuses[-1], 16), (comments[-1] if comments else None)


def _log_is_clean(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        text = record.getMessage()
        assert record.exc_info is None, text
        assert "Traceback" not in text
        for detail in PATIENT_DETAILS:
            assert detail not in text, text


def test_a_scanner_resending_an_image_gets_an_answer_and_the_log_no_traceback(
    services: Services,
    receiver: StorageReceiver,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="clinic_app")
    caplog.set_level(logging.WARNING)
    image = _file(tmp_path, "image.dcm", us_image(subject=SUBJECT))
    assert _push(receiver, image) == (SUCCESS, None)
    again, _ = _push(receiver, image)
    assert again != HANDLER_THREW
    # The listener still takes the next image.
    other = _file(tmp_path, "other.dcm", us_image(subject=SUBJECT, seed=3))
    assert _push(receiver, other) == (SUCCESS, None)
    _log_is_clean(caplog)


def test_an_identical_resend_is_a_success(
    services: Services, receiver: StorageReceiver, tmp_path: Path
) -> None:
    image = _file(tmp_path, "image.dcm", us_image(subject=SUBJECT))
    assert _push(receiver, image) == (SUCCESS, None)
    assert _push(receiver, image) == (SUCCESS, None)


def test_a_broken_file_is_refused_with_its_code_and_no_traceback(
    services: Services,
    receiver: StorageReceiver,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    ds = us_image(subject=SUBJECT)
    del ds.Rows
    status, comment = _push(receiver, _file(tmp_path, "no-rows.dcm", ds))
    assert status == CANNOT_UNDERSTAND
    assert comment == "Refused: dicom.bad_dimensions"
    assert "dicom.bad_dimensions" in caplog.text
    _log_is_clean(caplog)


def test_a_different_object_under_a_held_uid_is_refused_as_a_duplicate(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The service's word for it (another part of this issue): the handler's answer is ours.
    def keep(received: bytes | Path) -> None:
        raise Conflict("dicom.duplicate_instance")

    caplog.set_level(logging.WARNING)
    for receiver in _listening(keep):
        status, comment = _push(receiver, _file(tmp_path, "image.dcm", us_image(subject=SUBJECT)))
        assert status == DUPLICATE_INSTANCE
        assert comment == "Refused: dicom.duplicate_instance"
    _log_is_clean(caplog)


def test_an_unexpected_failure_is_answered_and_logged_by_its_kind_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def keep(received: bytes | Path) -> None:
        # What a library might say, quoting the header it choked on.
        raise RuntimeError("could not file LOVELACE^Ada 9990000018")

    caplog.set_level(logging.WARNING)
    for receiver in _listening(keep):
        status, comment = _push(receiver, _file(tmp_path, "image.dcm", us_image(subject=SUBJECT)))
        assert status == PROCESSING_FAILURE
        assert comment == "Refused: internal"
    assert "RuntimeError" in caplog.text
    _log_is_clean(caplog)
