"""STOW-RS and QIDO-RS through dicomweb-client, against a real Orthanc with its DICOMweb plug-in."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from clinic_app.domains.imaging.dicom.capture import new_uid
from clinic_app.domains.imaging.dicom.pacs import (
    PacsTarget,
    StowOutcome,
    confirmed_dicomweb,
    send_stow_rs,
)
from clinic_app.kernel.errors import ClinicError
from tests.support.orthanc import Orthanc
from tests.support.sync_server import free_port
from tests.support.us_image import us_multiframe

pytestmark = pytest.mark.timeout(180)


def _target(orthanc: Orthanc) -> PacsTarget:
    return PacsTarget(
        orthanc.ae_title, "127.0.0.1", orthanc.dicom_port, dicomweb_url=f"{orthanc.url}/dicom-web/"
    )


def test_a_clip_larger_than_one_chunk_arrives_whole_and_is_confirmed(orthanc: Orthanc) -> None:
    """Over 1 MB the client streams the request in chunks: Orthanc must still get every byte."""
    study = str(new_uid())
    clip = us_multiframe(frames=20, study_uid=study)
    still = us_multiframe(frames=1, study_uid=study, seed=5)
    assert len(clip.PixelData) > 4_000_000
    assert not hasattr(clip, "preamble")  # made in memory, never read from a file

    outcome = send_stow_rs(_target(orthanc), [clip, still], study_uid=study)

    assert outcome == StowOutcome(200, {})
    assert not hasattr(clip, "preamble")  # the caller's objects are left as they were
    sops = {str(clip.SOPInstanceUID), str(still.SOPInstanceUID)}
    assert confirmed_dicomweb(_target(orthanc), study, [*sops, "2.25.7"]) == sops
    instances = orthanc.get("/instances?expand")
    assert isinstance(instances, list)
    frames = {
        i["MainDicomTags"]["SOPInstanceUID"]: i["MainDicomTags"].get("NumberOfFrames")
        for i in instances
    }
    assert frames[str(clip.SOPInstanceUID)] == "20"


def test_one_refused_among_stored_is_named_by_its_uid(orthanc: Orthanc) -> None:
    study = str(new_uid())
    ours = us_multiframe(frames=1, study_uid=study)
    stray = us_multiframe(frames=1, seed=3)  # another study: refused when stored into ours

    outcome = send_stow_rs(_target(orthanc), [ours, stray], study_uid=study)

    # PS3.18 says 202 for a partial store; Orthanc answers 409 once anything failed. Either
    # way the refused instance is named, and the other one is held.
    assert outcome.status in (202, 409)
    assert list(outcome.failed) == [str(stray.SOPInstanceUID)]
    assert confirmed_dicomweb(_target(orthanc), study, [str(ours.SOPInstanceUID)]) == {
        str(ours.SOPInstanceUID)
    }


def test_nothing_listening_is_unreachable_at_once_for_both_calls() -> None:
    """One attempt only: the background sender keeps its own retry schedule."""
    target = PacsTarget("PACS", "127.0.0.1", 104, dicomweb_url=f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(ClinicError) as sending:
        send_stow_rs(target, [us_multiframe(frames=1)])
    with pytest.raises(ClinicError) as asking:
        confirmed_dicomweb(target, str(new_uid()), ["2.25.1"])
    assert sending.value.code == asking.value.code == "pacs.unreachable"
    assert time.monotonic() - started < 5  # the client's own back-off would take 30 s each


def test_no_dicomweb_root_is_said_so() -> None:
    target = PacsTarget("PACS", "127.0.0.1", 104)
    with pytest.raises(ClinicError) as sending:
        send_stow_rs(target, [us_multiframe(frames=1)])
    with pytest.raises(ClinicError) as asking:
        confirmed_dicomweb(target, str(new_uid()), ["2.25.1"])
    assert sending.value.code == asking.value.code == "pacs.no_dicomweb"


class _PartialStore(BaseHTTPRequestHandler):
    """A PACS answering 202 with a charset on its DICOM JSON, as some do, refusing one UID."""

    refused = "2.25.42"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        body = json.dumps(
            {
                "00081198": {
                    "vr": "SQ",
                    "Value": [
                        {
                            "00081155": {"vr": "UI", "Value": [self.refused]},
                            "00081197": {"vr": "US", "Value": [0xA700]},
                        }
                    ],
                }
            }
        ).encode()
        self.send_response(202)
        self.send_header("Content-Type", "application/dicom+json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet test output


def test_a_partial_store_answered_with_a_charset_still_names_the_refused() -> None:
    server = HTTPServer(("127.0.0.1", 0), _PartialStore)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        target = PacsTarget(
            "PACS", "127.0.0.1", 104, dicomweb_url=f"http://127.0.0.1:{server.server_port}"
        )
        outcome = send_stow_rs(target, [us_multiframe(frames=1)])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert outcome == StowOutcome(202, {"2.25.42": 0xA700})
