"""The imaging screen says what the PACS refused, in plain words, not that it did not answer."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pynetdicom import AE, AllStoragePresentationContexts, evt
from pynetdicom.transport import ThreadedAssociationServer
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow
from ui.domains.imaging.images.view import ImagingView

OUT_OF_RESOURCES = 0xA700


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def full_pacs() -> Iterator[int]:
    """A DICOM store on loopback that takes every association and refuses every image: full."""
    ae = AE(ae_title="FULLPACS")
    ae.supported_contexts = AllStoragePresentationContexts

    def refuse(_event: Any) -> int:
        return OUT_OF_RESOURCES

    port = _free_port()
    server: ThreadedAssociationServer = ae.start_server(
        ("127.0.0.1", port), block=False, evt_handlers=[(evt.EVT_C_STORE, refuse)]
    )
    yield port
    server.shutdown()


def _open_imaging(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> ImagingView:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.screen_by_id("patient").view_model.record is not None, timeout=WAIT_MS
    )
    wait_idle(window)
    window.action("imaging").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("imaging").page, timeout=WAIT_MS
    )
    wait_idle(window)
    return window.screen_by_id("imaging").view


def test_a_full_pacs_is_named_as_full_on_the_imaging_screen(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    seeded_patient: PatientSummary,
    full_pacs: int,
) -> None:
    sign_in(qtbot, window, "sonographer")
    clinic.dicom_settings.change(
        SYSTEM, pacs_ae_title="FULLPACS", pacs_host="127.0.0.1", pacs_port=full_pacs
    )
    clinician = clinic.auth.login("clinician", demo_password("clinician"))
    clinic.imaging.capture_still(
        clinician,
        seeded_patient.id,
        np.random.default_rng(2).integers(0, 90, (96, 128, 3), dtype=np.uint8),
        body_part="KNEE",
        laterality="L",
    )
    view = _open_imaging(qtbot, window, seeded_patient)
    qtbot.waitUntil(view.send_button.isEnabled, timeout=WAIT_MS)
    view.send_button.click()
    qtbot.waitUntil(lambda: "Queued for the PACS" in view.notice.text(), timeout=WAIT_MS)
    # The app's sender tries at once (woken by the request); the screen shows its answer.
    clinic.pacs.send_due()
    qtbot.waitUntil(lambda: clinic.pacs.sends(clinician)[0].attempts >= 1, timeout=WAIT_MS)
    assert clinic.pacs.sends(clinician)[0].last_error == "pacs.refused_full"
    window.screen_by_id("imaging").view_model.reload()
    qtbot.waitUntil(lambda: "out of space" in view.pacs_state.text(), timeout=WAIT_MS)
    shown = view.pacs_state.text()
    assert shown.startswith("Waiting for the PACS to confirm")
    assert "did not answer" not in shown
    if folder := os.environ.get("ONESTOP_SHOTS"):
        window.resize(1366, 700)
        wait_idle(window)
        window.grab().save(str(Path(folder) / "imaging-pacs-refused.png"))
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366
    assert hint.height() <= 700
    wait_idle(window)
