"""An imaging study opened from the record's timeline is the study the entry names."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import numpy as np
from pytestqt.qtbot import QtBot
from sqlalchemy import Table, update

from clinic_app.container import Services
from clinic_app.domains.imaging.model import ImagingStudy
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from tests.ui.late_answers import open_record, two_patients
from ui.app import MainWindow


def _frame(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 90, (96, 128, 3), dtype=np.uint8)


def test_an_older_study_opened_from_the_timeline_is_the_one_shown(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, "sonographer")
    user = window.session.require_user()
    patient, _other = two_patients(clinic, window)
    old = clinic.imaging.capture_still(
        user, patient.id, _frame(1), body_part="KNEE", laterality="L"
    )
    studies = cast(Table, ImagingStudy.__table__)
    with clinic.context.store.engine.begin() as connection:
        row = connection.execute(studies.select().where(studies.c.id == old.study_id)).one()
        connection.execute(
            update(studies)
            .where(studies.c.id == old.study_id)
            .values(started_at=row.started_at - timedelta(days=30))
        )
    new = clinic.imaging.capture_still(
        user, patient.id, _frame(2), body_part="SHOULDER", laterality="R"
    )
    assert new.study_id != old.study_id
    entries = clinic.timeline.for_patient(user, patient.id).of_kind("imaging_study")
    [older_entry] = [e for e in entries if e.item_id == old.study_id]

    open_record(qtbot, window, patient.id)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(
        lambda: record.view.timeline.select_entry(older_entry.record_id), timeout=WAIT_MS
    )
    record.view_model.open_entry(older_entry)
    wait_idle(window)
    screen = window.screen_by_id("imaging")
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.view.studies.topLevelItemCount() == 2, timeout=WAIT_MS)
    wait_idle(window)
    shown = screen.view._current_study()
    assert shown is not None
    assert shown.id == old.study_id
