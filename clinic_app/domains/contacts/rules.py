"""The contact note's sections and the checks of its exercises: pure, no store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.records.sections import Section, SectionKind

NOTE_TEXT = 4000
"""The longest a section of words may be (characters)."""

#: The contact note's sections, in the order the form and the printout show them.
#:
#: Two are needed to sign. The subjective, because every follow-up contact (face to face,
#: telephone or video) starts from how the patient has been since they were last seen; the
#: plan, because a signed note without one leaves the next clinician, the patient's GP and
#: the patient with no next step. The objective, the treatment and the exercises may be
#: rightly empty: a telephone review has no examination, and advice alone is a contact.
SECTIONS: tuple[Section, ...] = (
    Section(
        "subjective",
        "Subjective",
        max_length=NOTE_TEXT,
        required=True,
        empty_words="Nothing recorded.",
        letter=True,
    ),
    Section("objective", "Objective", max_length=NOTE_TEXT, empty_words="Nothing recorded."),
    Section(
        "treatment",
        "Treatment given",
        max_length=NOTE_TEXT,
        empty_words="None recorded.",
        letter=True,
    ),
    Section("exercises", "Exercises", SectionKind.STRUCTURED, empty_words="None given."),
    Section("plan", "Plan", max_length=NOTE_TEXT, required=True, letter=True),
)

EXERCISES = "exercises"
"""The key of the structured section: a list of exercises."""

# Data-entry bounds, not clinical advice: they catch a slip of the keyboard (300 sets, 0
# repetitions) and leave every dose a clinician would prescribe inside them. What to
# prescribe is the clinician's judgement, recorded as typed.
SETS_MIN, SETS_MAX = 1, 20
REPS_MIN, REPS_MAX = 1, 200
MAX_EXERCISES = 30
NAME_TEXT = 120
DETAIL_TEXT = 120
NOTES_TEXT = 500

#: An exercise's parts that are words, and the longest each may be.
EXERCISE_WORDS: Mapping[str, int] = {
    "name": NAME_TEXT,
    "load": DETAIL_TEXT,
    "frequency": DETAIL_TEXT,
    "notes": NOTES_TEXT,
}
EXERCISE_KEYS = frozenset({*EXERCISE_WORDS, "sets", "reps"})


def _words(value: object, field: str, limit: int) -> tuple[str, ValidationError | None]:
    if value is None:
        return "", None
    if not isinstance(value, str):
        return "", ValidationError("record.not_text", field=field)
    words = " ".join(value.split())
    if len(words) > limit:
        return words, ValidationError("text.too_long", field=field, max_length=limit)
    return words, None


def _count(value: object) -> int | None:
    """A whole number typed or given as one ("3", 3), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _exercise(index: int, value: object) -> tuple[dict[str, Any], list[ValidationError]]:
    where = f"{EXERCISES}.{index}"
    if not isinstance(value, Mapping):
        return {}, [ValidationError("contact_note.exercise_not_a_record", field=where)]
    problems: list[ValidationError] = []
    exercise: dict[str, Any] = {}
    for key, limit in EXERCISE_WORDS.items():
        words, problem = _words(value.get(key), f"{where}.{key}", limit)
        if problem is not None:
            problems.append(problem)
        elif words:
            exercise[key] = words
    if "name" not in exercise and not any(p.field == f"{where}.name" for p in problems):
        problems.append(
            ValidationError("contact_note.exercise_name_required", field=f"{where}.name")
        )
    sets = _count(value.get("sets"))
    if sets is None or not SETS_MIN <= sets <= SETS_MAX:
        problems.append(
            ValidationError(
                "contact_note.exercise_sets_range",
                field=f"{where}.sets",
                low=SETS_MIN,
                high=SETS_MAX,
            )
        )
    else:
        exercise["sets"] = sets
    reps = _count(value.get("reps"))
    if reps is None or not REPS_MIN <= reps <= REPS_MAX:
        problems.append(
            ValidationError(
                "contact_note.exercise_reps_range",
                field=f"{where}.reps",
                low=REPS_MIN,
                high=REPS_MAX,
            )
        )
    else:
        exercise["reps"] = reps
    return exercise, problems


def checked_exercises(value: object) -> list[dict[str, Any]]:
    """The exercises as kept: each named, with whole-number sets and repetitions.

    Load, frequency and notes are optional words. Rows left wholly empty on a form are
    dropped; anything else is checked.

    Raises:
        FormErrors: field-named problems, e.g. ``contact_note.exercise_sets_range`` on
            ``exercises.0.sets`` and ``contact_note.exercise_name_required`` on
            ``exercises.1.name``; ``contact_note.too_many_exercises`` on ``exercises``.
    """
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise FormErrors([ValidationError("contact_note.exercises_not_a_list", field=EXERCISES)])
    rows = [row for row in value if not _blank(row)]
    if len(rows) > MAX_EXERCISES:
        raise FormErrors(
            [
                ValidationError(
                    "contact_note.too_many_exercises", field=EXERCISES, most=MAX_EXERCISES
                )
            ]
        )
    kept: list[dict[str, Any]] = []
    problems: list[ValidationError] = []
    for index, row in enumerate(rows):
        exercise, found = _exercise(index, row)
        kept.append(exercise)
        problems.extend(found)
    if problems:
        raise FormErrors(problems)
    return kept


def _blank(row: object) -> bool:
    if not isinstance(row, Mapping):
        return False
    return all(
        value is None or (isinstance(value, str) and not value.strip())
        for key, value in row.items()
        if key in EXERCISE_KEYS
    )


def exercise_line(exercise: Mapping[str, Any]) -> str:
    """One exercise in words: "Sit to stand: 3 sets of 10, body weight, twice a day"."""
    parts = [f"{exercise.get('sets', '')} sets of {exercise.get('reps', '')}"]
    parts += [str(exercise[key]) for key in ("load", "frequency", "notes") if exercise.get(key)]
    return f"{exercise.get('name', '')}: " + ", ".join(parts)
