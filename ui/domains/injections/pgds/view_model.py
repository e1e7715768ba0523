"""The PGD register as the service lead keeps it: every PGD, added and changed here."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.views import PgdInput, PgdView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import UserSummary
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.common.wording import tr


class PgdRegister(Protocol):
    """The part of the PGD service this screen uses."""

    def list(self, actor: CurrentUser, on: date | None = None) -> Sequence[PgdView]: ...

    def add(self, actor: CurrentUser, data: PgdInput) -> PgdView: ...

    def update(self, actor: CurrentUser, pgd_id: uuid.UUID, data: PgdInput) -> PgdView: ...


class UserList(Protocol):
    """The part of the user service this screen uses: who the practitioners are."""

    def list(self, actor: CurrentUser) -> Sequence[UserSummary]: ...


@dataclass(frozen=True)
class Register:
    """What the screen reads: the PGDs, and everyone who may be named in one."""

    pgds: tuple[PgdView, ...]
    users: tuple[UserSummary, ...]


def drug_choices() -> list[tuple[str, str]]:
    """The formulary's products as (id, name), in the formulary's order."""
    return [(p.id, p.name) for p in injection_content().formulary.products]


def target_choices() -> list[tuple[str, str]]:
    """The injection sites as (id, title), in the list's order."""
    return [(t.id, t.title) for t in injection_content().targets.targets]


class PgdRegisterViewModel(QObject):
    """Reads the register and the users; saves one PGD at a time, new or changed."""

    loaded = Signal()
    saved = Signal(object)
    """The PGD just saved (a ``PgdView``)."""
    field_errors_changed = Signal(object)
    """Words for each field a refused save names, by field (empty once saved)."""
    problem = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self,
        pgds: PgdRegister,
        users: UserList,
        *,
        injecting_roles: Collection[str],
        runner: TaskRunner,
        session: UserSession,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pgds = pgds
        self._users = users
        self._injecting_roles = frozenset(str(role) for role in injecting_roles)
        self._runner = runner
        self._session = session
        self._today = today
        self.register = Register((), ())
        self.busy = False

    # ---------------------------------------------------------------- reading

    def load(self) -> None:
        """Read the register and the users afresh."""
        actor = self._session.user
        if actor is None:
            return
        pgds, users = self._pgds, self._users
        self._runner.run_store(
            lambda: Register(tuple(pgds.list(actor)), tuple(users.list(actor))),
            on_done=self._on_loaded,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
            supersede="pgd_register",
        )

    def reset(self) -> None:
        self.register = Register((), ())
        self._set_busy(False)
        self.field_errors_changed.emit({})
        self.loaded.emit()

    @property
    def today(self) -> date:
        return self._today()

    def pgd(self, pgd_id: uuid.UUID) -> PgdView | None:
        """The PGD of the register with this id, as last read."""
        return next((p for p in self.register.pgds if p.id == pgd_id), None)

    def person(self, person_id: uuid.UUID) -> str:
        """A practitioner's name as the users list gives it."""
        for user in self.register.users:
            if user.id == person_id:
                return user.display_name
        return tr("someone no longer on the users list")

    def clinicians(self, named: Collection[uuid.UUID] = ()) -> list[tuple[uuid.UUID, str]]:
        """The users who may give injections (active), with anyone ``named`` already, by name.

        Someone already named stays on offer even if no longer active or able to inject, so
        that editing a PGD never drops them unseen.
        """
        chosen = [
            (user.id, user.display_name)
            for user in self.register.users
            if (user.active and str(user.role) in self._injecting_roles) or user.id in named
        ]
        known = {person for person, _ in chosen}
        chosen += [(person, self.person(person)) for person in named if person not in known]
        return sorted(chosen, key=lambda pair: pair[1].casefold())

    # ---------------------------------------------------------------- saving

    def save(self, pgd_id: uuid.UUID | None, data: PgdInput) -> None:
        """Add a PGD (``pgd_id`` None) or change the one named; refusals come back by field."""
        actor = self._session.user
        if actor is None or self.busy:
            return
        pgds = self._pgds
        if pgd_id is None:
            work: Callable[[], PgdView] = lambda: pgds.add(actor, data)  # noqa: E731
        else:
            work = lambda: pgds.update(actor, pgd_id, data)  # noqa: E731
        self._set_busy(True)
        self._runner.run_store(work, on_done=self._on_saved, on_failed=self._on_failed)

    def _on_saved(self, view: PgdView) -> None:
        self._set_busy(False)
        self.field_errors_changed.emit({})
        self.saved.emit(view)
        self.load()

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        by_field = errors.field_messages(error)
        self.field_errors_changed.emit(by_field)
        if not by_field:
            self.problem.emit(errors.explain(error))

    def _on_loaded(self, register: Register) -> None:
        self.register = register
        self.loaded.emit()

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)
