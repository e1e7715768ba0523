"""A care plan made under a registration since merged into the record, opened there."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from clinic_app.records.timeline import TimelineEntry
from tests.core.care_plans.conftest import agreed_plan
from tests.support.merges import merged_by_sync
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.late_answers import open_record
from tests.ui.people.test_merged_registration import _family_name
from tests.ui.records import second_registration
from ui.app import MainWindow
from ui.domains.care_plans.plan.screens import CarePlanScreen

PASSWORD = demo_password(CLINICIAN)


def _open_from_the_timeline(
    qtbot: QtBot, window: MainWindow, survivor: uuid.UUID, merged: uuid.UUID
) -> CarePlanScreen:
    """Open the survivor's record, then the plan listed on it from the merged registration."""
    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    entries: list[TimelineEntry] = record.view_model.timeline.entries
    entry = next(e for e in entries if e.screen_id == "care_plan" and e.patient_id == merged)
    record.view_model.open_entry(entry)
    wait_idle(window)
    screen = window.screen_by_id("care_plan")
    assert isinstance(screen, CarePlanScreen)
    qtbot.waitUntil(lambda: screen.view_model.plan is not None, timeout=WAIT_MS)
    wait_idle(window)
    assert window.showing(screen), record.view.notice.text()
    assert window.context.patient is not None
    assert window.context.patient.id == survivor
    assert screen.view_model.patient_id == survivor
    return screen


def test_a_draft_plan_under_the_merged_registration_is_continued_and_signed_on_the_record(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.require_user()
    draft = clinic.care_plans.start(user, seeded_patient.id)
    clinic.care_plans.save(user, draft.id, seeded_patient.id, agreed_plan())
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)

    screen = _open_from_the_timeline(qtbot, window, survivor, seeded_patient.id)
    view, vm, page = screen.view, screen.view_model, screen.view.page
    assert vm.plan is not None
    assert vm.plan.id == draft.id
    assert vm.may_write
    assert page.what_matters.toPlainText() == "Looking after my grandson on Tuesdays."

    # Continued there: what is added is kept in the same plan, which is then signed.
    type_into(qtbot, page.named_contact, " (physiotherapist)")
    screen.save_now()
    wait_idle(window)
    qtbot.waitUntil(window.runner.is_idle, timeout=WAIT_MS)
    assert not view.notice.isVisible(), view.notice.text()
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)
    (kept,) = clinic.care_plans.for_patient(user, survivor)
    assert kept.id == draft.id
    assert kept.is_current
    assert kept.plan.named_contact == "Priya Shah (physiotherapist)"


def test_a_signed_plan_under_the_merged_registration_is_printed_and_reviewed_on_the_record(
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    seeded_patient: PatientSummary,
    tmp_path: Path,
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.require_user()
    draft = clinic.care_plans.start(user, seeded_patient.id)
    clinic.care_plans.save(user, draft.id, seeded_patient.id, agreed_plan())
    clinic.care_plans.sign(user, draft.id, seeded_patient.id, PASSWORD)
    # She is registered again under her married name; the first registration is merged in.
    survivor = second_registration(clinic, seeded_patient)
    _family_name(clinic, survivor, "Hughes")
    merged_by_sync(clinic, survivor, seeded_patient.id)

    screen = _open_from_the_timeline(qtbot, window, survivor, seeded_patient.id)
    view, vm = screen.view, screen.view_model
    assert vm.plan is not None
    assert vm.plan.id == draft.id
    assert vm.is_signed
    assert view.page.what_matters.isReadOnly()

    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(tmp_path / Path(suggested).name)
    delivery.has_printer = lambda: True
    previewed: list[Path] = []
    delivery.print_file = previewed.append
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previewed), timeout=WAIT_MS)
    [pdf] = previewed
    assert pdf.name.startswith("HUGHES")
    words = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert f"HUGHES, {seeded_patient.given_name}" in words
    assert f"{seeded_patient.family_name.upper()}, " not in words

    # Reviewed with her there: a new draft replacing the signed one.
    assert view.review_button.isVisibleTo(view)
    qtbot.mouseClick(view.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.plan is not None and not vm.is_signed, timeout=WAIT_MS)
    wait_idle(window)
    assert vm.plan is not None
    assert vm.plan.supersedes_id == draft.id
    assert not window.notice.isVisible(), window.notice.text()
