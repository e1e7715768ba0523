"""Images and files put on the wrong patient, or read by a laptop that does not hold them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clinic_app.kernel.errors import ClinicError
from clinic_app.sync.protocol import Status
from tests.integration.sync.hostile_moves.helpers import change, holds, push, stored, token
from tests.integration.sync.hostile_moves.rows import attachment, imaged, instance, study, upload
from tests.support.sync_server import Device, SyncServer
from tests.support.two_sites import register, site_laptop

pytestmark = pytest.mark.timeout(300)


def test_an_image_of_my_patient_naming_another_patients_file_is_refused(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """An image row (``image_instance``) of one patient's study names another patient's file.

    Both patients are held on the laptop. The image shows in Ada Northern's study with Ada
    Otherside's scan as its picture: a scan on the wrong patient's record, which the app's
    own capture never makes (an image's file is the one captured for it). README: "a record
    links only to its own patient's records (``sync.wrong_patient``)"; the image's
    ``attachment_id`` is not among the links the server checks (``imaging.handlers`` has only
    ``filed_once`` for ``image_instance``).
    """
    mine, _ = two_patients
    other = register(north, "9990000042", "Otherside")
    north.client.sync_once()
    _, others_file, _, _ = imaged(north, other)
    my_study = uuid.uuid4()
    image = uuid.uuid4()
    results = push(
        north,
        token(north),
        change("imaging_study", my_study, study(mine), op="insert"),
        change("image_instance", image, instance(my_study, others_file), op="insert"),
    ).results

    assert results[0].status is Status.APPLIED
    assert (results[1].status, results[1].reason) == (Status.REJECTED, "sync.wrong_patient")
    assert stored(db, "image_instance", image) is None


@pytest.fixture
def north_two(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    """A second Northgate laptop, Ann signed in."""
    yield from site_laptop(server, tmp_path, "northgate-two", "ann")


def test_an_image_naming_another_sites_file_is_refused_and_others_pull_on(
    north: Device,
    south: Device,
    north_two: Device,
    db: Engine,
    two_patients: tuple[uuid.UUID, uuid.UUID],
) -> None:
    """An image of a held patient naming a file row of a patient the laptop does not hold.

    The scope check reads an image's patient from its study only, so the change is taken
    though it names the file of another site's patient (whose row id the laptop once saw). Every
    other laptop holding Ada Northern then pulls an image whose file row it does not (and
    may not) hold: its foreign key fails at the end of the page and that laptop's pull stops
    there for good. README: "a laptop writes only to patients it holds", "a record links only
    to its own patient's records (``sync.wrong_patient``)".
    """
    mine, theirs = two_patients
    _, their_file, _, _ = imaged(south, theirs)
    # The second Northgate laptop holds Ada Northern and is up to date.
    north_two.transport.scope_held([str(mine)], [], reason="opened", user_token=token(north_two))
    north_two.client.sync_once()

    my_study, image = uuid.uuid4(), uuid.uuid4()
    results = push(
        north,
        token(north),
        change("imaging_study", my_study, study(mine), op="insert"),
        change("image_instance", image, instance(my_study, their_file), op="insert"),
    ).results
    assert results[0].status is Status.APPLIED

    refused = results[1].status is Status.REJECTED
    try:
        north_two.client.sync_once()
        pulled = "pulled"
    except Exception as error:  # noqa: BLE001 - any failure of the pull is the fault shown
        pulled = repr(error)
    assert refused, results[1]
    assert pulled == "pulled", pulled
    assert not holds(db, north, theirs)


def test_a_file_row_naming_another_sites_file_gets_the_laptop_nothing(
    north: Device, south: Device, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """A laptop that knows a file's name gets its bytes by first pushing a row naming it.

    Downloading by name alone is refused (``test_a_file_uploaded_by_another_site_is_not_
    downloaded_by_its_name``), but the server takes a new ``attachment`` row on the laptop's own
    patient naming any file it already stores (it only asks that the file is there), and
    then counts the laptop as holding "a record naming it". Another site's patient's scan is
    read with no fetch of that patient recorded. README: "a file (an image, a PDF) is
    downloaded only by a laptop that holds a record naming it", "a record links only to its
    own patient's records".
    """
    mine, theirs = two_patients
    data = b"DICM" + b"a Southfield patient's scan " * 100
    their_sha = upload(south, data)
    made = push(
        south,
        token(south),
        change("attachment", uuid.uuid4(), attachment(theirs, their_sha, len(data)), op="insert"),
    ).results[0]
    assert made.status is Status.APPLIED
    with pytest.raises(ClinicError):
        b"".join(north.transport.download(their_sha))

    claim = push(
        north,
        token(north),
        change("attachment", uuid.uuid4(), attachment(mine, their_sha, len(data)), op="insert"),
    ).results[0]

    try:
        got = b"".join(north.transport.download(their_sha))
    except ClinicError:
        got = b""
    assert got != data, f"another site's file read after {claim}"
