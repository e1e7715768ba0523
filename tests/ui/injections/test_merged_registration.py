"""Injections recorded under a registration since merged: opened from the surviving record."""

from __future__ import annotations

import uuid
from dataclasses import replace

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.injections.views import InjectionInput
from clinic_app.people.views import PatientSummary
from clinic_app.records.timeline import TimelineEntry
from tests.core.injections.helpers import knee_injection
from tests.support.merges import merged_by_sync
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.injections.helpers import PASSWORD, add_pgd, user_of
from tests.ui.late_answers import in_banner, open_record, settle
from tests.ui.records import second_registration
from ui.app import MainWindow
from ui.domains.injections.injection.screens import InjectionScreen


def _entry_under(
    qtbot: QtBot, window: MainWindow, survivor: uuid.UUID, merged: uuid.UUID
) -> TimelineEntry:
    """The surviving record open, and its injection entry recorded under ``merged``."""
    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    (entry,) = [
        e
        for e in record.view_model.timeline.entries
        if e.patient_id == merged and e.screen_id == "injection"
    ]
    return entry


def _opened(qtbot: QtBot, window: MainWindow, entry: TimelineEntry) -> InjectionScreen:
    window.screen_by_id("patient").view_model.open_entry(entry)
    settle(qtbot, window)
    screen = window.screen_by_id("injection")
    assert isinstance(screen, InjectionScreen)
    assert window.showing(screen), window.screen_by_id("patient").view.notice.text()
    return screen


def _recorded(
    clinic: Services, window: MainWindow, patient: uuid.UUID, fields: InjectionInput
) -> uuid.UUID:
    user = user_of(window)
    draft = clinic.injections.start(user, patient)
    clinic.injections.save(user, draft.id, fields)
    return draft.id


def test_an_injection_draft_under_a_merged_registration_is_continued_from_the_survivor(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    fields = replace(knee_injection(add_pgd(clinic, window)), approach="superolateral")
    draft = _recorded(clinic, window, seeded_patient.id, fields)
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)

    screen = _opened(qtbot, window, _entry_under(qtbot, window, survivor, seeded_patient.id))
    assert in_banner(window, survivor)
    vm = screen.view_model
    assert vm.record is not None
    assert vm.record.id == draft
    assert screen.view.approach.text() == "superolateral"
    assert screen.view.target.isEnabled()

    # Continued there: what is added is kept on the same record.
    type_into(qtbot, screen.view.approach, ", patient sitting")
    vm.save_now()
    wait_idle(window)
    wait_idle(window)
    assert not window.notice.isVisible(), window.notice.text()
    kept = clinic.injections.get(user_of(window), draft)
    assert kept.fields.approach == "superolateral, patient sitting"
    assert [r.id for r in clinic.injections.for_patient(user_of(window), survivor)] == [draft]


def test_a_signed_injection_under_a_merged_registration_opens_from_the_survivor(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = user_of(window)
    fields = replace(knee_injection(add_pgd(clinic, window)), approach="anteromedial")
    record = _recorded(clinic, window, seeded_patient.id, fields)
    for warning in clinic.injections.checks(user, record).warnings:
        clinic.injections.acknowledge(user, record, warning.code)
    clinic.injections.sign(user, record, PASSWORD)
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)

    screen = _opened(qtbot, window, _entry_under(qtbot, window, survivor, seeded_patient.id))
    assert in_banner(window, survivor)
    vm = screen.view_model
    assert vm.record is not None
    assert vm.record.id == record
    assert vm.is_signed
    assert screen.view.approach.text() == "anteromedial"
    assert screen.view.state.text().startswith("Signed on ")
    assert vm.may_amend
