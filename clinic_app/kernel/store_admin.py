"""Backing up the store while it is in use."""

from __future__ import annotations

from pathlib import Path

from clinic_app.kernel.backup import BackupResult, backup_store
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.uow import Context, UnitOfWork


class StoreAdminService:
    """Backups; each one is recorded in the audit trail."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    def backup(self, actor: CurrentUser, destination: Path, passphrase: str) -> BackupResult:
        """Write an encrypted, consistent copy of the store to ``destination``."""
        require(actor.role, Action.STORE_BACKUP)
        result = backup_store(self._context.store, destination, passphrase)
        with self._uow(actor, Action.STORE_BACKUP) as session:
            self._uow.audit(session, actor, "store.backup")
        return result
