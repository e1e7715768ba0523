"""Screens on show, and the open record, after a change made away from them.

A colleague's change a sync round brings in, a scan a scanner pushes, a report verified from
the queue, two records merged: what is on screen reads itself again, and the banner follows
a record merged into another.
"""

from __future__ import annotations

import io
import uuid

from pydicom.dataset import Dataset
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from clinic_app.sync.scheduler import SyncState
from tests.support.us_image import ONE_VIEW, ScanSubject, us_image
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, wait_idle
from tests.ui.records import (
    merge_keeping_the_second,
    second_registration,
    submitted_by_trainee,
    urgent_referral,
    verify_the_report_waiting,
)
from ui.app import MainWindow, WindowState


def sync_round_brought_something(window: MainWindow) -> None:
    """What the sync thread reports once a round has stored a colleague's rows here."""
    window.sync_state_changed.emit(SyncState(online=True, running=False, received=True))
    wait_idle(window)
    wait_idle(window)


def _open_record(qtbot: QtBot, window: MainWindow, patient_id: uuid.UUID) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient_id)
    record = window.screen_by_id("patient").view_model
    qtbot.waitUntil(
        lambda: record.timeline is not None and record.timeline.patient_id == patient_id,
        timeout=WAIT_MS,
    )
    wait_idle(window)


