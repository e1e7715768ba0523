"""Imaging and scan reports under a registration since merged into another record.

The studies, their images and their reports are the surviving record's: listed there (each
naming the registration it was made under), opened there, and an image already held under the
merged registration is the same image when imported again from the survivor. A scanner's
image labelled with the number both registrations carry files under the surviving record (or
joins the study it names); one labelled with a number registered twice and not yet merged
waits for a person. Another patient's stay refused.
"""

from __future__ import annotations

import io
import uuid
from datetime import date

import numpy as np
import pytest
from pydicom import dcmread
from sqlalchemy import delete, select, update

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.domains.reports.archive import kept_as_dicom
from clinic_app.kernel.attachments import Attachment
from clinic_app.kernel.errors import Conflict
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.nhs_number import synthetic_numbers
from clinic_app.people.views import PatientInput, PatientSummary
from clinic_app.records.attachments import kept_bytes
from clinic_app.sync.client import store_rows
from clinic_app.sync.protocol import PulledRow
from clinic_app.sync.wire import synced_table
from tests.support.merges import merged_by_sync, renamed
from tests.support.us_image import ScanSubject, us_image
from tests.ui.records import second_registration


def _still(demo: Services, patient: uuid.UUID, seed: int) -> tuple[uuid.UUID, uuid.UUID]:
    """A still of the shoulder captured for ``patient``: (its id, its study's id)."""
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    frame = np.random.default_rng(seed).integers(0, 90, (64, 80, 3), dtype=np.uint8)
    image = demo.imaging.capture_still(
        sonographer, patient, frame, body_part="SHOULDER", laterality="R"
    )
    assert image.study_id is not None
    return image.id, image.study_id


def _merged(demo: Services) -> tuple[PatientSummary, uuid.UUID]:
    """A demo patient, and a second registration of her (named Whitfield) merged over her."""
    supervisor = demo.auth.login("supervisor", demo_password("supervisor"))
    (patient,) = [p for p in demo.patients.search(supervisor, "999", limit=60) if p.nhs_number][:1]
    survivor = second_registration(demo, patient)
    renamed(demo, survivor, "Whitfield")
    return patient, survivor


def _someone_else(demo: Services) -> uuid.UUID:
    return demo.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Iris",
            family_name="Lund",
            date_of_birth="1950-01-02",
            sex="2",
            # Far beyond the demo clinic's numbers.
            nhs_number=next(synthetic_numbers(1, start=50_000)),
        ),
    ).id


