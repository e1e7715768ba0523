"""The figures service: the service's figures for its lead, a clinician's own, and exports."""

from __future__ import annotations

from datetime import date

import pytest

from clinic_app.figures.results import NOT_RECORDED
from clinic_app.figures.service import may_see_service
from clinic_app.kernel.errors import PermissionDenied
from tests.core.figures.conftest import Service

JAN = date(2027, 1, 1)


def test_the_lead_sees_the_whole_service(service: Service) -> None:
    lead = service.people.lead
    found = service.services.figures.figures(lead, "did_not_attend_rate", JAN, JAN, everyone=True)

    assert found.clinician_id is None
    assert [(r.numerator, r.denominator, r.value) for r in found.rows] == [(1, 5, 0.2)]
    assert may_see_service(lead)


def test_a_clinician_sees_their_own_and_not_the_service_s(service: Service) -> None:
    ann = service.people.ann
    own = service.services.figures.figures(ann, "did_not_attend_rate", JAN, JAN, "site")

    assert own.clinician_id == ann.id
    assert [(r.label, r.numerator, r.denominator) for r in own.rows] == [
        ("North Clinic", 0, 1),
        ("South Clinic", 0, 1),
    ]
    assert not may_see_service(ann)
    with pytest.raises(PermissionDenied):
        service.services.figures.figures(ann, "did_not_attend_rate", JAN, JAN, everyone=True)


def test_the_lead_has_no_figures_of_their_own(service: Service) -> None:
    with pytest.raises(PermissionDenied):
        service.services.figures.figures(service.people.lead, "did_not_attend_rate", JAN, JAN)


def test_an_export_suppresses_small_numbers(service: Service) -> None:
    lead = service.people.lead
    found = service.services.figures.figures(
        lead, "did_not_attend_rate", JAN, JAN, "site", everyone=True, export=True
    )

    assert found.suppressed
    assert [(r.label, r.numerator, r.denominator, r.value) for r in found.rows] == [
        ("North Clinic", "<5", "<5", "<5"),
        ("South Clinic", 0, "<5", "<5"),
    ]


def test_the_catalogue_lists_every_measure_and_what_is_not_recorded(service: Service) -> None:
    listed = {m.id: m for m in service.services.figures.measures()}

    assert not listed["surgical_conversion_rate"].recorded
    assert listed["opioid_gabapentinoid_review_rate"].recorded
    assert listed["patient_experience_positive"].recorded
    assert listed["patient_experience_positive"].target_value == 0.75
    assert listed["did_not_attend_rate"].recorded
    assert listed["did_not_attend_rate"].target_value is None
    assert "site" in listed["did_not_attend_rate"].breakdowns
    found = service.services.figures.figures(
        service.people.lead, "surgical_conversion_rate", JAN, JAN, everyone=True
    )
    assert found.status == NOT_RECORDED
