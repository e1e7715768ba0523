"""How hard a piece of plain English is to read: a Flesch-Kincaid grade, roughly.

Used where words are written for patients (decision aids, letters to patients). The
syllable count is a rule of thumb, good enough to catch a hard paragraph, not a linguist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SENTENCE_END = re.compile(r"[.!?:;]\s+")
_WORD = re.compile(r"[A-Za-z']+")


def syllables(word: str) -> int:
    """A rough count of the syllables of one English word (at least 1)."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    if len(letters) <= 3:  # short words count as one syllable
        return 1
    letters = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", letters)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", letters.removeprefix("y"))))


def grade(texts: Iterable[str]) -> float | None:
    """The Flesch-Kincaid grade of the texts read together; None when they hold no words.

    0.39 x words per sentence + 11.8 x syllables per word - 15.59 (Kincaid et al. 1975).
    A US school grade: add 5 for a reading age in years.
    """
    parts = [text for text in texts if text.strip()]
    sentences = [
        sentence
        for text in parts
        for sentence in _SENTENCE_END.split(text.strip().rstrip("."))
        if sentence.strip()
    ]
    words = [word for text in parts for word in _WORD.findall(text)]
    if not words or not sentences:
        return None
    counted = sum(syllables(word) for word in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * counted / len(words) - 15.59
