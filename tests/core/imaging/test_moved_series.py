"""Objects a person assigns to a record join a series of that record's study.

A series belongs to one study (PS3.3 C.7.3): a scanner's series whose images are assigned to
two different patients must not reach the PACS as one series spread over two patients'
studies. The record keeps the series each object joined; the object leaves with it, its own
series kept in the Original Attributes Sequence, and the app's own report refers to it as
the PACS will hold it.
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
from pydicom.dataset import Dataset
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.names import moved_series_uid
from clinic_app.domains.imaging.model import ImageInstance, ImagingStudy
from clinic_app.domains.imaging.service.outgoing import outgoing_datasets
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.views import PatientInput, PatientRecord
from tests.support.us_image import ScanSubject, us_image

PASSWORD = "correct horse battery"
STRANGER = ScanSubject("9990000077", "STRANGER", "Sam", date(1971, 1, 2), "M")


@pytest.fixture
def sonographer(services: Services) -> CurrentUser:
    services.users.add(
        SYSTEM, username="tom", display_name="Tom Okafor", role=Role.SONOGRAPHER, password=PASSWORD
    )
    return services.auth.login("tom", PASSWORD)


def _patient(services: Services, actor: CurrentUser, nhs: str, family: str) -> PatientRecord:
    patient = services.patients.register(
        actor,
        PatientInput(
            nhs_number=nhs,
            family_name=family,
            given_name="Ada",
            date_of_birth="1960-03-14",
            sex="2",
        ),
    )
    frame = np.random.default_rng(int(nhs[-2:])).integers(0, 90, (48, 64, 3), dtype=np.uint8)
    services.imaging.capture_still(actor, patient.id, frame, body_part="KNEE", laterality="L")
    return patient


def _file(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _sent(services: Services, study_id: object) -> list[Dataset]:
    with services.context.store.sessions() as session:
        study = session.get(ImagingStudy, study_id)
        assert study is not None
        datasets = outgoing_datasets(session, study)
    assert datasets is not None
    return datasets


def test_one_scanner_series_assigned_to_two_patients_leaves_as_two_series(
    services: Services, sonographer: CurrentUser
) -> None:
    ada = _patient(services, sonographer, "9990000018", "Lovelace")
    grace = _patient(services, sonographer, "9990000026", "Hopper")
    first = us_image(subject=STRANGER, seed=1)
    second = us_image(subject=STRANGER, seed=2, series_uid=str(first.SeriesInstanceUID))
    scanner_series = str(first.SeriesInstanceUID)
    orphans = [services.imaging.receive(_file(ds)) for ds in (first, second)]
    assert [o.study_id for o in orphans] == [None, None]

    to_ada = services.imaging.assign(sonographer, orphans[0].id, ada.id)
    to_grace = services.imaging.assign(sonographer, orphans[1].id, grace.id)

    (ada_study,) = services.imaging.studies(sonographer, ada.id)
    (grace_study,) = services.imaging.studies(sonographer, grace.id)
    # The record keeps each in a series of the study it joined, never the scanner's one.
    assert to_ada.study_id == ada_study.id
    assert to_grace.study_id == grace_study.id
    with services.context.store.sessions() as session:
        kept = {row.id: row.series_uid for row in session.scalars(select(ImageInstance))}
    ada_series, grace_series = kept[orphans[0].id], kept[orphans[1].id]
    assert len({ada_series, grace_series, scanner_series}) == 3
    assert ada_series == moved_series_uid(scanner_series, ada_study.study_uid)
    assert ada_series.startswith("2.25.")

    # Each leaves under its record's study and the series the record keeps for it.
    for study, series, sent in (
        (ada_study, ada_series, first),
        (grace_study, grace_series, second),
    ):
        (moved,) = (
            ds for ds in _sent(services, study.id) if ds.SOPInstanceUID == sent.SOPInstanceUID
        )
        assert (moved.StudyInstanceUID, moved.SeriesInstanceUID) == (study.study_uid, series)
        (before,) = moved.OriginalAttributesSequence[0].ModifiedAttributesSequence
        assert before.SeriesInstanceUID == scanner_series
        assert before.StudyInstanceUID == sent.StudyInstanceUID
    # The app's own capture in the same study keeps its own series, untouched.
    grabbed = next(
        ds for ds in _sent(services, ada_study.id) if ds.SOPInstanceUID != first.SOPInstanceUID
    )
    assert "OriginalAttributesSequence" not in grabbed


def test_the_derived_series_is_the_same_every_time_and_differs_by_study() -> None:
    assert moved_series_uid("1.2.3", "2.25.9") == moved_series_uid("1.2.3", "2.25.9")
    assert moved_series_uid("1.2.3", "2.25.9") != moved_series_uid("1.2.3", "2.25.10")
    assert len(moved_series_uid("1.2.3", "2.25.9")) <= 64  # a UI's maximum length
