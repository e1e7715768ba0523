"""Pure rules of a shared decision: who may take part, who decides, and the measures' scoring.

CollaboRATE (Elwyn G et al., Patient Educ Couns 2013;93(1):102-7; Barr PJ et al., J Med Internet
Res 2014;16(1):e2; items in resources/sdm_measures/collaborate.json): three items, each scored 0
("no effort was made") to 9 ("every effort was made"); the top-box score is whether all three
were answered 9. SDM-Q-9 (Kriston L et al., Patient Educ Couns 2010;80(1):94-9): nine items
scored 0 to 5, the raw sum (0..45) multiplied by 20/9 gives 0..100; with an item missing the
score is not given.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

PARTICIPANT_ROLES: tuple[str, ...] = ("carer", "interpreter", "family", "other")
"""Who else may take part in the conversation, besides the patient and the clinician."""

DECISION_MAKERS: tuple[str, ...] = ("patient", "patient_and_carer", "shared_with_clinician")
"""Who made the decision."""

RATING_MIN = 0
RATING_MAX = 10
"""What matters to me: each statement rated 0 (not at all) to 10 (matters most)."""

COLLABORATE_ITEMS = 3
COLLABORATE_MAX = 9
SDM_Q9_ITEMS = 9
SDM_Q9_MAX = 5

TEXT_MAX = 4000
"""The longest the patient's reasons or questions may be (characters)."""
NAME_MAX = 120
"""The longest a participant's name or the interpreter's language may be (characters)."""

TOO_FEW_TO_RATE = 25
"""Below this many CollaboRATE responses a clinician's top-box rate is not shown as a rate."""


def collaborate_top_box(items: Sequence[int | None] | None) -> bool | None:
    """True when all three CollaboRATE items were scored 9; None when not all were answered."""
    if items is None or len(items) != COLLABORATE_ITEMS or any(i is None for i in items):
        return None
    return all(item == COLLABORATE_MAX for item in items)


def collaborate_complete(items: Sequence[int | None] | None) -> bool:
    """True when all three CollaboRATE items were answered."""
    return collaborate_top_box(items) is not None


def sdm_q9_score(items: Sequence[int | None] | None) -> float | None:
    """SDM-Q-9 on 0..100 (the raw sum times 20/9); None when not asked or any item is missing."""
    if items is None or len(items) != SDM_Q9_ITEMS:
        return None
    answered = [item for item in items if item is not None]
    if len(answered) != SDM_Q9_ITEMS:
        return None
    return float(Fraction(sum(answered)) * 20 / 9)
