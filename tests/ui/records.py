"""Records made straight through the services (as another laptop or a sync would leave them),
and the steps of a screen that several tests take the same way."""

from __future__ import annotations

import uuid
from datetime import timedelta

import numpy as np
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.reports.views import ReportView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.vocabulary import ReferralPriority
from clinic_app.people.duplicates import new_duplicate_rows
from clinic_app.people.model import Patient, PatientDuplicate
from clinic_app.people.views import PatientSummary, ReferralInput, ReferralSummary
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from ui.app import MainWindow


def second_registration(clinic: Services, patient: PatientSummary) -> uuid.UUID:
    """The same person registered at another clinic, as a pull stores it and the server's flag."""
    table = Patient.__table__
    engine = clinic.context.store.engine
    with engine.begin() as conn:
        row = dict(conn.execute(select(table).where(table.c.id == patient.id)).mappings().one())
        second = uuid.uuid4()
        conn.execute(
            insert(table),
            {**row, "id": second, "address": "2 Mill Lane, Leeds", "phone": "0113 496 0999"},
        )
        flags = new_duplicate_rows(conn, second, device_id=None)
        conn.execute(insert(PatientDuplicate.__table__), [{**f, "row_version": 1} for f in flags])
    return second


def submitted_by_trainee(clinic: Services, patient: PatientSummary) -> ReportView:
    """A trainee's report of one still of the shoulder, written and sent for review."""
    trainee = clinic.auth.login("trainee", demo_password("trainee"))
    frame = np.random.default_rng(5).integers(0, 90, (96, 128, 3), dtype=np.uint8)
    image = clinic.imaging.capture_still(
        trainee, patient.id, frame, body_part="SHOULDER", laterality="R"
    )
    assert image.study_id is not None
    draft = clinic.reports.start(trainee, image.study_id)
    clinic.reports.save(
        trainee,
        draft.id,
        {
            "findings": "Supraspinatus tendon thickened, no tear.",
            "impression": "Supraspinatus tendinopathy.",
            "body_region": "Shoulder",
            "key_images": [str(image.id)],
        },
    )
    return clinic.reports.submit(trainee, draft.id)


def urgent_referral(
    clinic: Services, clinician: CurrentUser, patient: PatientSummary
) -> ReferralSummary:
    """An urgent GP referral received a month ago and never triaged."""
    received = clinic.context.today() - timedelta(days=30)
    return clinic.referrals.create(
        clinician,
        ReferralInput(
            patient_id=patient.id,
            source="gp",
            received_on=received.isoformat(),
            referrer_name="Dr A Test",
            reason="Knee pain after a fall",
            specialty="physiotherapy",
            priority=ReferralPriority.URGENT,
        ),
    )


def merge_keeping_the_second(qtbot: QtBot, window: MainWindow) -> None:
    """On the duplicates page, keep the record at Mill Lane (``second_registration``), merge."""
    screen = window.screen_by_id("duplicates")
    view = screen.view
    kept_column = 0 if view.cells[("address", 0)].text() == "2 Mill Lane, Leeds" else 1
    view.keep[kept_column].click()
    type_into(qtbot, view.reason, "Same NHS number; address confirmed with the patient")
    with qtbot.waitSignal(screen.view_model.resolved, timeout=WAIT_MS):
        qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.pairs.count() == 0, timeout=WAIT_MS)
    wait_idle(window)


def verify_the_report_waiting(qtbot: QtBot, window: MainWindow) -> None:
    """On the review queue, verify the report chosen: images reviewed after, agreed."""
    queue = window.screen_by_id("review").view
    queue.mode_buttons[2].setChecked(True)
    queue.agreement_buttons[0].setChecked(True)
    queue.supervisor_words.setPlainText("Agree.")
    queue.password.setText(demo_password("supervisor"))
    queue.confirm.setChecked(True)
    with qtbot.waitSignal(window.screen_by_id("review").view_model.reviewed, timeout=WAIT_MS):
        queue.verify_button.click()
    qtbot.waitUntil(lambda: queue.pending.count() == 0, timeout=WAIT_MS)
    wait_idle(window)
