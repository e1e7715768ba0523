"""A scanner's image waiting for a patient, then filed to one: it leaves the other sites' laptops.

Until a person says whose an image is, every laptop of the service holds it (any clinic may
place it). Once it is filed to a Southfield patient, its file row and bytes belong to that
patient: Northgate's laptop lets go of them at its next sync and may no longer download the
file, a new Northgate laptop never receives them, and Southfield keeps both.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic_app.domains.imaging.model import ImageInstance
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.attachments import Attachment, AttachmentChunk
from clinic_app.kernel.errors import ClinicError
from clinic_app.people.views import ReferralInput
from tests.support.sync_server import Device, SyncServer
from tests.support.two_sites import register, site_laptop, two_site_server
from tests.support.us_image import ONE_VIEW, ScanSubject, us_image

pytestmark = pytest.mark.timeout(300)


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


def _southfield_patient(south: Device) -> uuid.UUID:
    """A patient triaged into a pathway at Southfield: in Southfield's scope only."""
    patient = register(south, "9990000034", "Southern", phone="0113 496 0000")
    referral = south.services.referrals.create(
        south.actor,
        ReferralInput(
            patient_id=patient,
            source="gp",
            received_on="2026-11-20",
            referrer_name="Dr A Hughes",
            reason="Knee pain on stairs, worse for a month",
            specialty="physiotherapy",
        ),
    ).id
    south.services.triage.triage(
        south.actor,
        referral,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    return patient


def _received_orphan(south: Device) -> tuple[uuid.UUID, uuid.UUID, str]:
    """(image, its attachment, the file's SHA-256) of an object nobody's name matched."""
    stranger = ScanSubject(nhs_number="9990000042", family_name="NOBODY", given_name="Known")
    out = io.BytesIO()
    us_image(subject=stranger, regions=ONE_VIEW).save_as(out, enforce_file_format=True)
    orphan = south.services.imaging.receive(out.getvalue())
    assert orphan.study_id is None
    with south.services.context.store.sessions() as session:
        attachment_id = session.scalars(
            select(ImageInstance.attachment_id).where(ImageInstance.id == orphan.id)
        ).one()
    return orphan.id, attachment_id, hashlib.sha256(out.getvalue()).hexdigest()


def _holds(device: Device, attachment_id: uuid.UUID, sha256: str) -> tuple[bool, bool]:
    """(the attachment row, the file's bytes) are in the laptop's store."""
    with device.services.context.store.sessions() as session:
        row = session.get(Attachment, attachment_id) is not None
        chunks = session.scalars(
            select(AttachmentChunk.number).where(AttachmentChunk.sha256 == sha256)
        ).first()
    return row, chunks is not None


def _may_download(device: Device, sha256: str) -> bool:
    try:
        b"".join(device.transport.download(sha256))
    except ClinicError:
        return False
    return True


def test_an_image_filed_to_another_sites_patient_leaves_this_sites_laptops(
    server: SyncServer, north: Device, south: Device, tmp_path: Path
) -> None:
    theirs = _southfield_patient(south)
    image, attachment, sha256 = _received_orphan(south)
    south.client.sync_once()
    north.client.sync_once()
    # Waiting for a patient, it is on every laptop of the service.
    assert _holds(north, attachment, sha256) == (True, True)

    south.services.imaging.assign(south.actor, image, theirs)
    south.client.sync_once()
    north.client.sync_once()

    assert _holds(north, attachment, sha256) == (False, False)
    assert not _may_download(north, sha256)
    assert _holds(south, attachment, sha256) == (True, True)
    assert _may_download(south, sha256)
    # The laptop's check agrees with the server: nothing to pull again.
    assert not north.client.sync_once(check=True).repulled
    assert not south.client.sync_once(check=True).repulled
    # A laptop newly given to Northgate never receives it.
    with contextmanager(site_laptop)(server, tmp_path, "northgate-2", "ann") as second:
        second.client.sync_once()
        assert _holds(second, attachment, sha256) == (False, False)
        assert not _may_download(second, sha256)
        assert not second.client.sync_once(check=True).repulled
