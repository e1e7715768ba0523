"""Whose record each synced row is part of, read from the model, and what a laptop keeps."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import delete, insert, select, text

from clinic_app.container import Services
from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.kernel.attachments import Attachment, AttachmentChunk
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.local import Draft
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput
from clinic_app.sync.files import store_bytes
from clinic_app.sync.ownership import owner_of, owners, rows_of_patients, scoped_tables
from clinic_app.sync.protocol import PulledRow
from clinic_app.sync.scope import let_go, rows_outside
from clinic_app.sync.wire import synced_tables


def test_every_table_naming_a_patient_directly_or_through_a_parent_is_scoped() -> None:
    for name, synced in synced_tables().items():
        owner = owner_of(name)
        columns = {column.name for column in synced.table.columns}
        targets = {
            key.column.table.name for column in synced.table.columns for key in column.foreign_keys
        }
        if name == "patient" or "patient_id" in columns or "patient" in targets:
            assert owner.scoped, name
        if owner.kind == "parent":
            assert owner.parent is not None
            assert owner_of(owner.parent).scoped, name
    # Reference data goes to every laptop.
    for name in ("app_user", "site", "service_setting", "gp_practice"):
        assert not owner_of(name).scoped, name
    # Through parents: an image's marks through its image and study, an addendum through
    # its assessment, a supervisor's review through the report.
    assert owner_of("image_marks").parent == "image_instance"
    assert owner_of("image_instance").parent == "imaging_study"
    assert owner_of("assessment_addendum").parent == "assessment"
    assert owner_of("scan_report_review").parent == "scan_report"
    assert owner_of("patient_merge").kind == "pair"


def test_parents_come_before_children_so_a_record_arrives_in_an_order_it_can_be_stored() -> None:
    order = scoped_tables()
    assert order[0] == "patient"
    for name in order:
        owner = owners()[name]
        if owner.kind == "parent":
            assert order.index(str(owner.parent)) < order.index(name)


def test_a_patients_rows_are_all_theirs_and_nobody_elses(demo: Services) -> None:
    with demo.context.store.engine.connect() as conn:
        first, second = conn.execute(select(Patient.id).limit(2)).scalars().all()
        found = rows_of_patients(conn, [first])
        assert found
        assert found[0][0].name == "patient"
        assert [row["id"] for row in found[0][1]] == [first]
        for synced, rows in found:
            owner = owner_of(synced.name)
            if owner.kind == "column":
                assert {row[owner.columns[0]] for row in rows} == {first}, synced.name
        everything = {
            (synced.name, row["id"])
            for synced, rows in rows_of_patients(conn, [first, second])
            for row in rows
        }
        assert {(s.name, r["id"]) for s, rows in found for r in rows} < everything


def test_a_pulled_row_whose_patient_is_not_on_this_laptop_is_not_kept(services: Services) -> None:
    stranger = uuid.uuid4()
    study = uuid.uuid4()
    with services.context.store.engine.connect() as conn:
        here = conn.execute(select(Patient.id)).scalars().all()
        assert not here
        study_row = PulledRow(
            1, ImagingStudy.__tablename__, study, {"id": str(study), "patient_id": str(stranger)}
        )
        image = PulledRow(
            2,
            ImageInstance.__tablename__,
            uuid.uuid4(),
            {"id": "x", "study_id": str(study), "attachment_id": None},
        )
        patient = PulledRow(3, "patient", stranger, {"id": str(stranger)})
        # Without the patient: the study and its image (through the study in the page) stay out.
        outside = rows_outside(conn, (study_row, image))
        assert outside == {(study_row.table, study), (image.table, image.row_id)}
        # The patient in the same page (taken in whole): everything is theirs to keep.
        assert rows_outside(conn, (patient, study_row, image)) == set()
        # Reference rows are never out of scope.
        site = PulledRow(4, "site", uuid.uuid4(), {"name": "Northgate"})
        assert rows_outside(conn, (site,)) == set()


def _registered(services: Services) -> uuid.UUID:
    return services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number="9990000018",
        ),
    ).id


def test_a_patient_is_let_go_only_when_no_work_on_them_waits_and_their_files_go_too(
    services: Services,
) -> None:
    store = services.context.store
    patient = _registered(services)
    content = b"scan bytes " * 100
    sha = hashlib.sha256(content).hexdigest()
    with store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        session.add(
            Attachment(
                patient_id=patient, sha256=sha, size=len(content), media_type="x", filename="a"
            )
        )
    with store.engine.begin() as conn:
        store_bytes(conn, sha, [content])

    # Not pushed yet: kept.
    assert let_go(store, [patient]) == ([], 1)
    with store.engine.begin() as conn:
        conn.execute(delete(OutboxEntry))
    # An unsaved form about them (a draft): kept.
    with store.sessions.begin() as session:
        session.add(
            Draft(user_id=uuid.uuid4(), kind="assessment", subject=str(patient), payload={})
        )
    assert let_go(store, [patient]) == ([], 1)
    with store.engine.begin() as conn:
        conn.execute(delete(Draft))

    assert let_go(store, [patient]) == ([patient], 0)
    with store.engine.connect() as conn:
        assert conn.execute(select(Patient.id)).first() is None
        assert conn.execute(select(Attachment.id)).first() is None
        assert conn.execute(select(AttachmentChunk.sha256)).first() is None
        assert conn.execute(select(OutboxEntry.seq)).first() is None  # not a change: no sync


def test_a_pulled_rows_patient_is_found_through_a_parent_already_stored(
    services: Services,
) -> None:
    held = _registered(services)
    stranger = uuid.uuid4()
    studies = {held: uuid.uuid4(), stranger: uuid.uuid4()}
    # Never committed: the stranger's study could not be (their patient is not here).
    with services.context.store.engine.connect() as conn:
        conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        for patient, study in studies.items():
            conn.execute(
                insert(ImagingStudy.__table__).values(
                    id=study,
                    patient_id=patient,
                    study_uid=f"1.2.826.0.1.{study.int % 10_000}",
                    started_at=utcnow(),
                )
            )
        # Images whose study is in the store, not in the page: the study names the patient.
        images = {
            patient: PulledRow(
                1, ImageInstance.__tablename__, uuid.uuid4(), {"id": "x", "study_id": str(study)}
            )
            for patient, study in studies.items()
        }
        orphan = PulledRow(
            2, ImageInstance.__tablename__, uuid.uuid4(), {"study_id": str(uuid.uuid4())}
        )
        # A study in the page naming a patient held here, who is not in the page.
        own_study = PulledRow(
            3, ImagingStudy.__tablename__, uuid.uuid4(), {"patient_id": str(held)}
        )
        bad = PulledRow(4, ImagingStudy.__tablename__, uuid.uuid4(), {"patient_id": "nobody"})
        outside = rows_outside(conn, (*images.values(), orphan, own_study, bad))
    assert outside == {
        (ImageInstance.__tablename__, images[stranger].row_id),
        (ImageInstance.__tablename__, orphan.row_id),
        (ImagingStudy.__tablename__, bad.row_id),
    }
