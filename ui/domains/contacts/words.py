"""The contact note's words for its error codes."""

from __future__ import annotations

from ui.common.wording import FieldWords, WordTable, tr

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "contact_note.required_to_sign": lambda e, label: tr("Fill this in before signing the note."),
    "contact_note.exercise_name_required": lambda e, label: tr("Name the exercise."),
    "contact_note.exercise_sets_range": lambda e, label: tr(
        "Sets are a whole number from {low} to {high}."
    ).format(low=e.params.get("low", ""), high=e.params.get("high", "")),
    "contact_note.exercise_reps_range": lambda e, label: tr(
        "Repetitions are a whole number from {low} to {high}."
    ).format(low=e.params.get("low", ""), high=e.params.get("high", "")),
    "contact_note.too_many_exercises": lambda e, label: tr(
        "A note holds at most {most} exercises. Combine or remove some."
    ).format(most=e.params.get("most", "")),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "contact_note.signed": (
        "This note is signed and cannot be changed. Add an addendum to it instead."
    ),
    "contact_note.not_author": "Only the clinician who started this note can change or sign it.",
    "contact_note.not_signed": "Only a signed note can have an addendum. Change the draft instead.",
    "contact_note.not_found": "That note could not be found. Open the patient's record again.",
    "contact_note.appointment_not_found": (
        "That appointment or note is not this patient's. Open it from the patient's own record."
    ),
    "contact_note.not_seen": (
        "This appointment was cancelled or the patient did not attend, so it has no note."
    ),
    "contact_note.wrong_patient": (
        "This note belongs to another patient. Open that patient's record to change it."
    ),
}

# Faults in the app: the calm generic message is their words.
_FAULTS = frozenset({"contact_note.exercises_not_a_list", "contact_note.exercise_not_a_record"})

WORDS = WordTable(__name__, messages=_WORDS, fields=_FIELD_WORDS, faults=_FAULTS)
