"""The shipped question: NHS England's mandatory wording and six answers, checked on loading."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from clinic_app.domains.experience.content import fft_question, parse_question
from clinic_app.kernel.errors import ClinicError


def _shipped() -> dict[str, object]:
    text = (resources.files("resources") / "experience" / "fft.json").read_text("utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


def test_the_question_and_its_six_answers_are_the_published_ones() -> None:
    question = fft_question()

    assert question.question == "Overall, how was your experience of our service?"
    assert [(a.code, a.label) for a in question.answers] == [
        ("very_good", "Very good"),
        ("good", "Good"),
        ("neither", "Neither good nor poor"),
        ("poor", "Poor"),
        ("very_poor", "Very poor"),
        ("dont_know", "Don't know"),
    ]
    assert question.positive == ("very_good", "good")
    assert question.negative == ("poor", "very_poor")
    assert "NHS England" in question.source
    assert question.licence


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"positive": ["very_good", "excellent"]}, "file"),
        ({"negative": ["good"], "positive": ["good"]}, "file"),
        (
            {"answers": [{"code": "good", "label": "Good"}, {"code": "good", "label": "Also"}]},
            "file",
        ),
        ({"surprise": 1}, "surprise"),
        ({"question": ""}, "question"),
    ],
)
def test_a_broken_file_is_refused_naming_what_is_wrong(
    change: dict[str, object], field: str
) -> None:
    with pytest.raises(ClinicError) as refused:
        parse_question({**_shipped(), **change})

    assert refused.value.code == "content.invalid"
    assert refused.value.params["file"] == "fft.json"
    assert refused.value.params["field"] == field
