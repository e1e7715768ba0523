"""How a clinical record moves between statuses, and who may move it: declared as data.

A lifecycle is a list of steps. Each names the statuses it starts from, the status it leads
to (or none, for a step that leaves the status alone: editing a draft, adding an addendum),
the permission it needs, and the checks made before it, in order. The error codes are the
record type's own, so the words shown for them do not change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from clinic_app.kernel.errors import Conflict, PermissionDenied
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.vocabulary import RecordStatus, Role

__all__ = ["Check", "Lifecycle", "RecordStatus", "Step"]


class Check(StrEnum):
    """What is checked before a step, besides the permission of the actor's role."""

    #: The record is in one of the step's starting statuses (else Conflict ``step.refused``).
    STATUS = "status"
    #: The actor wrote the record (else PermissionDenied ``lifecycle.not_author``).
    AUTHOR = "author"
    #: The actor did not write the record: a verifier is never the author
    #: (else PermissionDenied ``lifecycle.own_record``).
    NOT_AUTHOR = "not_author"
    #: The actor is the reviewer the record was sent to
    #: (else PermissionDenied ``lifecycle.not_named_reviewer``).
    NAMED_REVIEWER = "named_reviewer"


@dataclass(frozen=True)
class Step:
    """One thing that may happen to a record in some of its statuses.

    Attributes:
        name: e.g. ``edit``, ``sign``, ``submit``, ``return``, ``verify``, ``amend``.
        sources: the statuses it may start from.
        target: the status it leads to; None when it leaves the status as it is.
        permission: what the actor's role must allow.
        checks: made in this order; the first that fails raises.
        refused: the Conflict code when the record is in another status.
    """

    name: str
    sources: frozenset[str]
    target: str | None
    permission: Action
    checks: tuple[Check, ...]
    refused: str


@dataclass(frozen=True)
class Lifecycle:
    """A record type's statuses and steps, and its codes for who may not take them."""

    steps: tuple[Step, ...]
    not_author: str
    own_record: str = "record.own_record"
    not_named_reviewer: str = "record.not_named_reviewer"
    #: The status a new record starts in: a draft for a written record; a record of another
    #: kind (an appointment) declares its own statuses and where they start.
    initial: str = RecordStatus.DRAFT.value

    def step(self, name: str) -> Step:
        """The step called ``name``.

        Raises:
            KeyError: for a step the lifecycle does not have.
        """
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    @property
    def statuses(self) -> frozenset[str]:
        """Every status a record of this type can be in."""
        found = {self.initial}
        for step in self.steps:
            found |= step.sources
            if step.target is not None:
                found.add(step.target)
        return frozenset(found)

    @property
    def transitions(self) -> Mapping[tuple[str, str], str]:
        """(from status, step name) to the status it leads to, for the steps that move it."""
        return {
            (source, step.name): step.target
            for step in self.steps
            if step.target is not None
            for source in sorted(step.sources)
        }

    def allowed(self, status: str) -> tuple[str, ...]:
        """Names of the steps that may start from ``status``."""
        return tuple(step.name for step in self.steps if status in step.sources)

    def check(
        self,
        name: str,
        *,
        status: str,
        role: Role,
        actor: uuid.UUID | None,
        author: uuid.UUID | None,
        reviewer: uuid.UUID | None = None,
    ) -> Step:
        """Check that ``actor`` may take step ``name`` on a record in ``status``.

        Args:
            name: the step.
            status: the record's status as stored.
            role: the actor's role, for the step's permission.
            actor: the actor's id as the record type records its author.
            author: who wrote the record.
            reviewer: who the record was sent to for review, if anyone.

        Returns:
            The step, so the caller can move the record to its ``target``.

        Raises:
            PermissionDenied: ``permission.denied`` (the role), or the lifecycle's
                ``not_author``, ``own_record`` or ``not_named_reviewer`` code.
            Conflict: the step's ``refused`` code for a record in another status.
        """
        step = self.step(name)
        require(role, step.permission)
        for check in step.checks:
            if check is Check.STATUS and status not in step.sources:
                raise Conflict(step.refused)
            if check is Check.AUTHOR and author != actor:
                raise PermissionDenied(self.not_author)
            if check is Check.NOT_AUTHOR and author == actor:
                raise PermissionDenied(self.own_record)
            if check is Check.NAMED_REVIEWER and reviewer != actor:
                raise PermissionDenied(self.not_named_reviewer)
        return step


def statuses(*names: str) -> frozenset[str]:
    """A set of statuses, for declaring a step's sources."""
    return frozenset(names)
