"""Injections' words for their error codes, their hard stops and the warnings to acknowledge."""

from __future__ import annotations

from ui.common.wording import FieldWords, MessageWords, WordTable, tr

# ---------------------------------------------------------------- the record: its fields

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "injection.required_to_sign": lambda e, label: tr("Fill this in before signing."),
    "injection.batch_required": lambda e, label: tr("Record the batch number from the pack."),
    "injection.expiry_required": lambda e, label: tr("Record the expiry date from the pack."),
    "injection.check_unanswered": lambda e, label: tr("Answer this check, yes or no."),
    "injection.pgd_required": lambda e, label: tr(
        "Choose the patient group direction (and its version) you gave this under."
    ),
    "injection.prescriber_required": lambda e, label: tr(
        "Record who wrote the patient-specific direction."
    ),
    "injection.images_required": lambda e, label: tr(
        "An ultrasound-guided injection needs its images: choose the scan."
    ),
    "injection.anticoagulant_required": lambda e, label: tr(
        "Say which anticoagulant: warfarin or another."
    ),
    "injection.dose_not_positive": lambda e, label: tr("Enter a dose above 0 mg."),
    "injection.volume_not_positive": lambda e, label: tr("Enter a volume above 0 mL."),
    "injection.dose_volume_mismatch": lambda e, label: tr(
        "The dose does not match the volume for this product ({strength} mg in each mL). "
        "Check both."
    ).format(strength=e.params.get("strength", "")),
    "injection.expiry_implausible": lambda e, label: tr(
        "That expiry date is more than ten years away. Check it against the pack."
    ),
    "injection.volume_implausible": lambda e, label: tr(
        "That is more than anyone injects here (over {most} mL in all). Check the volumes."
    ).format(most=e.params.get("most", "")),
    "injection.unknown_product": lambda e, label: tr("Choose a product from the list."),
    "injection.unknown_target": lambda e, label: tr("Choose a site from the list."),
    "injection.unknown_side": lambda e, label: tr("Choose left or right."),
    "injection.unknown_guidance": lambda e, label: tr("Choose landmark or ultrasound."),
    "injection.unknown_study": lambda e, label: tr(
        "That scan is not one of this patient's. Choose the scan again."
    ),
    "injection.unknown_authority": lambda e, label: tr(
        "Choose a PGD, a patient-specific direction or your own prescribing."
    ),
    "injection.unknown_risk": lambda e, label: tr("Choose the risks from the list."),
    "injection.unknown_check": lambda e, label: tr("That check is not on the list."),
    "injection.bad_answer": lambda e, label: tr("Answer yes or no."),
    "injection.unknown_anticoagulant": lambda e, label: tr("Choose warfarin or another."),
    "injection.aspirate_out_of_range": lambda e, label: tr(
        "Enter the aspirated volume, from 0 to {most} mL."
    ).format(most=e.params.get("most", "")),
    "injection.observation_out_of_range": lambda e, label: tr(
        "Enter the minutes observed, from 0 to {most}."
    ).format(most=e.params.get("most", "")),
    "injection.inr_out_of_range": lambda e, label: tr(
        "An INR is between {low} and {high}. Check the result."
    ).format(low=e.params.get("low", ""), high=e.params.get("high", "")),
    "injection.inr_in_future": lambda e, label: tr("The INR cannot be dated after the injection."),
    "injection.date_in_future": lambda e, label: tr("An injection cannot be recorded ahead."),
    "injection.review_before_injection": lambda e, label: tr(
        "The review must be on or after the day of the injection."
    ),
    "injection.not_warned": lambda e, label: tr(
        "There is no such warning now. Look at the checks again."
    ),
    "injection.warning_not_acknowledged": lambda e, label: tr(
        "Acknowledge each warning before signing."
    ),
    # Hard stops: the injection cannot be signed while they stand.
    "injection.suspected_infection": lambda e, label: tr(
        "Possible infection: do not inject. Assess and treat the infection first."
    ),
    "injection.allergy": lambda e, label: tr(
        "The patient is allergic to a drug to be given: do not give it."
    ),
    "injection.checklist_stop": lambda e, label: tr(
        "This check stops the injection: do not inject."
    ),
    "injection.expired": lambda e, label: tr(
        "This drug is past its expiry date: do not use it. Take another pack."
    ),
    "injection.septic_flag": lambda e, label: tr(
        "A red-flag screening in this episode suspects joint infection and is not resolved: "
        "no steroid injection until it is."
    ),
    "injection.setting_out_of_range": lambda e, label: tr(
        "Enter a whole number from 1 to {most}."
    ).format(most=e.params.get("most", "")),
    # Authority under a patient group direction.
    "pgd.not_yet_valid": lambda e, label: tr(
        "This PGD is not in force yet on the day of the injection."
    ),
    "pgd.expired": lambda e, label: tr(
        "This PGD had expired on the day of the injection. Ask the service lead for the "
        "current one, or give it on a prescription."
    ),
    "pgd.version_changed": lambda e, label: tr(
        "The PGD has a newer version ({version}). Read it and choose it again."
    ).format(version=e.params.get("version", "")),
    "pgd.drug_not_covered": lambda e, label: tr("This PGD does not cover this drug."),
    "pgd.target_not_covered": lambda e, label: tr("This PGD does not cover this site."),
    "pgd.not_named": lambda e, label: tr(
        "You are not named in this PGD, so you cannot give this injection under it."
    ),
    "pgd.mixed_syringe": lambda e, label: tr(
        "Drugs mixed in one syringe cannot be given under a PGD: it needs a prescription."
    ),
    "pgd.not_found": lambda e, label: tr("That PGD is not in the register. Choose it again."),
    # The register, as the service lead keeps it.
    "pgd.name_required": lambda e, label: tr("Enter the PGD's name."),
    "pgd.version_required": lambda e, label: tr("Enter the PGD's version."),
    "pgd.dates_reversed": lambda e, label: tr("The end date must be on or after the start."),
    "pgd.unknown_drug": lambda e, label: tr("Choose the drugs from the formulary."),
    "pgd.unknown_target": lambda e, label: tr("Choose the sites from the list."),
    "pgd.no_drugs": lambda e, label: tr("A PGD covers at least one drug."),
    "pgd.no_targets": lambda e, label: tr("A PGD covers at least one site."),
    "pgd.unknown_practitioner": lambda e, label: tr(
        "Choose the practitioners from the service's users."
    ),
}