def test_the_survivor_lists_the_merged_registrations_studies_and_no_one_elses(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, survivor = _merged(demo)
    _image, study = _still(demo, patient.id, 1)
    other = _someone_else(demo)
    _other_image, other_study = _still(demo, other, 2)
    assert demo.imaging.studies(sonographer, survivor) == []  # not merged yet

    merged_by_sync(demo, survivor=survivor, merged=patient.id)

    listed = demo.imaging.studies(sonographer, survivor)
    assert [(s.id, s.patient_id) for s in listed] == [(study, patient.id)]
    # Asked for by the registration merged away, the record is the same one.
    assert [s.id for s in demo.imaging.studies(sonographer, patient.id)] == [study]
    assert [s.id for s in demo.imaging.studies(sonographer, other)] == [other_study]


def test_an_image_held_under_the_merged_registration_is_the_same_image_imported_again(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, survivor = _merged(demo)
    image, _study = _still(demo, patient.id, 3)
    merged_by_sync(demo, survivor=survivor, merged=patient.id)
    data = demo.imaging.image_file(sonographer, image)

    # Imported again into the surviving record, it is the image already held (not refused as
    # another patient's) ...
    again = demo.imaging.import_dicom(sonographer, data, patient_id=survivor)
    assert again.id == image
    # ... and into someone else's record it is refused.
    other = _someone_else(demo)
    with pytest.raises(Conflict):
        demo.imaging.import_dicom(sonographer, data, patient_id=other)


def test_a_report_under_the_merged_registration_opens_from_the_survivor_and_names_them(
    demo: Services,
) -> None:
    trainee = demo.auth.login("trainee", demo_password("trainee"))
    patient, survivor = _merged(demo)
    _image, study = _still(demo, patient.id, 4)
    other = _someone_else(demo)
    merged_by_sync(demo, survivor=survivor, merged=patient.id)

    # Started from the surviving record, the report is of the study's own registration (its
    # SR joins that study in the PACS), and named as the surviving record names her.
    report = demo.reports.start(trainee, study, survivor)
    assert report.patient_id == patient.id
    assert report.patient is not None
    assert report.patient.family_name == "Whitfield"
    assert demo.reports.get(trainee, report.id, survivor).id == report.id
    printable = demo.reports.printable(trainee, report.id)
    assert printable.patient_name.startswith("WHITFIELD,")

    # Never from another patient's record.
    with pytest.raises(Conflict) as refused:
        demo.reports.start(trainee, study, other)
    assert refused.value.code == "report.wrong_patient"
    with pytest.raises(Conflict) as refused:
        demo.reports.get(trainee, report.id, other)
    assert refused.value.code == "report.wrong_patient"


def _scanned(patient: PatientSummary, *, study_uid: str | None = None, seed: int = 7) -> bytes:
    """A scanner's image of ``patient`` (labelled with their NHS number and name)."""
    ds = us_image(
        subject=ScanSubject(
            nhs_number=str(patient.nhs_number),
            family_name=patient.family_name.upper(),
            given_name=patient.given_name,
            birth_date=patient.date_of_birth or date(1960, 3, 14),
        ),
        study_uid=study_uid,
        seed=seed,
    )
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def test_a_scan_labelled_with_the_merged_number_files_under_the_surviving_record(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, survivor = _merged(demo)
    merged_by_sync(demo, survivor=survivor, merged=patient.id)

    # Both registrations carry her NHS number: a scanner's image of her files under the
    # record that stands for both, in a study of its own ...
    received = demo.imaging.receive(_scanned(patient))
    assert received.study_id is not None
    (study,) = demo.imaging.studies(sonographer, survivor)
    assert (study.id, study.patient_id) == (received.study_id, survivor)
    # ... and imported from the surviving record, it is not refused as another patient's.
    imported = demo.imaging.import_dicom(
        sonographer, _scanned(patient, seed=8), patient_id=survivor
    )
    assert imported.study_id is not None


def test_a_new_image_of_a_study_under_the_merged_registration_joins_that_study(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, survivor = _merged(demo)
    _image, study = _still(demo, patient.id, 5)
    merged_by_sync(demo, survivor=survivor, merged=patient.id)
    (listed,) = demo.imaging.studies(sonographer, survivor)

    # The scanner sends another image of the same study (its UID): it joins that study,
    # whether pushed by the scanner or imported from the surviving record.
    pushed = demo.imaging.receive(_scanned(patient, study_uid=listed.study_uid, seed=9))
    imported = demo.imaging.import_dicom(
        sonographer,
        _scanned(patient, study_uid=listed.study_uid, seed=10),
        patient_id=survivor,
    )
    assert (pushed.study_id, imported.study_id) == (study, study)
    (listed,) = demo.imaging.studies(sonographer, survivor)
    assert len(listed.instances) == 3


def test_a_scan_labelled_with_a_number_registered_twice_and_not_merged_waits_for_a_person(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, second = _merged(demo)  # registered twice; nobody has merged them yet

    received = demo.imaging.receive(_scanned(patient))

    assert received.study_id is None  # an orphan: a person says whose it is
    assert [o.id for o in demo.imaging.orphans(sonographer)] == [received.id]
    assert demo.imaging.studies(sonographer, patient.id) == []
    assert demo.imaging.studies(sonographer, second) == []
    # Imported into either record, it is refused, saying why (not "another patient's").
    for record in (patient.id, second):
        with pytest.raises(Conflict) as refused:
            demo.imaging.import_dicom(sonographer, _scanned(patient, seed=14), patient_id=record)
        assert refused.value.code == "dicom.registered_twice"


def test_the_scanners_worklist_names_a_planned_scan_as_the_surviving_record_does(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, survivor = _merged(demo)
    before = demo.imaging.plan_scan(sonographer, patient.id)
    merged_by_sync(demo, survivor=survivor, merged=patient.id)
    after = demo.imaging.plan_scan(sonographer, survivor)

    listed = {p.accession: p for p in demo.imaging.worklist()}
    # Planned before the merge or after it, the scanner is given the surviving record's name.
    assert listed[before.accession].family_name == "Whitfield"
    assert listed[after.accession].family_name == "Whitfield"
    # The scanner's image of the scan planned after the merge joins its study.
    ds = us_image(
        subject=ScanSubject(
            nhs_number=str(patient.nhs_number),
            family_name="WHITFIELD",
            given_name=patient.given_name,
            birth_date=patient.date_of_birth or date(1960, 3, 14),
        ),
        study_uid=after.study_uid,
        accession=after.accession,
    )
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    received = demo.imaging.receive(out.getvalue())
    assert received.study_id is not None
    assert received.study_id in {s.id for s in demo.imaging.studies(sonographer, survivor)}


def test_a_report_signed_after_the_merge_is_kept_as_dicom_under_the_surviving_record(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, survivor = _merged(demo)
    image, study = _still(demo, patient.id, 6)
    merged_by_sync(demo, survivor=survivor, merged=patient.id)
    report = demo.reports.start(sonographer, study, survivor)
    demo.reports.save(
        sonographer,
        report.id,
        {"findings": "No effusion.", "impression": "Normal.", "key_images": [str(image)]},
    )
    demo.reports.sign(sonographer, report.id, demo_password("sonographer"))

    # The SR kept in the record names her as the record she is now, as the PACS will.
    with demo.context.store.sessions() as session:
        kept = kept_as_dicom(session, report.id)
        assert kept is not None
        sr = session.get(ImageInstance, kept.sr_instance_id)
        assert sr is not None
        data = kept_bytes(session, session.get(Attachment, sr.attachment_id))
    assert data is not None
    assert str(dcmread(io.BytesIO(data)).PatientName) == f"WHITFIELD^{patient.given_name}"


def test_a_capture_from_the_survivor_joins_the_days_study_under_the_merged_registration(
    demo: Services,
) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, survivor = _merged(demo)
    _first, study = _still(demo, patient.id, 11)
    merged_by_sync(demo, survivor=survivor, merged=patient.id)

    second, again = _still(demo, survivor, 12)

    assert again == study  # one study for the day's scan, not two
    (listed,) = demo.imaging.studies(sonographer, survivor)
    assert len(listed.instances) == 2
    # Labelled as the study leaves for the PACS: the surviving record, while the PACS has
    # none of it; once it holds the study under the merged registration, as that.
    labelled = dcmread(io.BytesIO(demo.imaging.image_file(sonographer, second)))
    assert str(labelled.PatientName) == f"WHITFIELD^{patient.given_name}"
    with demo.context.store.engine.begin() as conn:
        conn.execute(
            update(ImagingStudy.__table__)
            .where(ImagingStudy.__table__.c.id == study)
            .values(pacs_patient_id=patient.id)
        )
    third, _same = _still(demo, survivor, 15)
    labelled = dcmread(io.BytesIO(demo.imaging.image_file(sonographer, third)))
    assert str(labelled.PatientName) == f"{patient.family_name.upper()}^{patient.given_name}"


def test_a_pulled_study_held_in_the_pacs_under_a_registration_not_held_here_is_stored(
    demo: Services,
) -> None:
    """A laptop holds the study's patient, not always every registration merged with them:
    a pulled study naming one it does not hold is stored, and pull moves on; sent from here,
    it is stopped and says why rather than split in the PACS."""
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    patient, _second = _merged(demo)
    _image, study = _still(demo, patient.id, 13)
    table = synced_table("imaging_study")
    store = demo.context.store
    with store.engine.begin() as conn:
        row = conn.execute(select(table.table).where(table.table.c.id == study)).mappings().one()
        conn.execute(delete(OutboxEntry))  # pushed already
    elsewhere = uuid.uuid4()
    pulled = {**table.encode(row), "pacs_patient_id": str(elsewhere), "row_version": 2}

    assert store_rows(store, (PulledRow(1, "imaging_study", study, pulled),)) == 1

    (listed,) = demo.imaging.studies(sonographer, patient.id)
    assert listed.pacs_patient_id == elsewhere
    demo.dicom_settings.change(SYSTEM, pacs_ae_title="PACS", pacs_host="127.0.0.1", pacs_port=1)
    demo.pacs.send_study(sonographer, study)
    assert demo.pacs.send_due() == []
    (send,) = demo.pacs.sends(sonographer)
    assert (send.state, send.last_error) == ("stopped", "pacs.identity_not_here")
