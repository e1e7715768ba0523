"""Setting up this computer the first time, from the app: a syncing laptop or a standalone clinic.

What ``onestop init``, ``user add``, ``sync enrol`` and ``sync now`` do at the command line,
as steps a window runs one by one off its UI thread; a step that fails, or a set-up given
up half-way, leaves no store and no key behind.
"""

from __future__ import annotations

from clinic_app.first_run.setup import (
    APPROVED,
    FIRST_RUN,
    PENDING,
    REFUSED,
    NewClinic,
    approval,
    check_server,
    computer_name,
    connect,
    discard,
    first_sync,
    keychain_is_safe,
    standalone,
)

__all__ = [
    "APPROVED",
    "FIRST_RUN",
    "PENDING",
    "REFUSED",
    "NewClinic",
    "approval",
    "check_server",
    "computer_name",
    "connect",
    "discard",
    "first_sync",
    "keychain_is_safe",
    "standalone",
]
