"""A screening's answers not yet recorded, kept as the user's draft for that patient."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from clinic_app.domains.red_flags.rules import Answer

DRAFT_KIND = "red_flag_screening"
#: The screens asked alone (the suggested ones are always there) do not make a draft.
IGNORED_FOR_BLANK = frozenset({"screens"})


@dataclass(frozen=True)
class ScreeningDraft:
    """What a clinician had on the page: the screens asked, the answers, those taken back."""

    screens: tuple[str, ...]
    answers: dict[str, Answer]
    cleared: frozenset[str]

    def payload(self) -> dict[str, object]:
        """As the draft store keeps it (plain JSON values)."""
        return {
            "screens": list(self.screens),
            "answers": {code: answer.value for code, answer in self.answers.items()},
            "cleared": sorted(self.cleared),
        }


def draft_of(
    screens: Iterable[str], answers: Mapping[str, Answer], cleared: Iterable[str]
) -> ScreeningDraft:
    """The draft of a screening as it stands on the page."""
    return ScreeningDraft(tuple(screens), dict(answers), frozenset(cleared))


def read_draft(payload: Mapping[str, object]) -> ScreeningDraft:
    """A kept draft read back; anything it holds that is not a screen's answer is left out."""
    screens = payload.get("screens")
    answers = payload.get("answers")
    cleared = payload.get("cleared")
    known = {answer.value for answer in Answer}
    return ScreeningDraft(
        tuple(s for s in screens if isinstance(s, str)) if isinstance(screens, list) else (),
        {
            code: Answer(value)
            for code, value in answers.items()
            if isinstance(code, str) and value in known
        }
        if isinstance(answers, dict)
        else {},
        frozenset(c for c in cleared if isinstance(c, str))
        if isinstance(cleared, list)
        else frozenset(),
    )
