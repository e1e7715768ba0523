"""Back up and restore the server as docs/server.md says: pg_dump, then the files folder.

The backup is taken with the server running; it is restored into a fresh database and a
fresh folder, a server starts on them at the same address, the laptop that made the
records syncs on, and a new laptop gets everything, files included.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.integration.sync.test_sync_files import PASSWORD, _record_with_file
from tests.support.postgres import PostgresServer, find_bin_dir
from tests.support.sync_server import SyncServer

pytestmark = pytest.mark.timeout(300)


def _libpq(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (what pg_dump and pg_restore take)."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def _pg(program: str, *args: str) -> None:
    subprocess.run([str(find_bin_dir() / program), *args], check=True, capture_output=True)


def _laptop(server: SyncServer, path: Path, name: str) -> Services:
    services = create_clinic(path)
    services.sync.enrol(SYSTEM, server.url, name)
    server.approve(services.context.device_id)
    return services


def _register(services: Services, nhs_number: str, family: str) -> None:
    tom = services.auth.login("tom", PASSWORD)
    services.patients.register(
        tom,
        PatientInput(
            given_name="Grace",
            family_name=family,
            date_of_birth="1971-05-02",
            sex="2",
            nhs_number=nhs_number,
        ),
    )


def test_a_restored_server_carries_on_where_the_backup_was_taken(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path
) -> None:
    original = SyncServer(postgres_url, tmp_path / "original.log", files=tmp_path / "files")
    original.start()
    a = _laptop(original, tmp_path / "a.db", "scan room")
    try:
        original.add_user("tom", "Tom Okafor", "sonographer", PASSWORD)
        attachment_id, data = _record_with_file(a, 200_000, seed=21)
        a.sync.sync_now()

        # The backup, with the server running: the database first, then the files folder.
        backup = tmp_path / "backup"
        backup.mkdir()
        _pg("pg_dump", "--format=custom", f"--file={backup / 'onestop.dump'}", _libpq(postgres_url))
        shutil.copytree(tmp_path / "files", backup / "files")
        original.stop()

        # The restore: a fresh database and folder, and a server on them at the same address.
        restored_url = postgres_server.create_database("restored")
        _pg(
            "pg_restore",
            "--no-owner",
            f"--dbname={_libpq(restored_url)}",
            str(backup / "onestop.dump"),
        )
        shutil.copytree(backup / "files", tmp_path / "restored-files")
        restored = SyncServer(
            restored_url, tmp_path / "restored.log", files=tmp_path / "restored-files"
        )
        restored.port, restored.url = original.port, original.url
        with restored:
            _register(a, "9990000026", "Hopper")
            report = a.sync.sync_now()
            assert report.statuses == {"applied": 1}

            b = _laptop(restored, tmp_path / "b.db", "clinic room")
            try:
                b.sync.sync_now()
                tom = b.auth.login("tom", PASSWORD)
                assert b.attachments.read(tom, attachment_id) == data
                found = {p.family_name for p in b.patients.search(tom, "999")}
                assert {"Lovelace", "Hopper"} <= found
            finally:
                b.close()
    finally:
        a.close()
        original.stop()
        postgres_server.drop_database("restored")
