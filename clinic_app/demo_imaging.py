"""Demo imaging: a knee scan for the demo's first patient, and one image waiting for a patient.

The pictures are made up (speckle with a bright band and a dark pocket, as a tendon and a
small effusion look on ultrasound): they show how the screens work, nothing clinical.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import numpy as np

from clinic_app.container import Services
from clinic_app.domains.imaging.dicom.capture import CaptureContext, new_uid, still
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.nhs_number import synthetic_numbers

_ROWS, _COLUMNS = 360, 480


def scan_frames(count: int, seed: int = 11) -> np.ndarray:
    """``count`` grey-scale ultrasound-like RGB frames; the band drifts as a probe would."""
    rng = np.random.default_rng(seed)
    rows = np.arange(_ROWS)[:, None]
    columns = np.arange(_COLUMNS)[None, :]
    frames = np.empty((count, _ROWS, _COLUMNS, 3), dtype=np.uint8)
    # Deeper tissue returns less echo; a sector shape leaves the corners black.
    depth = 1.0 - rows / (_ROWS * 1.6)
    sector = np.abs(columns - _COLUMNS / 2) < (_COLUMNS * 0.28 + rows * 0.45)
    for index in range(count):
        speckle = rng.gamma(2.0, 22.0, (_ROWS, _COLUMNS))
        band_top = 120 + 6 * np.sin(index / 4) + 10 * np.sin(columns / 70)
        band = np.abs(rows - band_top) < 9
        fibres = 70 * (np.sin(rows * 1.3 + columns * 0.05) > 0.2)
        pocket = ((rows - 230) / 28) ** 2 + ((columns - 250 - index) / 60) ** 2 < 1
        picture = speckle * depth + band * (110 + fibres)
        picture[pocket] *= 0.15
        picture[~sector] = 0
        frames[index] = np.clip(picture, 0, 255).astype(np.uint8)[..., None]
    return frames


def add_demo_imaging(services: Services, sonographer: CurrentUser, registered: int) -> None:
    """A still and a short clip of the first demo patient's left knee, and one orphan.

    ``registered`` is how many demo patients there are (they hold the first test numbers).
    """
    clinician = sonographer
    first = services.patients.search(clinician, next(synthetic_numbers(1)), limit=1)
    if first:
        frames = scan_frames(24)
        services.imaging.capture_still(
            clinician, first[0].id, frames[0], body_part="KNEE", laterality="L"
        )
        services.imaging.capture_clip(
            clinician, first[0].id, frames, 40.0, body_part="KNEE", laterality="L"
        )
    # An image pushed by a scanner for someone not registered here: it waits for a person.
    *_, stranger = synthetic_numbers(registered + 1)
    context = CaptureContext(
        nhs_number=stranger,
        family_name="Walker",
        given_name="Sam",
        birth_date=date(1971, 6, 2),
        sex="M",
        study_uid=str(new_uid()),
        series_uid=str(new_uid()),
        body_part="SHOULDER",
        laterality="R",
        operator="",
        when=datetime.now().astimezone(),
    )
    out = io.BytesIO()
    still(scan_frames(1, seed=5)[0], context).save_as(out, enforce_file_format=True)
    services.imaging.receive(out.getvalue())
