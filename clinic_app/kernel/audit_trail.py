"""Checking the audit trail (``onestop audit verify``)."""

from __future__ import annotations

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security import audit
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import Context, Mode, UnitOfWork


class AuditService:
    """Verifying the hash chain; the check itself is audited."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def verify(self, actor: CurrentUser, anchor: audit.Anchor | None = None) -> audit.AuditReport:
        """Walk the whole chain and report every break (see ``security.audit``).

        ``anchor`` is the head the server acknowledged, read from it just now; without one
        the copy recorded in the store at the last shipment is used (weaker: it sits in the
        store, but a chain rewritten without updating it is still caught).
        """
        with self._uow(actor, Action.AUDIT_VERIFY, mode=Mode.READ) as session:
            report = audit.verify(session, anchor or audit.recorded_anchor(session))
        if report.intact:
            with self._uow(actor, Action.AUDIT_VERIFY) as session:
                self._uow.audit(session, actor, "audit.verify")
        return report
