"""The reason a clinician is typing to discharge (close) a patient's episode is theirs: a scan or
a sync arriving in the background, which reads the record again, must not wipe it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import type_into, wait_idle
from ui.app import MainWindow

REASON = "Goals met, self-managing with home exercises; GP informed"


def test_a_reason_being_typed_survives_the_record_being_read_again(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.require_user()
    window.open_screen("patient", clinic.patients.open(user, seeded_patient.id))
    wait_idle(window)
    timeline = window.screen_by_id("patient").view.timeline
    type_into(qtbot, timeline.reason, REASON)
    assert timeline.reason.text() == REASON

    # A scanner pushes images meanwhile (or a sync round brings a colleague's note): the
    # record reads itself again while the clinician is still on it.
    window.context.announce("images.received", None)
    wait_idle(window)
    wait_idle(window)

    assert timeline.reason.text() == REASON, "the discharge reason being typed was wiped"


def test_a_reason_being_typed_never_shows_on_another_patients_record(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.require_user()
    other = next(
        p for p in clinic.patients.search(user, "999", limit=5) if p.id != seeded_patient.id
    )
    window.open_screen("patient", clinic.patients.open(user, seeded_patient.id))
    wait_idle(window)
    timeline = window.screen_by_id("patient").view.timeline
    type_into(qtbot, timeline.reason, REASON)

    window.open_screen("patient", clinic.patients.open(user, other.id))
    wait_idle(window)
    assert timeline.reason.text() == ""
    assert not timeline.close_button.isEnabled()
