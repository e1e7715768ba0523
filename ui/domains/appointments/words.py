"""The clinic day's words for its error codes: booking, sessions, attendance, double bookings."""

from __future__ import annotations

from ui.common.wording import FieldWords, WordTable, tr

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "appointment.day_required": lambda e, label: tr("Enter the day, for example 09/03/2027."),
    "appointment.day_invalid": lambda e, label: tr(
        "That is not a day. Write it as day/month/year, for example 09/03/2027."
    ),
    "appointment.time_required": lambda e, label: tr("Enter the time, for example 10:30."),
    "appointment.time_invalid": lambda e, label: tr(
        "That is not a time. Write it as hours and minutes, for example 10:30."
    ),
    "appointment.minutes_invalid": lambda e, label: tr(
        "Enter how long in whole minutes, from 1 to {most}."
    ).format(most=e.params.get("max", "")),
    "appointment.in_the_past": lambda e, label: tr(
        "This is in the past. Book a time still to come; a contact that happened is "
        "recorded from its appointment."
    ),
    "appointment.type_invalid": lambda e, label: tr("Choose the kind of appointment."),
    "appointment.mechanism_invalid": lambda e, label: tr(
        "Choose how the patient will be seen: face to face, telephone or video."
    ),
    "appointment.clinician_required": lambda e, label: tr("Choose the clinician."),
    "appointment.clinician_unavailable": lambda e, label: tr(
        "This person cannot be booked: they are not an active clinician."
    ),
    "appointment.site_required": lambda e, label: tr("Choose the site."),
    "appointment.site_unknown": lambda e, label: tr("That site is not known. Choose one."),
    "appointment.clinician_not_at_site": lambda e, label: tr(
        "The clinician does not work at this site on that day. Choose another site, or add "
        "a session for them there."
    ),
    "appointment.patient_unavailable": lambda e, label: tr(
        "This patient's record has been removed. Open the patient's record again."
    ),
    "appointment.patient_merged": lambda e, label: tr(
        "This record was merged into another. Open the patient again and book on that record."
    ),
    "appointment.episode_not_found": lambda e, label: tr(
        "That episode of care is not this patient's. Choose one of theirs."
    ),
    "appointment.cancelled_by_invalid": lambda e, label: tr(
        "Say who cancelled: the patient or the service."
    ),
    "appointment.ends_before_starts": lambda e, label: tr("The end must be after the start."),
    "appointment.weekday_invalid": lambda e, label: tr("Choose a day of the week."),
    "appointment.emergency_action_required": lambda e, label: tr(
        "This patient has an open red-flag emergency. Record what was done about it."
    ),
    "appointment.decision_required": lambda e, label: tr(
        "The service's rule offers discharge. Choose whether to discharge back to the GP."
    ),
    "appointment.decision_invalid": lambda e, label: tr(
        "Choose discharge or not only when the service's rule offers it."
    ),
    "appointment.dna_rule_number": lambda e, label: tr(
        "Use a whole number from 1 to {most}."
    ).format(most=e.params.get("most", "")),
    "appointment.dna_rule_flag": lambda e, label: tr("Choose on or off."),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "appointment.clash": (
        "The clinician already has an appointment at that time. Choose another time, or "
        "give the reason for booking over it."
    ),
    "appointment.not_found": "That appointment could not be found. Open the day list again.",
    "appointment.contact_not_found": "That contact could not be found. Open the record again.",
    "appointment.session_not_found": "That session could not be found. Open the sessions again.",
    "appointment.clash_not_found": "That double booking could not be found. Refresh the list.",
    "appointment.clash_settled": "Someone has already settled this double booking.",
    "appointment.not_booked": (
        "This appointment has moved on (arrived, seen, cancelled or not attended) and can no "
        "longer be changed that way."
    ),
    "appointment.not_arrived": "The patient is not marked as arrived.",
    "appointment.cannot_call_in": "This patient cannot be called in: the appointment is over.",
    "appointment.cannot_finish": "Only a patient who arrived or is in the room can be seen out.",
    "appointment.wrong_patient": (
        "This appointment belongs to another patient. Open that patient's record to change it."
    ),
}

# Faults in the app: an appointment is never signed, and has no author to check.
_FAULTS = frozenset({"appointment.not_signed", "appointment.not_author"})

WORDS = WordTable(__name__, messages=_WORDS, fields=_FIELD_WORDS, faults=_FAULTS)
