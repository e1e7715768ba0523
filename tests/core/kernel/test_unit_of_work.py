"""Units of work by mode: a read never writes; an audited read survives a writer in between."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select, update

from clinic_app.bootstrap import open_clinic
from clinic_app.container import Services
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.security import audit
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.session import WriteRefused
from clinic_app.kernel.uow import SYSTEM, Mode, UnitOfWork
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, ReferralInput

PASSWORD = "correct horse battery"
# Long enough for a writer that is not blocked to commit; a blocked one waits for our commit.
WRITER_GRACE_SECONDS = 1.0


@pytest.fixture
def clinician(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM,
        username="cal",
        display_name="Cal Clinician",
        role=Role.CLINICIAN,
        password=PASSWORD,
    )
    return services.auth.login("cal", PASSWORD)


@pytest.fixture
def patient_id(services: Services, clinician: CurrentUser) -> uuid.UUID:
    record = services.patients.register(
        clinician,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    )
    return record.id


@pytest.fixture
def other_device(services: Services, store_path: Path) -> Iterator[Services]:
    """A second store on the same file: another writer, as another process would be."""
    other = open_clinic(store_path)
    yield other
    other.close()


@pytest.fixture
def audited_reads(
    services: Services, clinician: CurrentUser, patient_id: uuid.UUID
) -> dict[str, Callable[[], object]]:
    """The four reads that write only their audit entry, each ready to call."""
    attachment = services.attachments.add(
        clinician, patient_id, "letter.pdf", "application/pdf", b"%PDF-1.4 a letter"
    )
    frame = np.random.default_rng(1).integers(0, 90, (48, 64, 3), dtype=np.uint8)
    image = services.imaging.capture_still(
        clinician, patient_id, frame, body_part="KNEE", laterality="R"
    )
    assert image.study_id is not None
    report = services.reports.start(clinician, image.study_id)
    services.referrals.create(
        clinician,
        ReferralInput(
            patient_id=patient_id,
            source="gp",
            received_on="2025-01-06",
            referrer_name="Dr A Hughes",
            reason="Knee pain for three months.",
            specialty="physiotherapy",
        ),
    )
    return {
        "attachment.read": lambda: services.attachments.read(clinician, attachment.id),
        "image.view": lambda: services.imaging.image_file(clinician, image.id),
        "report.print": lambda: services.reports.report_pdf(clinician, report.id),
        "triage.worklist": lambda: services.triage.worklist(clinician),
    }


def _entries(services: Services, action: str) -> int:
    with services.context.store.sessions() as session:
        return session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )


@pytest.mark.parametrize(
    "action", ["attachment.read", "image.view", "report.print", "triage.worklist"]
)
def test_an_audited_read_survives_a_writer_committing_before_its_audit_entry(
    services: Services,
    other_device: Services,
    audited_reads: dict[str, Callable[[], object]],
    monkeypatch: pytest.MonkeyPatch,
    action: str,
) -> None:
    # The read has already run its SELECTs when it reaches the audit trail; another device's
    # writer tries to commit just then. Read in a plain transaction, the read's snapshot would
    # be stale and its audit write fail with "database is locked" (SQLITE_BUSY_SNAPSHOT).
    call = audited_reads[action]
    append = audit.append
    other_store = other_device.context.store
    writer_done = threading.Event()
    writer_errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            with other_store.sessions.begin() as session:
                session.add(StoreMeta(key=f"test.other_writer.{action}", value="committed"))
        except BaseException as error:  # noqa: BLE001 - reported by the test thread
            writer_errors.append(error)
        finally:
            writer_done.set()

    def append_after_another_writer(session: Any, **fields: Any) -> AuditEntry:
        if fields["action"] == action and not writer_done.is_set():
            writer = threading.Thread(target=other_writer)
            writer.start()
            writer_done.wait(WRITER_GRACE_SECONDS)
        return append(session, **fields)

    monkeypatch.setattr(audit, "append", append_after_another_writer)

    call()

    assert writer_done.wait(15)
    assert writer_errors == []
    monkeypatch.setattr(audit, "append", append)
    assert _entries(services, action) == 1
    with services.context.store.sessions() as session:
        assert session.get(StoreMeta, f"test.other_writer.{action}") is not None
        assert audit.verify(session).intact


# ---------------------------------------------------------------- what each mode may write


def _meta_count(services: Services) -> int:
    with services.context.store.sessions() as session:
        return session.scalar(select(func.count()).select_from(StoreMeta))


def _audit_count(services: Services) -> int:
    with services.context.store.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def test_a_read_refuses_to_write_a_row(services: Services) -> None:
    uow = UnitOfWork(services.context)
    before = _meta_count(services)

    with (
        pytest.raises(WriteRefused, match="StoreMeta"),
        uow(SYSTEM, Action.AUDIT_VERIFY, mode=Mode.READ) as session,
    ):
        session.add(StoreMeta(key="test.read_wrote", value="yes"))

    assert _meta_count(services) == before


def test_a_read_refuses_to_change_a_row(services: Services) -> None:
    uow = UnitOfWork(services.context)

    def change_a_row() -> None:
        with uow(SYSTEM, Action.AUDIT_VERIFY, mode=Mode.READ) as session:
            row = session.get(StoreMeta, "device_id")
            assert row is not None
            row.value = "changed"

    with pytest.raises(WriteRefused):
        change_a_row()

    with services.context.store.sessions() as session:
        assert session.get(StoreMeta, "device_id").value != "changed"  # type: ignore[union-attr]


def test_a_read_refuses_even_its_audit_entry(services: Services) -> None:
    uow = UnitOfWork(services.context)
    before = _audit_count(services)

    with pytest.raises(WriteRefused), uow(SYSTEM, Action.AUDIT_VERIFY, mode=Mode.READ) as session:
        uow.audit(session, SYSTEM, "test.read_audited")

    assert _audit_count(services) == before


def test_a_read_refuses_an_update_statement(services: Services) -> None:
    uow = UnitOfWork(services.context)

    with pytest.raises(WriteRefused), uow(SYSTEM, Action.AUDIT_VERIFY, mode=Mode.READ) as session:
        session.execute(update(StoreMeta).where(StoreMeta.key == "device_id").values(value="x"))


def test_an_audited_read_writes_its_entry_and_nothing_else(services: Services) -> None:
    uow = UnitOfWork(services.context)
    before = _audit_count(services)

    with uow(SYSTEM, Action.AUDIT_VERIFY, mode=Mode.AUDITED_READ) as session:
        uow.audit(session, SYSTEM, "test.audited_read")

    def audit_and_write() -> None:
        with uow(SYSTEM, Action.AUDIT_VERIFY, mode=Mode.AUDITED_READ) as session:
            uow.audit(session, SYSTEM, "test.audited_read")
            session.add(StoreMeta(key="test.audited_read_wrote", value="yes"))

    with pytest.raises(WriteRefused, match="StoreMeta"):
        audit_and_write()

    assert _audit_count(services) == before + 1
    with services.context.store.sessions() as session:
        assert audit.verify(session).intact


def test_a_write_may_write_anything(services: Services) -> None:
    uow = UnitOfWork(services.context)

    with uow(SYSTEM, Action.AUDIT_VERIFY) as session:
        session.add(StoreMeta(key="test.written", value="yes"))
        uow.audit(session, SYSTEM, "test.written")

    with services.context.store.sessions() as session:
        assert session.get(StoreMeta, "test.written") is not None
