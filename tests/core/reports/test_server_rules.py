"""The server takes a pushed scan report only with its own patient's study, episode and version.

A tampered device could push a report naming another patient's study, episode of care or
earlier report: the server refuses it. The reports a device really writes (a first version
and its addendum) are applied.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.sync.protocol import Status
from tests.core.reports.test_reports import _content
from tests.support.laptop_push import APPLIED, PASSWORD, Laptop, laptop

TABLE = "scan_report"
WRONG_PATIENT = [(Status.REJECTED, "sync.wrong_patient")]


@dataclass(frozen=True)
class Scan:
    """A patient's episode, study and report, all on the server as the laptop wrote them."""

    episode: uuid.UUID
    study: uuid.UUID
    report: uuid.UUID


@pytest.fixture
def device(services: Services, tmp_path: Path) -> Iterator[Laptop]:
    with laptop(services, tmp_path) as made:
        yield made


def _scan(device: Laptop, nhs_number: str, family: str) -> Scan:
    """A patient scanned in their episode and reported on, on the laptop; all pushed."""
    patient = device.patient(nhs_number, family)
    _referral, episode = device.episode(patient)
    frame = np.random.default_rng(1).integers(0, 90, (48, 64, 3), dtype=np.uint8)
    image = device.services.imaging.capture_still(
        device.user, patient, frame, body_part="KNEE", laterality="R"
    )
    assert image.study_id is not None
    assert device.push("imaging_study", image.study_id) == APPLIED
    report = device.services.reports.start(device.user, image.study_id)
    device.services.reports.save(device.user, report.id, _content(image.id))
    assert device.push(TABLE, report.id) == APPLIED
    return Scan(episode, image.study_id, report.id)


def test_a_report_and_its_addendum_are_applied(device: Laptop) -> None:
    scan = _scan(device, "9990000018", "Ashworth")
    reports = device.services.reports
    signed = reports.sign(device.user, scan.report, PASSWORD)
    later = reports.addendum(device.user, signed.id, "Effusion resolved on review.")

    written = device.written(TABLE, later.id)
    assert (written["predecessor_id"], written["episode_id"]) == (
        str(scan.report),
        str(scan.episode),
    )
    assert device.push(TABLE, later.id) == APPLIED


@pytest.mark.parametrize("column", ["study_id", "episode_id", "predecessor_id"])
def test_another_patient_s_study_episode_or_report_is_refused(device: Laptop, column: str) -> None:
    scan = _scan(device, "9990000018", "Ashworth")
    other = _scan(device, "9990000026", "Bramley")
    named = {"study_id": other.study, "episode_id": other.episode, "predecessor_id": other.report}

    assert device.push(TABLE, scan.report, as_new=True, **{column: named[column]}) == WRONG_PATIENT
    assert device.push(TABLE, scan.report, as_new=True) == APPLIED
