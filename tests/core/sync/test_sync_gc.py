"""A sync round does not leave the screens waiting on a full garbage collection."""

from __future__ import annotations

import gc

from clinic_app.container import Services
from clinic_app.sync import client as sync_client
from clinic_app.sync.protocol import PullPage


class _QuietServer:
    """A server with nothing to send (push, audit and scope are not asked of it)."""

    def __init__(self) -> None:
        self.pulls = 0

    def pull(self, cursor: int, limit: int) -> PullPage:
        self.pulls += 1
        return PullPage((), cursor, False)


def test_what_lived_before_the_first_sync_is_left_out_of_full_collections(
    services: Services,
) -> None:
    gc.unfreeze()
    sync_client._settled.clear()
    try:
        assert gc.get_freeze_count() == 0
        server = _QuietServer()
        engine = sync_client.SyncClient(services.context.store, server)  # type: ignore[arg-type]
        engine.sync_once()
        assert server.pulls == 1
        # Everything the process held then (the model, the store, this test) is frozen.
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        # Only once: what later rounds make is collected as usual.
        later = [[index] for index in range(1000)]
        engine.sync_once()
        assert gc.get_freeze_count() == frozen
        assert len(later) == 1000
    finally:
        gc.unfreeze()
