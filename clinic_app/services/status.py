"""What the status bar shows: site, sync state, changes waiting to sync."""

from __future__ import annotations

from sqlalchemy import func, select

from clinic_app.model import OutboxEntry
from clinic_app.security.permissions import Action
from clinic_app.services.base import Context, UnitOfWork
from clinic_app.services.types import CurrentUser, StoreStatus


class StatusService:
    """The device's state, cheap enough to poll."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    def current(self, actor: CurrentUser) -> StoreStatus:
        """Site, sync state ("offline" until a server is configured) and pending changes."""
        with self._uow(actor, Action.STATUS_VIEW, read_only=True) as session:
            pending = session.scalar(select(func.count(OutboxEntry.seq))) or 0
        return StoreStatus(
            site_name=actor.site_name,
            device_id=self._context.device_id,
            sync_state="offline",
            pending_changes=pending,
        )
