"""Shockwave's words for the checks that depend on settings each service sets for itself.

The device service interval and the "recent steroid injection" window have no cited number,
so they ship unset; until the service sets them these checks say what they cannot know.
"""

from __future__ import annotations

from ui.common.wording import MessageWords, WordTable, tr

_BUILT: dict[str, MessageWords] = {
    "eswt.device_never_serviced": lambda e: tr(
        "No service date is on record for this device: check it has been serviced."
    ),
    "eswt.device_service_unchecked": lambda e: tr(
        "Your service has not set how often its shockwave devices are serviced, so this "
        "device's service date is not checked. Look at its service label."
    ),
    "eswt.steroid_here_no_window": lambda e: tr(
        "A steroid injection was given here {days} days ago. Your service has not set how "
        "recent an injection counts as a caution: judge it yourself."
    ).format(days=e.params.get("days", "")),
}

WORDS = WordTable(__name__, builders=_BUILT)
