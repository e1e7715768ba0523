"""Files travel apart from rows: in resumable pieces, checked by hash before the row is taken."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clinic_app.bootstrap import create_clinic
from clinic_app.container import Services
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from clinic_app.sync.client import UPLOAD_PIECE, SyncClient
from clinic_app.sync.http import HttpTransport
from clinic_app.sync.protocol import Status
from tests.support.sync_server import SyncServer

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        yield running


def _laptop(server: SyncServer, path: Path, name: str) -> Services:
    services = create_clinic(path)
    services.sync.enrol(SYSTEM, server.url, name)
    server.approve(services.context.device_id)
    return services


@pytest.fixture
def laptops(server: SyncServer, tmp_path: Path) -> Iterator[tuple[Services, Services]]:
    a = _laptop(server, tmp_path / "a.db", "scan room")
    b = _laptop(server, tmp_path / "b.db", "clinic room")
    server.add_user("tom", "Tom Okafor", "sonographer", PASSWORD)
    yield a, b
    a.close()
    b.close()


class Flaky:
    """Wraps a transport: cuts the connection after some pieces, or spoils a piece."""

    def __init__(self, inner: HttpTransport, *, cut_after: int = 0, spoil: bool = False) -> None:
        self.inner = inner
        self.cut_after = cut_after
        self.spoil = spoil
        self.pieces = 0
        self.sent = 0

    def upload_piece(self, sha256: str, offset: int, data: bytes) -> int:
        if self.cut_after and self.pieces >= self.cut_after:
            raise ClinicError("sync.unreachable", reason="cut by the test")
        self.pieces += 1
        self.sent += len(data)
        if self.spoil:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        return self.inner.upload_piece(sha256, offset, data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _record_with_file(services: Services, size: int, seed: int) -> tuple[uuid.UUID, bytes]:
    tom = services.auth.login("tom", PASSWORD)
    patient = services.patients.register(
        tom,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    data = random.Random(seed).randbytes(size)
    added = services.attachments.add(tom, patient.id, "knee.dcm", "application/dicom", data)
    return added.id, data


def _client(services: Services, transport: Any) -> SyncClient:
    return SyncClient(services.context.store, transport)


def test_a_file_reaches_the_other_laptop_whole(laptops: tuple[Services, Services]) -> None:
    a, b = laptops
    attachment_id, data = _record_with_file(a, 3 * 1024 * 1024 + 17, seed=1)
    report = a.sync.sync_now()
    assert report.statuses.get(Status.APPLIED.value, 0) >= 2
    b.sync.sync_now()
    tom = b.auth.login("tom", PASSWORD)
    assert b.attachments.read(tom, attachment_id) == data


def test_a_cut_upload_resumes_where_it_stopped(
    laptops: tuple[Services, Services], server: SyncServer
) -> None:
    a, _b = laptops
    size = 3 * UPLOAD_PIECE + 5
    _attachment_id, _data = _record_with_file(a, size, seed=2)
    token_transport = a.sync._transport()
    cut = Flaky(token_transport, cut_after=2)
    with pytest.raises(ClinicError) as stopped:
        _client(a, cut).push()
    assert stopped.value.code == "sync.unreachable"
    assert token_transport.file_received(_sha(a)) == 2 * UPLOAD_PIECE
    with a.context.store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) > 0
    resumed = Flaky(token_transport)
    _client(a, resumed).push()
    assert resumed.sent == size - 2 * UPLOAD_PIECE  # only what had not arrived
    assert server.files.joinpath(_sha(a)[:2], _sha(a)).stat().st_size == size
    token_transport.close()


def test_a_spoilt_upload_is_refused_and_the_row_waits(
    laptops: tuple[Services, Services],
) -> None:
    a, _b = laptops
    _record_with_file(a, 1024 * 1024, seed=3)
    transport = a.sync._transport()
    with pytest.raises(ClinicError) as refused:
        _client(a, Flaky(transport, spoil=True)).push()
    assert refused.value.code == "file.hash_mismatch"
    assert transport.file_received(_sha(a)) == 0  # the spoilt bytes were dropped
    with a.context.store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) > 0
    _client(a, transport).push()
    assert transport.file_received(_sha(a)) == 1024 * 1024
    transport.close()


def test_a_row_naming_a_file_the_server_lacks_is_deferred_not_lost(
    laptops: tuple[Services, Services],
) -> None:
    a, _b = laptops
    _record_with_file(a, 2048, seed=4)
    transport = a.sync._transport()

    class NoUpload(SyncClient):
        def upload_files(self, changes: Any) -> int:
            return 0

    report = NoUpload(a.context.store, transport).push()
    assert report.statuses.get(Status.DEFERRED.value) == 1
    with a.context.store.sessions() as session:
        waiting = session.scalars(select(OutboxEntry.table_name)).all()
    assert waiting == ["attachment"]
    report = _client(a, transport).push()
    assert report.statuses == {Status.APPLIED.value: 1}
    transport.close()


def _sha(services: Services) -> str:
    with services.context.store.engine.connect() as conn:
        from clinic_app.kernel.attachments import Attachment

        return str(conn.execute(select(Attachment.sha256)).scalar())
