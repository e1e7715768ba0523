"""Marks drawn on one image are kept on that image, never on the next one opened."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.views import PatientSummary
from tests.support.us_image import ONE_VIEW, ScanSubject, us_image
from tests.ui.conftest import WAIT_MS, wait_idle
from tests.ui.imaging.test_imaging_screen import (
    _bytes,
    _open_imaging,
    sonographer_window,  # noqa: F401 - fixture
)
from tests.ui.late_answers import Gate
from ui.app import MainWindow


def test_marks_drawn_then_another_image_opened_at_once_stay_on_the_image_they_were_drawn_on(
    qtbot: QtBot,
    clinic: Services,
    sonographer_window: MainWindow,  # noqa: F811
    seeded_patient: PatientSummary,
) -> None:
    window = sonographer_window
    subject = ScanSubject(
        nhs_number=seeded_patient.nhs_number or "",
        family_name=seeded_patient.family_name,
        given_name=seeded_patient.given_name,
        birth_date=seeded_patient.date_of_birth,
        sex="O",
    )
    knee = clinic.imaging.receive(
        _bytes(us_image(subject=subject, regions=ONE_VIEW, body_part="KNEE", seed=3))
    )
    shoulder = clinic.imaging.receive(
        _bytes(
            us_image(
                subject=subject,
                regions=ONE_VIEW,
                body_part="SHOULDER",
                laterality="R",
                seed=9,
                when=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
            )
        )
    )
    view = _open_imaging(qtbot, window, seeded_patient)
    qtbot.waitUntil(lambda: view.studies.topLevelItemCount() == 2, timeout=WAIT_MS)
    items = {}
    for top in range(view.studies.topLevelItemCount()):
        child = view.studies.topLevelItem(top).child(0)
        items[child.data(0, 256).id] = child

    view.studies.itemClicked.emit(items[knee.id], 0)
    qtbot.waitUntil(lambda: view._vm.shown is not None and view._vm.shown.id == knee.id)
    wait_idle(window)
    qtbot.waitUntil(lambda: view.viewer.frame_count() == 1, timeout=WAIT_MS)
    assert view.viewer.measure_between((100.0, 150.0), (200.0, 150.0)) is not None

    # The sonographer measures the knee, then clicks the shoulder straight away.
    view.studies.itemClicked.emit(items[shoulder.id], 0)
    wait_idle(window)
    qtbot.wait(900)  # past the pause after drawing
    wait_idle(window)

    user = window.session.user
    assert user is not None
    assert clinic.imaging.marks(user, shoulder.id) == []
    assert [m.kind for m in clinic.imaging.marks(user, knee.id)] == ["distance"]


def test_marks_drawn_then_another_image_opened_while_the_store_is_slow_never_land_on_that_image(
    qtbot: QtBot,
    clinic: Services,
    sonographer_window: MainWindow,  # noqa: F811
    seeded_patient: PatientSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = sonographer_window
    subject = ScanSubject(
        nhs_number=seeded_patient.nhs_number or "",
        family_name=seeded_patient.family_name,
        given_name=seeded_patient.given_name,
        birth_date=seeded_patient.date_of_birth,
        sex="O",
    )
    knee = clinic.imaging.receive(
        _bytes(us_image(subject=subject, regions=ONE_VIEW, body_part="KNEE", seed=3))
    )
    shoulder = clinic.imaging.receive(
        _bytes(
            us_image(
                subject=subject,
                regions=ONE_VIEW,
                body_part="SHOULDER",
                laterality="R",
                seed=9,
                when=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
            )
        )
    )
    view = _open_imaging(qtbot, window, seeded_patient)
    qtbot.waitUntil(lambda: view.studies.topLevelItemCount() == 2, timeout=WAIT_MS)
    items = {}
    for top in range(view.studies.topLevelItemCount()):
        child = view.studies.topLevelItem(top).child(0)
        items[child.data(0, 256).id] = child

    view.studies.itemClicked.emit(items[knee.id], 0)
    qtbot.waitUntil(lambda: view._vm.shown is not None and view._vm.shown.id == knee.id)
    wait_idle(window)
    qtbot.waitUntil(lambda: view.viewer.frame_count() == 1, timeout=WAIT_MS)
    assert view.viewer.measure_between((100.0, 150.0), (200.0, 150.0)) is not None

    # The sonographer measures the knee, then clicks the shoulder straight away; the store
    # is slow to bring the shoulder's image (a sync round, say).
    gate = Gate(monkeypatch, clinic.imaging, "image_file")
    view.studies.itemClicked.emit(items[shoulder.id], 0)
    gate.wait_entered(qtbot)
    qtbot.wait(900)  # past the pause after drawing, the knee still on the screen
    gate.release()
    wait_idle(window)

    user = window.session.user
    assert user is not None
    assert clinic.imaging.marks(user, shoulder.id) == []
    assert [m.kind for m in clinic.imaging.marks(user, knee.id)] == ["distance"]
