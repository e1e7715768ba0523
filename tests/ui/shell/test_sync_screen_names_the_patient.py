"""Service > Sync: the changes the server refused, listed for a person to look at."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.sync.model import SyncIssue
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from tests.ui.late_answers import two_patients
from ui.app import MainWindow


def test_refused_changes_to_two_patients_assessments_each_name_their_patient(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    """Two of the clinician's assessment changes, one for patient A and one for patient B,
    were refused by the server (kept as the sync client keeps a refused change). The Sync
    screen lists both as the same line, "assessment: content — the role of the person who
    made it does not allow it": neither names its patient, so nobody can tell whose record
    holds a change that never reached the server, nor tell the IT lead which one."""
    sign_in(qtbot, window, CLINICIAN)
    a, b = two_patients(clinic, window)
    user = window.session.require_user()
    of_a = clinic.assessments.save_draft(user, a.id, {"presenting_complaint": "Left knee pain"})
    of_b = clinic.assessments.save_draft(user, b.id, {"presenting_complaint": "Right hip pain"})
    with clinic.context.store.sessions.begin() as session:
        for refused in (of_a, of_b):
            session.add(
                SyncIssue(
                    kind="rejected",
                    table_name="assessment",
                    row_id=refused.id,
                    reason="sync.not_allowed",
                    change={"fields": {"content": {}}},
                    user_id=user.id,
                )
            )

    window.action("sync").trigger()
    view = window.screen_by_id("sync").view
    qtbot.waitUntil(lambda: len(view.issue_labels) == 2, timeout=WAIT_MS)
    wait_idle(window)
    listed = sorted(label.text() for label in view.issue_labels)
    named_a = [t for t in listed if a.family_name.upper() in t.upper()]
    named_b = [t for t in listed if b.family_name.upper() in t.upper()]
    assert len(named_a) == 1, listed
    assert len(named_b) == 1, listed
    assert named_a != named_b, listed
