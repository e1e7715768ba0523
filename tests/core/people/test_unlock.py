"""Unlocking a locked screen is throttled and audited like signing in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.errors import AuthenticationFailed
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role

PASSWORD = "correct horse battery"


def test_wrong_unlock_passwords_lock_out_then_time_out(services: Services) -> None:
    services.context.config.max_failed_logins = 3
    services.context.config.login_lockout_seconds = 60
    services.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    me = services.auth.login("physio", PASSWORD)
    for _ in range(3):
        with pytest.raises(AuthenticationFailed) as wrong:
            services.auth.check_password(me, "not my password")
        assert wrong.value.code == "auth.failed"
    # Locked out now, even with the right password.
    with pytest.raises(AuthenticationFailed) as locked:
        services.auth.check_password(me, PASSWORD)
    assert locked.value.code == "auth.locked_out"
    assert 0 < locked.value.params["seconds"] <= 60
    with services.context.store.sessions() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions.count("user.unlock_failed") == 3
    assert actions[-1] == "user.unlock_locked_out"


def test_right_unlock_password_clears_the_count(services: Services) -> None:
    services.context.config.max_failed_logins = 2
    services.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    me = services.auth.login("physio", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        services.auth.check_password(me, "nope nope nope")
    services.auth.check_password(me, PASSWORD)
    # One more wrong try does not lock: the earlier failure was forgiven by the success.
    with pytest.raises(AuthenticationFailed) as wrong:
        services.auth.check_password(me, "nope nope nope")
    assert wrong.value.code == "auth.failed"
    services.auth.check_password(me, PASSWORD)
