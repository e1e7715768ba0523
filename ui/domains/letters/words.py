"""Letters' words for their error codes."""

from __future__ import annotations

from ui.common.wording import FieldWords, WordTable, tr

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "letter.mandatory_empty": lambda e, label: tr(
        "This section must say something before the letter is signed: write what applies, "
        "or say that nothing was recorded."
    ),
    "letter.report_preliminary": lambda e, label: tr(
        "This letter quotes a scan report that is not final yet. Wait for the supervisor to "
        "verify it, or take it out of the letter, before signing."
    ),
    "letter.red_flag_no_action": lambda e, label: tr(
        "A red-flag emergency on this record ({screen}) has no action recorded. Record what "
        "was done before signing the letter."
    ).format(screen=e.params.get("screen", "")),
    "letter.no_provider": lambda e, label: tr(
        "This referral letter names no provider, so it would reach no one. Write it again, "
        "naming the service the patient chose."
    ),
    "letter.episode_open": lambda e, label: tr(
        "The patient has not been discharged: this episode of care is still open. Close the "
        "episode before signing the discharge letter, or write a clinic letter instead."
    ),
    "letter.unknown_section": lambda e, label: tr(
        "This letter has no such section. Open the letter again."
    ),
    "letter.unknown_kind": lambda e, label: tr("Choose a kind of letter from the list."),
    "letter.unknown_target": lambda e, label: tr(
        "There is no such letter target. Open the settings again."
    ),
    "letter.bad_target": lambda e, label: tr("Give a whole number from {low} to {high}.").format(
        low=e.params.get("low", 0), high=e.params.get("high", "")
    ),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "letter.not_found": "This letter could not be found. It may belong to another patient.",
    "letter.signed": "This letter is signed and can no longer be changed. Write a new letter.",
    "letter.not_author": "Only the clinician who wrote this letter can change or sign it.",
    "letter.wrong_patient": "This letter belongs to another patient. Open the patient again.",
    "letter.draft_not_yours": "Only the clinician writing this draft can print it.",
    "letter.not_signed": (
        "This letter is still a draft. Sign it before it is sent as an electronic document."
    ),
    "letter.no_document_for_kind": (
        "A letter to the patient is not sent as an electronic document: the GP gets the "
        "discharge or clinic letter instead."
    ),
    "letter.document_incomplete": (
        "This letter cannot be made into an electronic document for the GP system yet: "
        "something it must carry is missing, such as the service's or the GP practice's "
        "ODS code. Tell the service lead."
    ),
    "letter.plan_not_signed": (
        "This care plan is still a draft. Sign it with the patient before it is sent as an "
        "electronic document."
    ),
    "letter.plan_superseded": (
        "A review has replaced this version of the care plan. Send the current version instead."
    ),
    "letter.plan_not_shared": (
        "The patient did not agree to share this care plan with their GP, so it is not sent "
        "as an electronic document. Give the patient their printed copy."
    ),
    "letter.no_service_ods_code": (
        "The service has no ODS code recorded, so this care plan cannot be made into an "
        "electronic document for the GP system. Ask the service lead to add the code."
    ),
    "letter.plan_document_incomplete": (
        "This care plan cannot be made into an electronic document for the GP system yet: "
        "something it must carry is missing, such as the GP practice's ODS code. Tell the "
        "service lead."
    ),
    "letter.not_intact": (
        "This letter has changed since it was signed, so it cannot be printed. Tell the "
        "service lead."
    ),
    "letter.onward_decision_not_found": (
        "The onward referral this letter is about could not be found for this patient."
    ),
    "letters.bad_resource": (
        "The letters' settings shipped with the app are damaged. Tell the service lead."
    ),
}

WORDS = WordTable(__name__, messages=_WORDS, fields=_FIELD_WORDS)
