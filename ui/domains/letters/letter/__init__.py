"""A letter of the patient in the banner: drafted from the record, edited, signed, printed."""