def test_the_open_record_shows_a_colleagues_note_a_sync_brought(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    assert window.state is WindowState.WORKING
    _open_record(qtbot, window, seeded_patient.id)
    record = window.screen_by_id("patient")
    assert window.showing(record)
    before = len(record.view_model.timeline.of_kind("assessment"))

    # A colleague signs an assessment on another laptop; this round pulls it in.
    colleague = clinic.auth.login("supervisor", demo_password("supervisor"))
    draft = clinic.assessments.save_draft(
        colleague, seeded_patient.id, {"presenting_complaint": "Hip pain on walking"}
    )
    clinic.assessments.sign(colleague, draft.id, demo_password("supervisor"))
    user = window.session.user
    fresh = clinic.timeline.for_patient(user, seeded_patient.id)
    assert len(fresh.of_kind("assessment")) == before + 1  # the store has it
    sync_round_brought_something(window)

    assert window.showing(record)
    assert len(record.view_model.timeline.of_kind("assessment")) == before + 1


def test_the_worklist_on_show_lists_a_referral_a_sync_brought(
    qtbot: QtBot,
    clinic: Services,
    clinician: CurrentUser,
    window: MainWindow,
    seeded_patient: PatientSummary,
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    window.action("worklist").trigger()
    worklist = window.screen_by_id("worklist")
    qtbot.waitUntil(lambda: window.showing(worklist), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(worklist.view_model.items), timeout=WAIT_MS)
    wait_idle(window)

    # Reception records an urgent referral on the front-desk laptop; this round pulls it in.
    referral = urgent_referral(clinic, clinician, seeded_patient)
    assert referral.id in {i.referral_id for i in clinic.triage.worklist(clinician)}
    sync_round_brought_something(window)

    assert window.showing(worklist)
    assert referral.id in {item.referral_id for item in worklist.view_model.items}


def _bytes(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def test_the_open_record_shows_a_study_a_scanner_pushed_meanwhile(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, "sonographer")
    assert window.state is WindowState.WORKING
    _open_record(qtbot, window, seeded_patient.id)
    record = window.screen_by_id("patient")
    assert record.view_model.timeline.of_kind("imaging_study") == ()

    # The scanner in the room pushes an image of this patient; the store keeps it and the
    # window hears of it (what the scanners' listener reports, on the UI thread).
    subject = ScanSubject(
        nhs_number=seeded_patient.nhs_number or "",
        family_name=seeded_patient.family_name.upper(),
        given_name=seeded_patient.given_name,
        birth_date=seeded_patient.date_of_birth,
        sex="O",
    )
    clinic.imaging.receive(_bytes(us_image(subject=subject, regions=ONE_VIEW)))
    user = window.session.user
    assert len(clinic.timeline.for_patient(user, seeded_patient.id).of_kind("imaging_study")) == 1
    window.scan_arrived.emit()
    wait_idle(window)
    wait_idle(window)

    assert window.showing(record)
    assert len(record.view_model.timeline.of_kind("imaging_study")) == 1


def test_the_banner_leaves_a_record_merged_away_while_it_was_open(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    second = second_registration(clinic, seeded_patient)
    sign_in(qtbot, window, "supervisor")
    # The supervisor has the older registration open ...
    _open_record(qtbot, window, seeded_patient.id)
    assert window.context.patient is not None
    assert window.context.patient.id == seeded_patient.id

    # ... and merges it into the newer one (the address the patient confirmed).
    window.action("duplicates").trigger()
    screen = window.screen_by_id("duplicates")
    view = screen.view
    qtbot.waitUntil(lambda: view.pairs.count() == 1, timeout=WAIT_MS)
    wait_idle(window)
    merge_keeping_the_second(qtbot, window)
    clinician = clinic.auth.login(CLINICIAN, demo_password(CLINICIAN))
    assert clinic.patients.open(clinician, seeded_patient.id).id == second

    # Back to the record (Find): the banner and the record are the merged record's survivor.
    window.action("search").trigger()
    wait_idle(window)
    banner = window.context.patient
    assert banner is not None
    assert banner.id == second
    assert window.screen_by_id("patient").view_model.record.id == second


def test_the_review_queue_on_show_lists_a_report_a_sync_brought(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    assert window.state is WindowState.WORKING
    window.action("review").trigger()
    review = window.screen_by_id("review")
    qtbot.waitUntil(lambda: window.showing(review), timeout=WAIT_MS)
    wait_idle(window)
    before = review.view.pending.count()

    # The trainee submits on the scanning-room laptop; this round pulls the report in.
    report_id = submitted_by_trainee(clinic, seeded_patient).id
    sync_round_brought_something(window)

    # The window says a report waits for review, and the queue on show lists it.
    assert "wait for your review" in window.notice.text()
    assert window.showing(review)
    assert report_id in {p.report.id for p in review.view_model.pending}
    assert review.view.pending.count() == before + 1


def test_the_record_shows_a_report_verified_from_the_queue_as_verified(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    report_id = submitted_by_trainee(clinic, seeded_patient).id
    sign_in(qtbot, window, SUPERVISOR)
    # The supervisor has the patient's record open ...
    window.screen_by_id("search").view_model.choose_patient(seeded_patient.id)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    wait_idle(window)
    (entry,) = record.view_model.timeline.of_kind("scan_report")
    assert entry.status == "submitted"

    # ... goes to the queue and verifies this patient's report there ...
    window.action("review").trigger()
    queue = window.screen_by_id("review").view
    qtbot.waitUntil(lambda: queue.pending.count() == 1, timeout=WAIT_MS)
    wait_idle(window)
    verify_the_report_waiting(qtbot, window)
    supervisor = window.session.user
    fresh = clinic.timeline.for_patient(supervisor, seeded_patient.id).of_kind("scan_report")
    assert [e.status for e in fresh if e.record_id == report_id] == ["verified"]

    # ... and goes back to the record (Find, or the record from the menu).
    window.open_screen("patient")
    wait_idle(window)
    assert window.showing(record)
    assert window.context.patient is not None
    assert window.context.patient.id == seeded_patient.id
    (entry,) = record.view_model.timeline.of_kind("scan_report")
    assert entry.status == "verified"


def test_a_report_opened_from_the_queue_with_no_record_open_shows_its_patient_on_the_record(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    report = submitted_by_trainee(clinic, seeded_patient)
    sign_in(qtbot, window, SUPERVISOR)
    record = window.screen_by_id("patient")
    assert record.view_model.record is None
    window.action("review").trigger()
    queue = window.screen_by_id("review")
    qtbot.waitUntil(lambda: queue.view.pending.count() == 1, timeout=WAIT_MS)
    queue.view.open_requested.emit(report)
    qtbot.waitUntil(lambda: window.context.patient is not None, timeout=WAIT_MS)
    wait_idle(window)
    assert window.context.patient.id == seeded_patient.id

    # The record page (Find) shows the banner's patient, never an empty page.
    window.action("search").trigger()
    wait_idle(window)
    assert record.view_model.record is not None
    assert record.view_model.record.id == seeded_patient.id


def test_the_review_queue_keeps_nothing_of_the_last_user_once_reset(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    submitted_by_trainee(clinic, seeded_patient)
    sign_in(qtbot, window, SUPERVISOR)
    window.action("review").trigger()
    queue = window.screen_by_id("review")
    qtbot.waitUntil(lambda: queue.view.pending.count() == 1, timeout=WAIT_MS)
    # Switching user resets every screen: the queue is empty before the next one is read.
    queue.reset()
    assert queue.view.pending.count() == 0
    assert queue.view_model.pending == []


def test_a_sync_round_that_finishes_as_the_window_shuts_reads_nothing_again(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    _open_record(qtbot, window, seeded_patient.id)
    window.shutdown()
    # The round's word arrives after the task runner has stopped: nothing asks it for work
    # (which it refuses), and nothing is raised in the event loop.
    window.sync_state_changed.emit(SyncState(online=True, running=False, received=True))
    qtbot.wait(50)
