"""The service figures' words for their error codes, the server's relayed ones among them."""

from __future__ import annotations

from ui.common.wording import WordTable

_WORDS: dict[str, str] = {
    "figures.bad_month": (
        "The server did not take the months asked for. Open the figures again; if this keeps "
        "happening, tell IT support."
    ),
    "figures.bad_scope": (
        "The server did not know whose figures were asked for. Open the figures again; if this "
        "keeps happening, tell IT support."
    ),
    "figures.not_allowed": (
        "Your role does not see these figures: the whole service's are for the service lead, "
        "and each clinician sees their own."
    ),
}

# The dashboard asks only for the measures and breakdowns the catalogue lists: a code for
# another is a fault in the app (or a server of another version), and says so calmly.
_FAULTS = frozenset({"figures.unknown_breakdown", "figures.unknown_measure"})

WORDS = WordTable(__name__, messages=_WORDS, faults=_FAULTS)
