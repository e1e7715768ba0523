"""What the status bar shows: site, sync state, changes waiting to sync."""

from __future__ import annotations

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import Context
from clinic_app.people.sync_service import SyncService
from clinic_app.people.views import StoreStatus


class StatusService:
    """The device's state, cheap enough to poll."""

    def __init__(self, context: Context, sync: SyncService) -> None:
        self._context = context
        self._sync = sync

    def current(self, actor: CurrentUser) -> StoreStatus:
        """Site, sync state, changes waiting, the last sync and sync problems waiting."""
        sync = self._sync.status(actor)
        if not sync.configured:
            state = "standalone"
        elif sync.running:
            state = "syncing"
        else:
            state = "online" if sync.online else "offline"
        return StoreStatus(
            site_name=actor.site_name,
            device_id=self._context.device_id,
            sync_state=state,
            pending_changes=sync.pending,
            last_sync_at=sync.last_success_at,
            sync_problems=sync.open_issues,
            waiting_for_sign_in=sync.waiting_for_sign_in,
        )
