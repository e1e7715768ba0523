"""How names are folded for search: case, accents and punctuation do not matter."""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """Fold a name for prefix search: "O'Brien-Zoë" and "obrienzoe" share a key.

    Accents are removed (NFKD, combining marks dropped), case is folded, and anything
    that is not a letter or a digit is dropped, so hyphens and apostrophes never stop a match.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())
