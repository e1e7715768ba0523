"""The words for the audit trail's codes."""

from __future__ import annotations

from ui.common.wording import WordTable

_WORDS: dict[str, str] = {
    "audit.patient_not_here": (
        "No patient with that NHS number is on this computer. Open the record once (or ask "
        "the server's administrator to run 'onestop-server audit patient')."
    ),
    "audit.export_exists": (
        "A file with that name is already there. Nothing was overwritten: choose a new name."
    ),
}

WORDS = WordTable(__name__, messages=_WORDS)
