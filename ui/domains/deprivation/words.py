"""The words for the deprivation lookup's import codes, each naming the line of the file."""

from __future__ import annotations

from clinic_app.kernel.errors import ClinicError
from ui.common.wording import MessageWords, WordTable, tr


def _at(sentence: str) -> MessageWords:
    def words(error: ClinicError) -> str:
        return tr(sentence).format(
            line=error.params.get("line", ""),
            value=error.params.get("value", ""),
            column=error.params.get("column", ""),
            found=error.params.get("found", ""),
            expected=error.params.get("expected", ""),
        )

    return words


_BUILDERS: dict[str, MessageWords] = {
    "deprivation.missing_column": _at(
        "The file has no column {column} on its first line. Choose the file as published."
    ),
    "deprivation.wrong_width": _at(
        "Line {line} of the file has {found} values where its first line names {expected}."
    ),
    "deprivation.bad_postcode": _at("Line {line} of the file: '{value}' is not a postcode."),
    "deprivation.bad_area_code": _at("Line {line} of the file: '{value}' is not an area code."),
    "deprivation.bad_lsoa": _at("Line {line} of the file: '{value}' is not an English LSOA code."),
    "deprivation.bad_decile": _at(
        "Line {line} of the file: the decile '{value}' is not a whole number from 1 to 10."
    ),
    "deprivation.bad_rank": _at("Line {line} of the file: the rank '{value}' is not a number."),
    "deprivation.listed_twice": _at("Line {line} of the file lists {value} a second time."),
    "deprivation.empty_file": _at("The file is empty. Choose the file as published."),
    "deprivation.not_text": _at("Line {line} of the file is not text. Choose the CSV file."),
    "deprivation.not_csv": _at("Line {line} of the file is not laid out as CSV."),
}

WORDS = WordTable(__name__, builders=_BUILDERS)
