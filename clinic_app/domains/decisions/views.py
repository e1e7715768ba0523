"""Read models of shared decisions and what a screen sends to save one: frozen, Qt-free."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from clinic_app.domains.decisions.rules import collaborate_top_box, sdm_q9_score
from clinic_app.kernel.vocabulary import RecordStatus


@dataclass(frozen=True)
class DecisionAbout:
    """A decision asked for from another record: an assessment's plan, with its diagnosis.

    The decision screen offers the aid written for ``diagnosis_code`` first, else the list.
    """

    diagnosis_code: str | None = None


@dataclass(frozen=True)
class Participant:
    """Someone else who took part: their role (carer, interpreter, family, other) and name."""

    role: str
    name: str = ""


@dataclass(frozen=True)
class DecisionInput:
    """What the consultation screen saves of a draft (all of it, every time).

    Attributes:
        options_discussed: option ids talked through (each one of the aid's).
        ratings: matters statement id → the patient's rating 0..10.
        leaning: the option the patient leans towards now, or None.
        choice: an option id, ``"undecided"``, or None while nothing is chosen.
        choice_words: the patient's reasons, in their words.
        questions: the patient's questions.
        participants: who else took part.
        interpreter_language: the language interpreted, when an interpreter took part.
        teach_back: the patient said back what they understood.
        decision_maker: ``patient``, ``patient_and_carer`` or ``shared_with_clinician``.
        collaborate: CollaboRATE's 3 item scores 0..9 (None for one not answered), or None.
        sdm_q9: SDM-Q-9's 9 item scores 0..5 (None for one not answered), or None.
    """

    options_discussed: tuple[str, ...] = ()
    ratings: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    leaning: str | None = None
    choice: str | None = None
    choice_words: str = ""
    questions: str = ""
    participants: tuple[Participant, ...] = ()
    interpreter_language: str | None = None
    teach_back: bool = False
    decision_maker: str | None = None
    collaborate: tuple[int | None, ...] | None = None
    sdm_q9: tuple[int | None, ...] | None = None


@dataclass(frozen=True)
class DecisionRecordView:
    """One SDM record as screens, the take-home summary and other records read it.

    ``intact`` is False when a signed record no longer matches its seal (changed outside the
    app): it is reported, never repaired.
    """

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    status: str
    aid_id: str
    aid_version: str
    options_discussed: tuple[str, ...]
    discussed_leads_to: tuple[str, ...]
    ratings: Mapping[str, int]
    leaning: str | None
    choice: str | None
    choice_leads_to: str | None
    choice_words: str
    questions: str
    participants: tuple[Participant, ...]
    interpreter_language: str | None
    teach_back: bool
    decision_maker: str | None
    supersedes_id: uuid.UUID | None
    collaborate: tuple[int | None, ...] | None
    sdm_q9: tuple[int | None, ...] | None
    created_at: datetime
    created_by: uuid.UUID | None
    row_version: int
    signed_at: datetime | None = None
    signed_by: uuid.UUID | None = None
    attestation: str | None = None
    intact: bool = True
    superseded_by: uuid.UUID | None = None
    """The later record that replaces this one after a change of mind, if any."""
    summary: str = ""
    """Its one line, e.g. "Shared decision, signed, 3 March 2027"."""

    @property
    def is_signed(self) -> bool:
        """True once signed: it never changes again."""
        return self.status == RecordStatus.SIGNED

    @property
    def undecided(self) -> bool:
        """True when the patient has not decided yet and will think about it."""
        return self.choice == "undecided"

    @property
    def collaborate_top_box(self) -> bool | None:
        """All three CollaboRATE items scored 9 (None when not all answered)."""
        return collaborate_top_box(self.collaborate)

    @property
    def sdm_q9_score(self) -> float | None:
        """SDM-Q-9 on 0..100 (None when not asked or an item is missing)."""
        return sdm_q9_score(self.sdm_q9)

    def as_input(self) -> DecisionInput:
        """What a screen would save to keep this record as it is."""
        return DecisionInput(
            options_discussed=self.options_discussed,
            ratings=self.ratings,
            leaning=self.leaning,
            choice=self.choice,
            choice_words=self.choice_words,
            questions=self.questions,
            participants=self.participants,
            interpreter_language=self.interpreter_language,
            teach_back=self.teach_back,
            decision_maker=self.decision_maker,
            collaborate=self.collaborate,
            sdm_q9=self.sdm_q9,
        )
