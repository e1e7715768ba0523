"""The unit of work every service call runs in: permission, session, actor, audit."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed, PermissionDenied
from clinic_app.kernel.security import audit
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import (
    READ_ONLY,
    Actor,
    ClinicSession,
    limit_writes,
    run_before_commit,
)
from clinic_app.kernel.staff import User
from clinic_app.kernel.store import Store
from clinic_app.kernel.vocabulary import Role

SYSTEM_ID = uuid.UUID(int=0)
SYSTEM = CurrentUser(
    id=SYSTEM_ID, username="system", display_name="System (command line)", role=Role.ADMIN
)
"""The actor for administration from the command line when nobody is named (tests, demo)."""


def command_line(operator: str) -> CurrentUser:
    """The actor for a command-line action by the named ``operator``: recorded by name."""
    return CurrentUser(
        id=SYSTEM_ID,
        username=operator,
        display_name=f"{operator} (command line)",
        role=Role.ADMIN,
    )


@dataclass
class AppConfig:
    """Settings a service lead may change; defaults are the design's."""

    idle_lock_seconds: int = 300
    max_failed_logins: int = 5
    login_lockout_seconds: int = 300


@dataclass
class Context:
    """What every service shares: the store, this device, the clock and the settings."""

    store: Store
    device_id: uuid.UUID
    today: Callable[[], date] = date.today
    config: AppConfig = field(default_factory=AppConfig)
    wording_packs: Path | None = None
    """Folder of imported licensed questionnaire wording packs (``<questionnaire id>.json``)."""


class Mode(enum.Enum):
    """What a unit of work may write, which decides the lock it takes on the store."""

    READ = "read"
    """Reads only: no write lock on SQLite, and any write at all is refused."""
    AUDITED_READ = "audited_read"
    """A read that writes its audit entry and nothing else. It takes the write lock up front,
    like a write, so a writer committing between its reads and its audit entry cannot make
    the entry fail (on SQLite a plain transaction's stale snapshot cannot be upgraded)."""
    WRITE = "write"
    """Reads and writes anything, under the write lock taken up front."""


def _nothing(_obj: object) -> bool:
    return False


class UnitOfWork:
    """Opens one transaction for one user action, after checking the action is allowed."""

    def __init__(self, context: Context) -> None:
        self._context = context

    @contextmanager
    def __call__(
        self, actor: CurrentUser, action: Action, *, mode: Mode = Mode.WRITE
    ) -> Iterator[ClinicSession]:
        """Check ``action`` for ``actor``, then yield a session that commits on success.

        The user row is re-read each time, so a disabled account or a changed role takes
        effect at the next action, not the next sign-in. ``mode`` says what the unit of work
        may write (see :class:`Mode`); a write it does not allow raises ``WriteRefused``.
        What the body asked to run before commit (the handlers of the record events it
        raised) runs once the body is done, in the same transaction.
        """
        require(actor.role, action)
        with self._context.store.sessions.begin() as session:
            if mode is Mode.READ:
                session.connection(execution_options={READ_ONLY: True})
                limit_writes(session, _nothing)
            elif mode is Mode.AUDITED_READ:
                limit_writes(session, audit.is_chain_row)
            if actor.id != SYSTEM_ID:
                user = session.get(User, actor.id)
                if user is None or user.deleted or not user.active:
                    raise AuthenticationFailed("auth.disabled")
                if user.role != actor.role:
                    raise PermissionDenied("permission.role_changed", action=action.value)
            session.actor = Actor(device_id=self._context.device_id, user_id=recorded_by(actor))
            yield session
            run_before_commit(session)

    def audit(
        self,
        session: ClinicSession,
        actor: CurrentUser,
        action: str,
        *,
        patient_id: uuid.UUID | None = None,
        entity: str | None = None,
        entity_id: uuid.UUID | None = None,
    ) -> None:
        """Append to the audit trail inside the current transaction."""
        audit.append(
            session,
            action=action,
            device_id=self._context.device_id,
            user_id=recorded_by(actor),
            patient_id=patient_id,
            entity=entity,
            entity_id=entity_id,
            operator=actor.username if actor.id == SYSTEM_ID else None,
        )


def recorded_by(actor: CurrentUser) -> uuid.UUID | None:
    """The user id to record as author or signer: None for the command-line system actor."""
    return None if actor.id == SYSTEM_ID else actor.id
