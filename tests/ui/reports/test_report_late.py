"""A scan report asked for one patient, answered after the page moved on to another."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import WAIT_MS, sign_in
from tests.ui.late_answers import Gate, in_banner, open_record, settle, two_patients
from ui.app import MainWindow

FINDING = "Full-thickness supraspinatus tear (the first patient's report only)"


def _study(clinic: Services, patient_id: uuid.UUID, seed: int) -> uuid.UUID:
    sonographer = clinic.auth.login("sonographer", demo_password("sonographer"))
    frame = np.random.default_rng(seed).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    image = clinic.imaging.capture_still(
        sonographer, patient_id, frame, body_part="KNEE", laterality="R"
    )
    assert image.study_id is not None
    return image.study_id


def _report_of(qtbot: QtBot, window: MainWindow, study_id: uuid.UUID) -> None:
    screen = window.screen_by_id("report")
    window.open_screen("report", study_id)
    qtbot.waitUntil(
        lambda: (
            screen.view_model.report is not None and screen.view_model.report.study_id == study_id
        ),
        timeout=WAIT_MS,
    )


def test_a_report_pdf_made_late_is_named_for_its_own_patient_and_not_saved_on_the_next_page(
    qtbot: QtBot, clinic: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, "sonographer")
    a, b = two_patients(clinic, window)
    study_a, study_b = _study(clinic, a.id, 1), _study(clinic, b.id, 2)
    screen = window.screen_by_id("report")
    # A's PDF is drawn slowly on the I/O pool (reportlab's first start, a busy laptop).
    real_render = clinic.reports.render_pdf
    drawing_a, go = threading.Event(), threading.Event()
    whose: dict[int, str] = {}

    def render(printable: Any) -> bytes:
        pdf = real_render(printable)
        whose[id(pdf)] = printable.nhs_number.replace(" ", "")
        if printable.report.study_id == study_a:
            drawing_a.set()
            assert go.wait(20)
        return pdf

    monkeypatch.setattr(clinic.reports, "render_pdf", render)
    saved: list[tuple[str, str]] = []  # (the file's name, whose report is in it)
    monkeypatch.setattr(
        screen.view.pdf_delivery,
        "deliver",
        lambda pdf, name, _title: saved.append((name, whose[id(pdf)])) and None,
    )
    problems: list[str] = []
    screen.view_model.problem.connect(problems.append)

    open_record(qtbot, window, a.id)
    _report_of(qtbot, window, study_a)
    screen.view_model.print_pdf()
    qtbot.waitUntil(drawing_a.is_set, timeout=WAIT_MS)
    window.screen_by_id("search").view_model.choose_patient(b.id)
    qtbot.waitUntil(lambda: in_banner(window, b.id), timeout=WAIT_MS)
    _report_of(qtbot, window, study_b)
    screen.view_model.print_pdf()  # B's report prints at once
    qtbot.waitUntil(lambda: len(saved) == 1, timeout=WAIT_MS)
    go.set()
    settle(qtbot, window)

    # B's PDF saved under B's name; A's, finished under B's page, not saved there.
    assert saved == [(saved[0][0], b.nhs_number)]
    assert b.nhs_number in saved[0][0]
    # That A's was not printed is said on the window, naming A, and not on B's page.
    assert problems == []
    assert window.notice.text() == (
        f"The scan report for {a.family_name.upper()}, {a.given_name} was not printed: the "
        "page moved on before it was ready. Open it again from their record to print it."
    )


def test_the_report_page_shows_nothing_of_the_last_patients_report_while_the_next_loads(
    qtbot: QtBot, clinic: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, "sonographer")
    user = window.session.user
    a, b = two_patients(clinic, window)
    study_a, study_b = _study(clinic, a.id, 1), _study(clinic, b.id, 2)
    screen = window.screen_by_id("report")
    open_record(qtbot, window, a.id)
    _report_of(qtbot, window, study_a)
    settle(qtbot, window)
    next(iter(screen.view.fields.values())).setPlainText(FINDING)
    with qtbot.waitSignal(screen.view_model.saved, timeout=WAIT_MS):
        screen.view_model.save(screen.view.values())
    report_a = screen.view_model.report
    assert report_a is not None
    assert FINDING in str(clinic.reports.get(user, report_a.id).content)

    # B's report is slow to come: the page must not show A's words meanwhile.
    open_record(qtbot, window, b.id)
    gate = Gate(monkeypatch, clinic.reports, "start")
    window.open_screen("report", study_b)
    gate.wait_entered(qtbot)
    qtbot.wait(100)
    texts = [edit.toPlainText() for edit in screen.view.fields.values()]
    buttons = not screen.view.save_button.isHidden(), not screen.view.sign_button.isHidden()
    gate.release()
    settle(qtbot, window)
    assert not any(FINDING in text for text in texts)
    assert buttons == (False, False)
    assert in_banner(window, b.id)
    assert screen.view_model.report is not None
    assert screen.view_model.report.patient_id == b.id
