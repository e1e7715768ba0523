"""Injections' words for the codes of the aftercare leaflet (printing it for a patient)."""

from __future__ import annotations

from ui.common.wording import WordTable

_WORDS = {
    "injection.aftercare_not_signed": (
        "The aftercare leaflet is printed once the injection record is signed. Sign it first."
    ),
}

WORDS = WordTable(__name__, messages=_WORDS)
