"""Why an aid file is not offered, and where in it, in the service lead's words."""

from __future__ import annotations

from ui.common.wording import tr

#: What is wrong with an aid file, by its problem code, for the service lead.
_AID_PROBLEMS: dict[str, str] = {
    "not_json": "The file is damaged or is not written as a decision aid file.",
    "id_not_file_name": "The aid's name inside the file is not the file's name.",
    "review_not_after_written": "Its review date is not after the date it was written.",
    "duplicate_id": "Two parts of it have the same name.",
    "reserved_id": 'An option has the name kept for "not decided yet".',
    "no_self_management": "It must have exactly one self-care option.",
    "no_not_now": 'It must have exactly one "not now" option.',
    "row_not_answered": "An option does not answer one of the patient's questions.",
    "unknown_row": "An option answers a question the aid does not ask.",
    "number_out_of_range": "A number is not between 0 and 100 in 100 people.",
    "unknown_source": "A number names a source that is not in the aid's list of sources.",
    "exclusive_over_100": (
        "Outcomes that cannot happen to the same person add up to more than 100 in 100 people."
    ),
}
#: What is wrong where the file is not in the shape of an aid, by the kind of check.
_SHAPE_PROBLEMS: dict[str, str] = {
    "missing": "Something the aid needs is missing here.",
    "extra_forbidden": "This is not part of a decision aid (a misspelt name?).",
    "less_than_equal": "This number is larger than allowed.",
    "greater_than_equal": "This number is smaller than allowed.",
    "string_too_long": "These words are longer than allowed.",
    "string_too_short": "This is empty, and it needs words.",
    "too_short": "This list needs more entries.",
    "string_pattern_mismatch": "This is not written in the form needed here.",
    "date_from_datetime_parsing": "This is not a date written as year-month-day.",
    "date_parsing": "This is not a date written as year-month-day.",
    "literal_error": "This is not one of the values allowed here.",
    "enum": "This is not one of the values allowed here.",
    "int_type": "This must be a whole number, written without quotation marks.",
    "int_parsing": "This must be a whole number, written without quotation marks.",
    "int_from_float": "This must be a whole number.",
    "string_type": "This must be words, in quotation marks.",
    "tuple_type": "This must be a list.",
    "list_type": "This must be a list.",
    "model_type": "This must be a group of named parts.",
    "dict_type": "This must be a group of named parts.",
}
#: The parts of an aid file, in the service lead's words.
_PARTS: dict[str, str] = {
    "options": "option",
    "outcomes": "benefit or risk",
    "rows": "question",
    "answers": "answer",
    "matters": "statement",
    "sources": "source",
    "condition": "condition",
    "per_100": "number",
    "review_by": "review date",
    "written": "date written",
    "further_reading": "further reading",
    "for_whom": "who it is for",
    "diagnoses": "working diagnosis",
}


def aid_problem_words(code: str, kind: str = "") -> str:
    """Why an aid file is not offered, in plain words."""
    words = _AID_PROBLEMS.get(code)
    if words is None:
        words = _SHAPE_PROBLEMS.get(kind, "This part is not in the form a decision aid needs.")
    return tr(words)


def aid_place_words(field: str) -> str:
    """Where in an aid file, in plain words ("the whole file" for none).

    ``options[1].outcomes[0]`` is "option 2, benefit or risk 1".
    """
    if not field:
        return tr("the whole file")
    parts: list[str] = []
    for step in field.split("."):
        name, _, rest = step.partition("[")
        number = rest.rstrip("]")
        part = tr(_PARTS.get(name, name.replace("_", " ")))
        parts.append(f"{part} {int(number) + 1}" if number.isdigit() else part)
    return ", ".join(parts)
