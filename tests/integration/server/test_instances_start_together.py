"""Several server instances started at the same moment on one empty PostgreSQL database."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from clinic_app.kernel.migrations import HEAD
from clinic_app.server.database import open_server_store
from tests.support.sync_server import SyncServer, run_server_command

pytestmark = pytest.mark.timeout(300)


def _open(url: str, start: multiprocessing.synchronize.Barrier) -> None:
    start.wait()
    open_server_store(url).close()


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def test_three_processes_opening_an_empty_database_at_once_all_succeed(postgres_url: str) -> None:
    # Released together by a barrier, each would run the whole upgrade without the lock
    # (the second to create a table fails on it).
    forks = multiprocessing.get_context("fork")
    start = forks.Barrier(3)
    openers = [forks.Process(target=_open, args=(postgres_url, start)) for _ in range(3)]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(120)
    assert [opener.exitcode for opener in openers] == [0, 0, 0]
    assert _revision(postgres_url) == HEAD


def test_two_servers_started_together_on_an_empty_database_both_serve(
    postgres_url: str, tmp_path: Path
) -> None:
    servers = [SyncServer(postgres_url, tmp_path / f"server-{n}.log", scope=None) for n in (1, 2)]
    problems: list[BaseException] = []

    def start(server: SyncServer) -> None:
        try:
            server.start()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            problems.append(error)

    starters = [threading.Thread(target=start, args=(server,)) for server in servers]
    try:
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join(120)
        assert problems == []
        for server in servers:
            assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
            assert "UniqueViolation" not in server.log_text()
    finally:
        for server in servers:
            server.stop()
    assert _revision(postgres_url) == HEAD


def test_migrate_brings_an_empty_database_to_the_newest_schema(postgres_url: str) -> None:
    run_server_command("migrate", "--db", postgres_url)
    assert _revision(postgres_url) == HEAD
