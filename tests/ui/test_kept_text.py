"""Unreadable text kept through leaving a patient goes back only into the record it was typed in,
for the user who typed it (the real draft store, the real task runner)."""

from __future__ import annotations

import uuid
from typing import Any

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.current_user import CurrentUser
from tests.ui.conftest import SUPERVISOR
from ui.common.kept_text import KeptText
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

A, B = uuid.uuid4(), uuid.uuid4()
X, Y = uuid.uuid4(), uuid.uuid4()


class _Form:
    """What a form was handed back, in order."""

    def __init__(self) -> None:
        self.put: list[dict[str, Any]] = []

    def __call__(self, texts: dict[str, Any]) -> None:
        self.put.append(texts)


def _kept(clinic: Services, runner: TaskRunner, user: CurrentUser) -> KeptText:
    session = UserSession()
    session.sign_in(user)
    return KeptText(clinic.drafts, runner, session, "test.text")


def _typed(kept: KeptText, runner: TaskRunner, record: uuid.UUID | None) -> None:
    """The form opened by itself on ``record`` of A, and "7/10" typed where a number goes."""
    kept.opening(named=False)
    kept.shown(A, record, _Form())
    runner.wait_idle()
    kept.keep({"pain": "7/10"}, record)


def _leave_then_show(
    kept: KeptText,
    runner: TaskRunner,
    record: uuid.UUID | None,
    *,
    named: bool,
    patient: uuid.UUID = A,
) -> _Form:
    kept.leave()
    runner.wait_idle()
    form = _Form()
    kept.opening(named=named)
    kept.shown(patient, record, form)
    runner.wait_idle()
    return form


def test_text_goes_back_only_into_the_record_it_was_typed_in(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, clinician: CurrentUser
) -> None:
    kept = _kept(clinic, runner, clinician)
    _typed(kept, runner, X)
    kept.save_now()

    assert _leave_then_show(kept, runner, X, named=False).put == [{"pain": "7/10"}]
    # Another of the patient's records, named from the timeline, or a new one: not there.
    assert _leave_then_show(kept, runner, Y, named=True).put == []
    assert _leave_then_show(kept, runner, None, named=False).put == []
    # Another patient: never.
    assert _leave_then_show(kept, runner, X, named=False, patient=B).put == []
    # Still kept for X all along.
    assert _leave_then_show(kept, runner, X, named=True).put == [{"pain": "7/10"}]


def test_text_typed_before_the_first_save_goes_into_the_record_opened_by_itself(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, clinician: CurrentUser
) -> None:
    kept = _kept(clinic, runner, clinician)
    _typed(kept, runner, None)
    kept.save_now()

    # Saved as the clinician left: the form opens that draft by itself, and the text goes in.
    assert _leave_then_show(kept, runner, X, named=False).put == [{"pain": "7/10"}]
    # A record named from the timeline is another one: not there.
    assert _leave_then_show(kept, runner, Y, named=True).put == []


def test_another_user_never_gets_it_and_readable_text_leaves_nothing(
    qtbot: QtBot, clinic: Services, runner: TaskRunner, clinician: CurrentUser
) -> None:
    kept = _kept(clinic, runner, clinician)
    _typed(kept, runner, X)
    kept.leave()
    runner.wait_idle()

    supervisor = clinic.auth.login(SUPERVISOR, demo_password(SUPERVISOR))
    other = _kept(clinic, runner, supervisor)
    assert _leave_then_show(other, runner, X, named=False).put == []

    # Typed again so it reads: nothing is kept any more.
    form = _leave_then_show(kept, runner, X, named=False)
    assert form.put == [{"pain": "7/10"}]
    kept.keep({}, X)
    kept.leave()
    runner.wait_idle()
    assert clinic.drafts.load(clinician, "test.text", str(A)) is None
