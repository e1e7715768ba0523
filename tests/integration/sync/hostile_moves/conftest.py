"""A two-site service on PostgreSQL for hostile pushes: Ann at Northgate, Ben at Southfield."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from tests.integration.sync.hostile_moves.helpers import has, refer_and_triage
from tests.support.sync_server import Device, SyncServer
from tests.support.two_sites import register, site_laptop, two_site_server


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with two_site_server(postgres_url, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def north(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from site_laptop(server, tmp_path, "northgate", "ann")


@pytest.fixture
def south(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from site_laptop(server, tmp_path, "southfield", "ben")


@pytest.fixture
def db(server: SyncServer) -> Iterator[Engine]:
    engine = create_engine(server.db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def two_patients(north: Device, south: Device) -> tuple[uuid.UUID, uuid.UUID]:
    """(mine, theirs): Ann's own patient on Northgate; Ben's patient, at Southfield only."""
    theirs = register(south, "9990000034", "Southern", phone="0113 496 0000")
    refer_and_triage(south, theirs)
    south.client.sync_once()
    mine = register(north, "9990000026", "Northern", phone="0113 496 0000")
    north.client.sync_once()
    assert not has(north, theirs)
    return mine, theirs
