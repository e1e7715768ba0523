"""A capture context for tests of the images the app makes: one patient, one knee, one time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from clinic_app.domains.imaging.dicom.capture import CaptureContext, new_uid


def capture_context(**changes: object) -> CaptureContext:
    """A synthetic patient's left-knee capture, with ``changes`` made to it."""
    values: dict[str, object] = {
        "nhs_number": "9990000018",
        "family_name": "Ó'Brien",
        "given_name": "Siobhán",
        "birth_date": date(1960, 3, 14),
        "sex": "F",
        "study_uid": new_uid(),
        "series_uid": new_uid(),
        "body_part": "KNEE",
        "laterality": "L",
        "operator": "OKAFOR^Tom",
        "when": datetime(2026, 11, 25, 10, 30, 5, 250000, tzinfo=UTC),
    }
    values.update(changes)
    return CaptureContext(**values)  # type: ignore[arg-type]
