"""The letters due, read for the user: a clinician's own, or the whole service's for the lead."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal

from clinic_app.domains.letters.views import DueLetter
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors, formatting
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


def _tr(text: str) -> str:
    return QCoreApplication.translate("LettersDue", text)


class DueLetters(Protocol):
    """The part of ``LetterService`` this list uses."""

    def due(
        self, actor: CurrentUser, today: date | None = None, clinician_id: uuid.UUID | None = None
    ) -> list[DueLetter]: ...


def letter_words(item: DueLetter) -> str:
    """The letter that is due: the discharge letter, or the GP notice of an onward referral."""
    return (
        _tr("Discharge letter to the GP")
        if item.reason == "discharge"
        else _tr("GP notice of onward referral")
    )


def _days(n: int, working: bool) -> str:
    if working:
        return _tr("1 working day") if n == 1 else _tr("{n} working days").format(n=n)
    return _tr("1 day") if n == 1 else _tr("{n} days").format(n=n)


def days_left_words(item: DueLetter) -> str:
    """Days left against the target, in words; a breach says so ("Overdue by ...")."""
    if item.breached:
        late = max(1, -item.days_left)
        return _tr("Overdue by {days}").format(days=_days(late, item.working_days))
    if item.days_left <= 0:
        return _tr("Due today")
    return _tr("{days} left").format(days=_days(item.days_left, item.working_days))


class Urgency:
    """How a row is marked: breached, due within a day, or in time."""

    BREACHED = "breached"
    SOON = "soon"
    IN_TIME = "in_time"


def urgency(item: DueLetter) -> str:
    """How ``item``'s row is marked."""
    if item.breached:
        return Urgency.BREACHED
    return Urgency.SOON if item.days_left <= 1 else Urgency.IN_TIME


@dataclass(frozen=True)
class DueRow:
    """One row of the list, worded."""

    item: DueLetter
    patient: str
    nhs_number: str
    letter: str
    since: str
    due_on: str
    days_left: str
    gp: str
    draft: str
    urgency: str


def row(item: DueLetter) -> DueRow:
    """``item`` worded for the table."""
    return DueRow(
        item=item,
        patient=item.patient_name,
        nhs_number=item.nhs_number,
        letter=letter_words(item),
        since=(
            _tr("Discharged {day}") if item.reason == "discharge" else _tr("Referred on {day}")
        ).format(day=formatting.clinical_date(item.since)),
        due_on=formatting.clinical_date(item.due_on),
        days_left=days_left_words(item),
        gp=_tr("No GP practice recorded") if item.no_gp_practice else _tr("Recorded"),
        draft=_tr("Draft started") if item.draft_id is not None else _tr("Not started"),
        urgency=urgency(item),
    )


class LettersDueViewModel(QObject):
    """The list, read afresh each time it is opened or a letter is signed."""

    rows_changed = Signal(object)
    """A list of ``DueRow``."""
    problem = Signal(str)

    def __init__(
        self,
        letters: DueLetters,
        *,
        runner: TaskRunner,
        session: UserSession,
        sees_everyone: Callable[[CurrentUser], bool],
        writes_letters: Callable[[CurrentUser], bool],
        parent: QObject | None = None,
    ) -> None:
        """The list of the user's letters due, or everyone's.

        Args:
            letters: the letters service (its ``due``).
            runner: runs the store's work off the window's thread.
            session: who is signed in.
            sees_everyone: the user sees every clinician's letters (else their own).
            writes_letters: the user may open a row to write its letter.
            parent: the owner of this view model.
        """
        super().__init__(parent)
        self._letters = letters
        self._sees_everyone = sees_everyone
        self._writes_letters = writes_letters
        self._runner = runner
        self._session = session
        self.rows: list[DueRow] = []
        self.everyone = False
        #: The day the list is read for (None: the service's today).
        self.today: Callable[[], date | None] = lambda: None
        self._epoch = 0

    @property
    def may_open(self) -> bool:
        """True when the user writes letters (the service lead reads the list only)."""
        user = self._session.user
        return user is not None and self._writes_letters(user)

    def load(self) -> None:
        user = self._session.user
        if user is None:
            return
        self._epoch += 1
        epoch, letters = self._epoch, self._letters
        self.everyone = self._sees_everyone(user)
        clinician = None if self.everyone else user.id
        on = self.today()
        self._runner.run_store(
            lambda: letters.due(user, today=on, clinician_id=clinician),
            on_done=lambda found: self._loaded(found) if epoch == self._epoch else None,
            on_failed=lambda error: (
                self.problem.emit(errors.explain(error)) if epoch == self._epoch else None
            ),
        )

    def reset(self) -> None:
        self._epoch += 1
        self.rows = []
        self.rows_changed.emit(self.rows)

    def _loaded(self, found: list[DueLetter]) -> None:
        self.rows = [row(item) for item in found]
        self.rows_changed.emit(self.rows)
