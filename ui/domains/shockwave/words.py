"""Shockwave's words for its error codes, its hard stops and the warnings to acknowledge."""

from __future__ import annotations

from ui.common.wording import FieldWords, MessageWords, WordTable, tr

# ---------------------------------------------------------------- fields of a course or session

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "eswt.required_to_sign": lambda e, label: tr("Fill this in before signing the session."),
    "eswt.required_to_close": lambda e, label: tr("Fill this in before closing the course."),
    "eswt.contraindication_unanswered": lambda e, label: tr("Answer this question, yes or no."),
    "eswt.bad_answer": lambda e, label: tr("Answer yes or no."),
    "eswt.unknown_indication": lambda e, label: tr("Choose what is being treated from the list."),
    "eswt.unknown_side": lambda e, label: tr("Choose left or right."),
    "eswt.unknown_device": lambda e, label: tr("Choose a device from the service's register."),
    "eswt.unknown_requirement": lambda e, label: tr(
        "This is not one of the things the guidance asks to record."
    ),
    "eswt.unknown_contraindication": lambda e, label: tr(
        "This is not one of the questions asked before shockwave therapy."
    ),
    "eswt.unknown_side_effect": lambda e, label: tr("Choose the side effects from the list."),
    "eswt.unknown_response": lambda e, label: tr(
        "Choose a questionnaire this patient has answered."
    ),
    "eswt.planned_out_of_range": lambda e, label: tr("Plan between 1 and {most} sessions.").format(
        most=e.params.get("most", "")
    ),
    "eswt.plan_below_given": lambda e, label: tr(
        "Sessions already begun: {given}. Plan at least that many."
    ).format(given=e.params.get("given", "")),
    "eswt.session_number_invalid": lambda e, label: tr("The session number starts at 1."),
    "eswt.session_beyond_plan": lambda e, label: tr(
        "Only {planned} sessions are planned. Change the plan first if more are needed."
    ).format(planned=e.params.get("planned", "")),
    "eswt.session_in_future": lambda e, label: tr(
        "A session cannot be dated after today. Check the date."
    ),
    "eswt.pressure_out_of_bounds": lambda e, label: tr(
        "Enter a pressure above 0 and no more than {most} bar."
    ).format(most=e.params.get("most", "")),
    "eswt.energy_out_of_bounds": lambda e, label: tr(
        "Enter an energy above 0 and no more than {most} mJ/mm²."
    ).format(most=e.params.get("most", "")),
    "eswt.frequency_out_of_bounds": lambda e, label: tr(
        "Enter a frequency above 0 and no more than {most} Hz."
    ).format(most=e.params.get("most", "")),
    "eswt.pulses_out_of_bounds": lambda e, label: tr(
        "Enter a number of pulses above 0 and no more than {most}."
    ).format(most=e.params.get("most", "")),
    "eswt.pain_out_of_range": lambda e, label: tr("Enter a pain score from 0 to 10."),
    "eswt.wrong_measure": lambda e, label: tr(
        "A radial device is set in bar, a focused one in mJ/mm². Clear this one."
    ),
    "eswt.not_warned": lambda e, label: tr(
        "There is nothing to acknowledge here any more. Check the session again."
    ),
    "eswt.warning_not_acknowledged": lambda e, label: tr(
        "Acknowledge this warning before signing."
    ),
    "eswt.setting_out_of_range": lambda e, label: tr("Enter a value from 1 to {most}.").format(
        most=e.params.get("most", "")
    ),
    "eswt.setting_range_reversed": lambda e, label: tr(
        "The lower end of the range is above its upper end."
    ),
    "eswt_device.make_required": lambda e, label: tr("Enter the device's maker."),
    "eswt_device.model_required": lambda e, label: tr("Enter the device's model."),
    "eswt_device.serial_required": lambda e, label: tr("Enter the device's serial number."),
    "eswt_device.serial_taken": lambda e, label: tr(
        "Another device of the register has this serial number."
    ),
    "eswt_device.unknown_kind": lambda e, label: tr("Choose radial or focused."),
    "eswt_device.service_in_future": lambda e, label: tr("A service date cannot be after today."),
}

# ---------------------------------------------------------------- hard stops and warnings

# Worded from the warning's numbers (``CheckWarning.params``): a screen words a warning as
# ``ClinicError(warning.words, **warning.params)``.
_BUILT: dict[str, MessageWords] = {
    "eswt.absolute_contraindication": lambda e: tr(
        "A reason not to give shockwave therapy was answered yes. It cannot be given."
    ),
    "eswt.governance_not_ticked": lambda e: tr(
        "NICE asks that the patient is given its information and the case is entered in the "
        "audit before the first session. Tick both."
    ),
    "eswt.relative_contraindication": lambda e: tr(
        "A caution was answered yes: make sure the benefit outweighs the risk."
    ),
    "eswt.sessions_out_of_range": lambda e: tr(
        "A typical course is {low} to {high} sessions."
    ).format(low=e.params.get("low", ""), high=e.params.get("high", "")),
    "eswt.pressure_out_of_range": lambda e: tr(
        "The pressure is outside the typical {low}-{high} bar."
    ).format(low=e.params.get("low", ""), high=e.params.get("high", "")),
    "eswt.frequency_out_of_range": lambda e: tr(
        "The frequency is outside the typical {low}-{high} Hz."
    ).format(low=e.params.get("low", ""), high=e.params.get("high", "")),
    "eswt.pulses_out_of_range": lambda e: tr(
        "The number of pulses is outside the typical {low}-{high}."
    ).format(low=e.params.get("low", ""), high=e.params.get("high", "")),
    "eswt.no_typical_energy": lambda e: tr(
        "There is no typical energy on record for a focused device: check it yourself."
    ),
    "eswt.device_overdue": lambda e: tr(
        "This device is overdue for its service (every {months} months)."
    ).format(months=e.params.get("months", "")),
    "eswt.recent_steroid": lambda e: tr(
        "A steroid injection was given here {days} days ago, under {weeks} weeks."
    ).format(days=e.params.get("days", ""), weeks=e.params.get("weeks", "")),
    "eswt.too_soon": lambda e: tr(
        "The last session was {days} days ago; sessions are usually {least} days apart."
    ).format(days=e.params.get("days", ""), least=e.params.get("least", "")),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "eswt.course_closed": "This course is closed and cannot be changed.",
    "eswt.course_started": (
        "A session has been given on this course, so what it treats, the device, the checks "
        "and the scores before can no longer change."
    ),
    "eswt.session_signed": "This session is signed and cannot be changed.",
    "eswt.session_open": "Sign or finish every session before closing the course.",
    "eswt.no_session_given": "No session has been signed yet: there is nothing to close.",
    "eswt.not_author": "Only the clinician who started this can change or sign it.",
    "eswt.not_found": "That shockwave course could not be found. Open the patient's record again.",
    "eswt.session_not_found": (
        "That shockwave session could not be found. Open the patient's record again."
    ),
    "eswt.wrong_patient": (
        "This shockwave course belongs to another patient. Open that patient's record to use it."
    ),
    "eswt_device.not_found": "That device is no longer in the register.",
}

WORDS = WordTable(__name__, messages=_WORDS, builders=_BUILT, fields=_FIELD_WORDS)
