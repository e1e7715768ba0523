"""Injections' words for the codes of the aftercare leaflet (printing it for a patient)."""

from __future__ import annotations

from ui.common.wording import WordTable

_WORDS = {
    "injection.aftercare_not_signed": (
        "The aftercare leaflet is printed once the injection record is signed. Sign it first."
    ),
    "injection.aftercare_not_intact": (
        "This injection record no longer matches what was signed, so its aftercare leaflet "
        "cannot be printed. Tell the service lead."
    ),
}

WORDS = WordTable(__name__, messages=_WORDS)
