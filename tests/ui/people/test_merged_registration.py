"""A patient registered twice, the registrations merged: what a clinician finds and sees."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.session import Actor
from clinic_app.people.model import Patient, PatientAlert
from clinic_app.people.text import search_key
from clinic_app.people.views import PatientSummary
from tests.support.merges import merged_by_sync
from tests.ui.conftest import CLINICIAN, WAIT_MS, search_for, sign_in, type_into, wait_idle
from tests.ui.late_answers import in_banner, open_record
from tests.ui.records import second_registration
from tests.ui.shell.test_lock import _unlock
from tests.ui.shell.test_patient_journey import CTRL_SHIFT, _start_assessment
from tests.ui.shell.test_screens_follow_changes import sync_round_brought_something
from ui.app import MainWindow


def _allergy_under(clinic: Services, patient_id: uuid.UUID, text: str) -> None:
    with clinic.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=clinic.context.device_id)
        session.add(PatientAlert(patient_id=patient_id, kind="allergy", text=text))


def _family_name(clinic: Services, patient_id: uuid.UUID, name: str) -> None:
    with clinic.context.store.engine.begin() as conn:
        conn.execute(
            update(Patient.__table__)
            .where(Patient.__table__.c.id == patient_id)
            .values(family_name=name, family_key=search_key(name))
        )


def test_the_name_the_merged_registration_was_under_finds_the_surviving_record(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    # Registered a second time at another clinic under her married name; same NHS number.
    # The first registration (maiden name) is merged into the second.
    survivor = second_registration(clinic, seeded_patient)
    _family_name(clinic, survivor, "Hughes")
    merged_by_sync(clinic, survivor, seeded_patient.id)
    sign_in(qtbot, window, CLINICIAN)

    # By NHS number the surviving record is found ...
    assert [p.id for p in search_for(qtbot, window, seeded_patient.nhs_number or "")] == [survivor]
    # ... and by the name on the GP's referral (the first registration's) it is found too.
    found = search_for(qtbot, window, f"{seeded_patient.family_name}, {seeded_patient.given_name}")
    assert [p.id for p in found] == [survivor]


def test_the_search_row_of_the_surviving_record_counts_the_merged_registrations_allergy(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    _allergy_under(clinic, seeded_patient.id, "Penicillin: anaphylaxis")
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)
    sign_in(qtbot, window, CLINICIAN)

    (row,) = search_for(qtbot, window, seeded_patient.nhs_number or "")
    assert row.id == survivor
    model = window.screen_by_id("search").view.model
    column = model.COLUMNS.index("alerts")
    shown = model.data(model.index(0, column), Qt.ItemDataRole.AccessibleTextRole)
    # The banner shows the allergy once the record opens; the row says so before.
    assert shown == "1 alert"


def test_an_assessment_typed_as_the_merge_arrives_is_offered_on_the_surviving_record(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    survivor = second_registration(clinic, seeded_patient)
    sign_in(qtbot, window, CLINICIAN)
    # The first registration is open; the clinician types the assessment ...
    open_record(qtbot, window, seeded_patient.id)
    assessment = _start_assessment(qtbot, window)
    assert assessment.view_model.patient_id == seeded_patient.id
    type_into(qtbot, assessment.view.texts["presenting_complaint"], "Right knee giving way")

    # ... when a sync round brings the merge made at the other clinic: the banner follows.
    merged_by_sync(clinic, survivor, seeded_patient.id)
    sync_round_brought_something(window)
    qtbot.waitUntil(lambda: in_banner(window, survivor), timeout=WAIT_MS)
    wait_idle(window)
    # What was typed was saved, under the registration merged away.
    user = window.session.require_user()
    assert clinic.assessments.on_file(user, seeded_patient.id).draft is not None

    # Assessment (Ctrl+Shift+A) from the surviving record offers that draft to continue.
    qtbot.keyClick(window, Qt.Key.Key_A, CTRL_SHIFT)
    screen = window.screen_by_id("assessment")
    qtbot.waitUntil(
        lambda: screen.offer.new_button.isVisible() or screen.view_model.patient_id is not None,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert screen.offer.continue_button.isVisible(), "the draft typed is not offered"

    # Continued there, the words typed are on screen and what is added is kept with them.
    qtbot.mouseClick(screen.offer.continue_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    complaint = screen.view.texts["presenting_complaint"]
    qtbot.waitUntil(lambda: "Right knee giving way" in complaint.toPlainText(), timeout=WAIT_MS)
    complaint.moveCursor(QTextCursor.MoveOperation.End)
    type_into(qtbot, complaint, " on stairs")
    screen.view_model.save_now()
    wait_idle(window)
    assert not window.notice.isVisible(), window.notice.text()
    kept = clinic.assessments.on_file(user, survivor).draft
    assert kept is not None
    opened = clinic.assessments.get(user, kept.id)
    assert opened.content["presenting_complaint"].endswith("giving way on stairs")


def test_a_merge_a_sync_brought_while_locked_moves_the_banner_on_unlocking(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    survivor = second_registration(clinic, seeded_patient)
    _allergy_under(clinic, survivor, "Latex: anaphylaxis")
    sign_in(qtbot, window, CLINICIAN)
    open_record(qtbot, window, seeded_patient.id)
    # The clinician steps away; the screen locks; a sync round brings the merge.
    window.lock()
    merged_by_sync(clinic, survivor, seeded_patient.id)
    sync_round_brought_something(window)
    _unlock(qtbot, window, demo_password(CLINICIAN))
    wait_idle(window)
    qtbot.wait(100)
    wait_idle(window)

    # Back at the desk, the banner is the record the registration was merged into, with the
    # latex allergy recorded on it.
    assert any("Latex" in text for text in window.banner.alert_texts()), window.banner.alert_texts()
    assert window.context.patient is not None
    assert window.context.patient.id == survivor
