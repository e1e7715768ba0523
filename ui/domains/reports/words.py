"""The words for scan reports' error codes, and for their review."""

from __future__ import annotations

from ui.common.wording import WordTable

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "report.not_found": "That report could not be found. Open the study again.",
    "report.wrong_patient": (
        "This scan report belongs to another patient. Open that patient's record to see it."
    ),
    "report.not_author": "Only the person who wrote this report can change it.",
    "report.not_editable": (
        "This report cannot be changed now: it is with the supervisor, or signed. A signed "
        "report is changed by adding an addendum."
    ),
    "report.no_supervisor": (
        "You have no named supervisor, so the report cannot be sent for review. Ask your "
        "service lead to name your supervisor."
    ),
    "report.not_submitted": "This report is not waiting for review. The list has been refreshed.",
    "report.own_report": "Nobody can verify their own report.",
    "report.not_named_supervisor": ("Only the trainee's named supervisor can review this report."),
    "report.not_your_trainee": "You can see the logbooks of your own trainees only.",
    "report.choose_mode": "Choose how you supervised this scan.",
    "report.choose_agreement": "Choose whether you agree with the trainee's report.",
    "report.required": "Write this before the report is signed or sent for review.",
    "report.not_signed": "Only a signed report can have an addendum. Change the draft instead.",
    "report.already_amended": (
        "This version already has an addendum. Add to the latest version instead."
    ),
    "report.image_not_in_study": "A key image must be one of this study's images.",
    "report.bad_measurement": (
        "A measurement could not be kept. Measure again on a calibrated image."
    ),
    "report.measurement_not_measured": (
        "A measurement in mm must be one measured in the viewer on a calibrated image of this "
        "study. Measure it there, or write it in the findings without claiming mm."
    ),
    "report.findings_empty": "Write the findings before the report is signed.",
    "report.impression_empty": "Write the impression before the report is signed.",
    "report.no_key_images": "Choose at least one key image for the report.",
    "report.addendum_empty": "Write the addendum before signing it.",
    "report.observer_too_long": (
        "A name on this report is too long for the PACS. Shorten it in the user's details."
    ),
}

# Faults in the app or its shipped content: the calm generic message is their words.
_FAULTS = frozenset(
    {
        "report.addendum_needs_predecessor",
        "report.bad_frame",
        "report.bad_kos_title",
        "report.bad_rejection_reason",
        "report.bad_uid",
        "report.observer_incomplete",
        "report.role_not_coded",
        "report.verified_needs_complete",
        "report.verified_needs_time",
    }
)

WORDS = WordTable(__name__, messages=_WORDS, faults=_FAULTS)
