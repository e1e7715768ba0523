"""The Friends and Family Test as shipped in resources/experience/fft.json, checked on loading.

A broken file raises ``content.invalid`` naming the file and the field.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import ValidationError as SchemaError

from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.resource_files import read_json

FOLDER = "experience"
FILE = "fft"

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$", max_length=24)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Answer(_Model):
    """One of the question's answers: its stored code and its published words."""

    code: Code
    label: Text


class FftQuestion(_Model):
    """The question, its answers in the published order, and how the score counts them."""

    id: Code
    title: Text
    version: Text
    question: Text
    answers: tuple[Answer, ...]
    positive: tuple[Code, ...]
    negative: tuple[Code, ...]
    introduction: Text
    follow_up: Text
    kept_with_record: Text
    comment_max_length: int
    source: Text
    licence: Text

    @model_validator(mode="after")
    def _codes_known(self) -> FftQuestion:
        codes = [answer.code for answer in self.answers]
        if len(set(codes)) != len(codes):
            raise ValueError("an answer code is used twice")
        if not set(self.positive) | set(self.negative) <= set(codes):
            raise ValueError("positive and negative name only the answers' codes")
        if set(self.positive) & set(self.negative):
            raise ValueError("an answer cannot be both positive and negative")
        if not 1 <= self.comment_max_length <= 10_000:
            raise ValueError("comment_max_length must be from 1 to 10000")
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        """The answers' codes in the published order."""
        return tuple(answer.code for answer in self.answers)

    def label(self, code: str) -> str:
        """The words of the answer ``code`` (the code itself if it is not one of them)."""
        return next((a.label for a in self.answers if a.code == code), code)


def parse_question(data: object) -> FftQuestion:
    """Check the question's file (decoded JSON).

    Raises:
        ClinicError: ``content.invalid`` (``file``, ``reason``, ``field``).
    """
    try:
        return FftQuestion.model_validate(data)
    except SchemaError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "file"
        raise ClinicError(
            "content.invalid", file=f"{FILE}.json", reason=first["msg"], field=field
        ) from error


@cache
def fft_question() -> FftQuestion:
    """The shipped question, read and checked once."""
    return parse_question(read_json(FOLDER, FILE))
