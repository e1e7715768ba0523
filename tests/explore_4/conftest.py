"""Hostile pushes against a real server on a real PostgreSQL: the integration fixtures reused."""

from __future__ import annotations

from tests.integration.conftest import postgres_server, postgres_url  # noqa: F401
from tests.integration.sync.hostile_moves.conftest import (  # noqa: F401
    db,
    north,
    server,
    south,
    two_patients,
)
