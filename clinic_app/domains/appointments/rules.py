"""Pure rules of the clinic day: times, clashes, statuses, the non-attendance rule."""

from __future__ import annotations

import uuid

#: The namespace of the ids of double bookings: an id is derived from its pair.
_CLASH_NAMESPACE = uuid.UUID("5b0f6f0e-0c8d-5d1e-9a43-4a1f0c9d2e71")


def clash_id(first: uuid.UUID, second: uuid.UUID) -> uuid.UUID:
    """The id of the double booking of two appointments, the same whichever is named first."""
    low, high = sorted((first, second))
    return uuid.uuid5(_CLASH_NAMESPACE, f"{low}:{high}")