# ---------------------------------------------------------------- warnings to acknowledge

# Worded from the warning's numbers (``CheckWarning.params``): a screen words a warning as
# ``ClinicError(warning.words, **warning.params)``.
_WARNINGS: dict[str, MessageWords] = {
    "injection.dose_out_of_range": lambda e: tr(
        "The dose is outside the {low}-{high} mg its SmPC gives for a joint of this size."
    ).format(low=e.params.get("low", ""), high=e.params.get("high", "")),
    "injection.no_cited_dose": lambda e: tr(
        "The SmPC gives no dose for a site of this size: check the dose yourself."
    ),
    "injection.anaesthetic_above_maximum": lambda e: tr(
        "The local anaesthetic is above its largest single dose ({most} mg)."
    ).format(most=e.params.get("most", "")),
    "injection.repeat_too_soon": lambda e: tr(
        "The last injection at this site was {days} days ago, under {weeks} weeks."
    ).format(days=e.params.get("days", ""), weeks=e.params.get("weeks", "")),
    "injection.too_many_at_site": lambda e: tr(
        "This would be injection {count} at this site in 12 months ({most} or more warns)."
    ).format(count=e.params.get("count", ""), most=e.params.get("most", "")),
    "injection.anticoagulated": lambda e: tr(
        "The patient is anticoagulated: think about bleeding and pressure afterwards."
    ),
    "injection.warfarin_no_recent_inr": lambda e: tr(
        "On warfarin with no INR from the last {hours} hours."
    ).format(hours=e.params.get("hours", "")),
    "injection.warfarin_inr_high": lambda e: tr(
        "On warfarin with an INR of {limit} or more."
    ).format(limit=e.params.get("limit", "")),
    "injection.diabetes": lambda e: tr(
        "Diabetes: tell the patient their blood sugar may rise for several days and to check it."
    ),
    "injection.pregnancy": lambda e: tr(
        "Pregnant or may be: give only if the benefit outweighs the risk."
    ),
    "injection.immunosuppression": lambda e: tr(
        "Immunosuppressed: a higher risk of infection, and its signs may be hidden."
    ),
    "injection.prosthetic_joint": lambda e: tr(
        "A replaced joint: a higher risk of infection. Make sure this is the right treatment."
    ),
    "injection.replacement_planned": lambda e: tr(
        "A replacement of this joint is planned within {months} months."
    ).format(months=e.params.get("months", "")),
    # The service's pack codes.
    "pack_code.other_product": lambda e: tr(
        "That pack code is already linked to {product}. A code names one product: remove it "
        "there first if it was linked by mistake."
    ).format(product=e.params.get("product", "")),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "injection.signed": (
        "This injection record is signed and cannot be changed. Add an addendum for a later fact."
    ),
    "injection.not_signed": "Only a signed injection record takes an addendum. Change the draft.",
    "injection.not_author": (
        "Only the clinician who started this injection record can change or sign it."
    ),
    "injection.not_found": (
        "That injection record could not be found. Open the patient's record again."
    ),
    "injection.wrong_patient": (
        "This injection record belongs to another patient. Open that patient's record to use it."
    ),
    # A medicine pack's barcode, scanned into the drugs.
    "pack.empty": "Nothing was scanned. Scan the barcode on the pack again.",
    "pack.too_long": "That is far too long for a pack's barcode. Scan the pack again.",
    "pack.unreadable": (
        "That could not be read as a medicine pack's barcode. Scan the square code on the "
        "pack again, or type the batch and expiry."
    ),
    "pack.ambiguous": (
        "The scanner did not mark where the batch ends, and it can be read more than one way: "
        "type the batch from the pack."
    ),
    "pack.no_gtin": "The barcode does not name the product. Choose the product yourself.",
    "pack.bad_check_digit": (
        "The product number in the barcode does not add up, so it was not used. Scan again "
        "or choose the product yourself."
    ),
    "pack.expiry_unreadable": "The expiry date in the barcode could not be read: type it.",
    # The service's pack codes, kept by the service lead.
    "pack_code.not_a_code": (
        "That is not a pack code. Scan the barcode on the pack, or type the 14 digits of its "
        "product number (GTIN)."
    ),
    "pack_code.bad_check_digit": (
        "Those digits do not add up to a product number (the last digit checks the others). "
        "Check them against the pack, or scan it."
    ),
    "pack_code.already_listed": "That pack code is already in the list for this product.",
    "pack_code.unknown_product": "Choose the product from the list.",
    "pack_code.not_found": (
        "That pack code is no longer in the list: someone may have removed it already."
    ),
}

WORDS = WordTable(__name__, messages=_WORDS, builders=_WARNINGS, fields=_FIELD_WORDS)
