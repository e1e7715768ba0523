"""Unsaved form content, kept per user in the encrypted store so nothing typed is lost."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.local import Draft
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import Context, Mode, UnitOfWork

MAX_DRAFT_BYTES = 256 * 1024


class DraftService:
    """Save, load and discard a user's drafts; one draft per form and subject."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def save(self, actor: CurrentUser, kind: str, key: str, payload: dict[str, Any]) -> None:
        """Keep ``payload`` (plain JSON values) as the user's draft of ``kind``/``key``.

        Raises:
            ValidationError: ``draft.too_large`` or ``draft.not_json``.
        """
        try:
            size = len(json.dumps(payload))
        except (TypeError, ValueError):
            raise ValidationError("draft.not_json") from None
        if size > MAX_DRAFT_BYTES:
            raise ValidationError("draft.too_large", size=size)
        with self._uow(actor, Action.DRAFT_KEEP) as session:
            draft = session.scalars(
                select(Draft).where(
                    Draft.user_id == actor.id, Draft.kind == kind, Draft.subject == key
                )
            ).one_or_none()
            if draft is None:
                session.add(Draft(user_id=actor.id, kind=kind, subject=key, payload=payload))
            else:
                draft.payload = payload
                draft.saved_at = utcnow()

    def load(self, actor: CurrentUser, kind: str, key: str) -> dict[str, Any] | None:
        """The user's draft of ``kind``/``key``, or None."""
        with self._uow(actor, Action.DRAFT_KEEP, mode=Mode.READ) as session:
            payload = session.scalar(
                select(Draft.payload).where(
                    Draft.user_id == actor.id, Draft.kind == kind, Draft.subject == key
                )
            )
        return dict(payload) if payload is not None else None

    def discard(self, actor: CurrentUser, kind: str, key: str) -> None:
        """Forget the draft (after the form was saved or deliberately cancelled)."""
        with self._uow(actor, Action.DRAFT_KEEP) as session:
            session.execute(
                delete(Draft).where(
                    Draft.user_id == actor.id, Draft.kind == kind, Draft.subject == key
                )
            )
