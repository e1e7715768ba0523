"""Users managed on the server, and who may sign in where, offline or online."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.errors import AuthenticationFailed, Conflict
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput
from tests.support.sync_server import SyncServer, server_command

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def laptop(server: SyncServer, tmp_path: Path) -> Iterator[Services]:
    services = create_clinic(tmp_path / "laptop.db")
    services.sync.enrol(SYSTEM, server.url, "clinic room 1")
    server.approve(services.context.device_id)
    yield services
    services.close()


def test_users_come_from_the_server_and_are_not_made_on_the_device(
    server: SyncServer, laptop: Services
) -> None:
    server.add_user("priya", "Priya Shah", "clinician", PASSWORD)
    laptop.sync.sync_now()
    listed = [(u.username, u.display_name, u.role) for u in laptop.users.list(SYSTEM)]
    assert listed == [("priya", "Priya Shah", Role.CLINICIAN)]
    with pytest.raises(Conflict) as refused:
        laptop.users.add(
            SYSTEM,
            username="local",
            display_name="Local",
            role=Role.CLINICIAN,
            password=PASSWORD,
        )
    assert refused.value.code == "user.managed_centrally"


def test_offline_sign_in_only_where_the_user_signed_in_online_before(
    server: SyncServer, laptop: Services
) -> None:
    server.add_user("priya", "Priya Shah", "clinician", PASSWORD)
    laptop.sync.sync_now()
    server.stop()
    # The user is on the laptop, but has never signed in on it while it was connected.
    with pytest.raises(AuthenticationFailed) as offline:
        laptop.auth.login("priya", PASSWORD)
    assert offline.value.code == "auth.needs_online_first"
    server.start()
    with pytest.raises(AuthenticationFailed) as wrong:
        laptop.auth.login("priya", "not the password at all")
    assert wrong.value.code == "auth.failed"
    assert laptop.auth.login("priya", PASSWORD).username == "priya"
    server.stop()
    assert laptop.auth.login("priya", PASSWORD).username == "priya"  # offline, now allowed


def test_a_user_added_on_the_server_can_sign_in_before_the_next_sync(
    server: SyncServer, laptop: Services
) -> None:
    server.add_user("sam", "Sam Lee", "trainee", PASSWORD)
    user = laptop.auth.login("sam", PASSWORD)
    assert (user.username, user.display_name) == ("sam", "Sam Lee")


def test_a_user_disabled_on_the_server_cannot_sign_in_after_the_next_sync(
    server: SyncServer, laptop: Services
) -> None:
    server.add_user("priya", "Priya Shah", "clinician", PASSWORD)
    laptop.auth.login("priya", PASSWORD)
    server.set_user_active("priya", active=False)
    laptop.sync.sync_now()
    with pytest.raises(AuthenticationFailed) as refused:
        laptop.auth.login("priya", PASSWORD)
    assert refused.value.code == "auth.disabled"


def test_one_users_unsynced_work_survives_the_next_user_and_is_sent(
    server: SyncServer, laptop: Services, postgres_url: str
) -> None:
    server.add_user("priya", "Priya Shah", "clinician", PASSWORD)
    server.add_user("tom", "Tom Okafor", "sonographer", PASSWORD)
    priya = laptop.auth.login("priya", PASSWORD)
    laptop.auth.login("tom", PASSWORD)
    server.stop()
    # Offline: Priya registers a patient and leaves; Tom signs in on the same laptop.
    record = laptop.patients.register(
        priya,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    tom = laptop.auth.login("tom", PASSWORD)
    with laptop.context.store.sessions() as session:
        waiting = session.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.row_id == record.id)
        )
    assert waiting == 1
    server.start()
    laptop.sync.sync_now()  # while Tom is the one signed in
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                select(Patient.family_name, Patient.created_by).where(Patient.id == record.id)
            ).one()
    finally:
        engine.dispose()
    assert stored.family_name == "Lovelace"
    assert uuid.UUID(str(stored.created_by)) == priya.id != tom.id


def test_a_role_and_a_supervisor_changed_on_the_server_reach_the_device(
    server: SyncServer, laptop: Services
) -> None:
    server.add_user("helen", "Helen Marsh", "supervisor", PASSWORD)
    server.add_user("sam", "Sam Lee", "clinician", PASSWORD)
    laptop.sync.sync_now()
    for args in (
        ["user", "set-role", "sam", "--role", "trainee"],
        ["user", "set-supervisor", "sam", "--supervisor", "helen"],
    ):
        subprocess.run(
            server_command(*args, "--db", server.db_url), check=True, capture_output=True
        )
    laptop.sync.sync_now()
    sam = next(u for u in laptop.users.list(SYSTEM) if u.username == "sam")
    assert (sam.role, sam.supervisor_username) == (Role.TRAINEE, "helen")
