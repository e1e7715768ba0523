"""The checks before signing, as one pure function: each rule at its boundary."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from clinic_app.domains.injections.content import shipped_rules
from clinic_app.domains.injections.rules import (
    Checks,
    Draft,
    Drug,
    PastInjection,
    check_injection,
)
from clinic_app.domains.injections.service.history import hard_items, products, targets
from clinic_app.kernel.errors import ValidationError
from tests.core.injections.helpers import ALL_NO

DAY = date(2027, 6, 15)
NOW = datetime(2027, 6, 15, 10, 0, tzinfo=UTC)
STEROID = Drug("methylprednisolone_acetate_40", 40, 1, "B", DAY + timedelta(days=90))
DRAFT = Draft(
    record_id=uuid.uuid4(),
    performed_on=DAY,
    target="knee_joint",
    side="left",
    drugs=(STEROID,),
    checklist=dict(ALL_NO),
)


def _checks(
    draft: Draft = DRAFT,
    history: tuple[PastInjection, ...] = (),
    *,
    septic: bool = False,
    authority: tuple[ValidationError, ...] = (),
    now: datetime = NOW,
) -> Checks:
    return check_injection(
        draft,
        history=history,
        products=products(),
        targets=targets(),
        rules=shipped_rules(),
        septic_flag_open=septic,
        authority=authority,
        hard_items=hard_items(),
        now=now,
    )


def _warned(checks: Checks) -> set[str]:
    return {w.code for w in checks.warnings}


def _stops(checks: Checks) -> set[tuple[str, str | None]]:
    return {(s.code, s.field) for s in checks.hard_stops}


def _past(days_ago: int, target: str = "knee_joint", side: str = "left") -> PastInjection:
    return PastInjection(uuid.uuid4(), DAY - timedelta(days=days_ago), target, side)


def test_a_plain_knee_injection_has_nothing_in_its_way() -> None:
    checks = _checks()
    assert checks.hard_stops == ()
    assert checks.warnings == ()


def test_each_warning_names_its_words_and_fields() -> None:
    warning = _checks(replace(DRAFT, drugs=(replace(STEROID, mg=120, ml=3),))).warnings[0]
    assert warning.code == "dose_out_of_range"
    assert warning.words == "injection.dose_out_of_range"
    assert warning.fields == ("drugs.0.mg",)
    assert (warning.params["low"], warning.params["high"]) == (20, 80)


@pytest.mark.parametrize(("mg", "warns"), [(20, False), (80, False), (19.6, True), (84, True)])
def test_a_steroid_dose_outside_the_cited_range_warns(mg: float, warns: bool) -> None:
    drug = replace(STEROID, mg=mg, ml=mg / 40)
    assert ("dose_out_of_range" in _warned(_checks(replace(DRAFT, drugs=(drug,))))) is warns


def test_the_size_class_decides_the_range() -> None:
    finger = replace(DRAFT, target="small_hand_joint", drugs=(STEROID,))
    assert "dose_out_of_range" in _warned(_checks(finger))
    small = replace(finger, drugs=(replace(STEROID, mg=10, ml=0.25),))
    assert _warned(_checks(small)) == set()


def test_a_size_the_smpc_gives_no_range_for_says_so() -> None:
    # Kenalog's SmPC names no medium joint; no medium target is shipped, so hand one in.
    draft = replace(DRAFT, drugs=(Drug("triamcinolone_acetonide_40", 40, 1, "B", DAY),))
    shipped = targets()
    medium = {**shipped, "knee_joint": replace(shipped["knee_joint"], size_class="medium_joint")}
    checks = check_injection(
        draft,
        history=(),
        products=products(),
        targets=medium,
        rules=shipped_rules(),
        septic_flag_open=False,
        now=NOW,
    )
    assert _warned(checks) == {"no_cited_dose"}


def test_local_anaesthetic_above_its_maximum_warns() -> None:
    lots = Drug("lidocaine_2", 210, 10.5, "L", DAY)
    assert "anaesthetic_above_maximum" in _warned(_checks(replace(DRAFT, drugs=(STEROID, lots))))
    enough = Drug("lidocaine_2", 200, 10, "L", DAY)
    assert _warned(_checks(replace(DRAFT, drugs=(STEROID, enough)))) == set()


def test_one_anaesthetic_adds_up_across_strengths_and_a_steroid_that_holds_it() -> None:
    # 150 mg of 1% and 40 mg of 2% lidocaine: 190 mg, under 200.
    weak, strong = Drug("lidocaine_1", 150, 15, "L", DAY), Drug("lidocaine_2", 40, 2, "L", DAY)
    assert _warned(_checks(replace(DRAFT, drugs=(weak, strong)))) == set()
    # With 2 mL of methylprednisolone holding 10 mg/mL of lidocaine: 210 mg.
    mixed = Drug("methylprednisolone_lidocaine_40_10", 80, 2, "M", DAY)
    warning = _checks(replace(DRAFT, drugs=(mixed, weak, strong))).warnings[0]
    assert warning.code == "anaesthetic_above_maximum"
    assert warning.params == {"substance": "lidocaine hydrochloride", "most": 200}
    # Levobupivacaine is another drug: its own maximum, not added to lidocaine's.
    levo = Drug("levobupivacaine_0_5", 100, 20, "L", DAY)
    assert _warned(_checks(replace(DRAFT, drugs=(weak, strong, levo)))) == set()


@pytest.mark.parametrize(("days_ago", "warns"), [(83, True), (84, False), (0, True)])
def test_under_twelve_weeks_at_the_same_site_warns(days_ago: int, warns: bool) -> None:
    checks = _checks(history=(_past(days_ago),))
    assert ("repeat_too_soon" in _warned(checks)) is warns


def test_another_site_or_side_is_not_a_repeat() -> None:
    checks = _checks(history=(_past(10, side="right"), _past(10, target="glenohumeral_joint")))
    assert _warned(checks) == set()


@pytest.mark.parametrize(
    ("earlier", "warns"),
    [
        ((200,), False),  # the second in a year
        ((100, 200), True),  # the third in a year
        ((100, 364), True),  # 364 days before is within the year
        ((100, 365), False),  # 365 days before is not
    ],
)
def test_the_third_at_one_site_within_a_year_warns(earlier: tuple[int, ...], warns: bool) -> None:
    checks = _checks(history=tuple(_past(days) for days in earlier))
    assert ("too_many_at_site" in _warned(checks)) is warns
    assert "repeat_too_soon" not in _warned(checks)


def test_the_record_itself_is_never_its_own_history() -> None:
    itself = PastInjection(DRAFT.record_id, DAY, "knee_joint", "left")  # type: ignore[arg-type]
    assert _warned(_checks(history=(itself,))) == set()


def test_a_drug_is_usable_on_its_expiry_day_and_stops_the_day_after() -> None:
    on_the_day = replace(DRAFT, drugs=(replace(STEROID, expiry=DAY),))
    assert _checks(on_the_day).hard_stops == ()
    day_after = replace(DRAFT, drugs=(replace(STEROID, expiry=DAY - timedelta(days=1)),))
    assert _stops(_checks(day_after)) == {("injection.expired", "drugs.0.expiry")}


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ("infection_local", "injection.suspected_infection"),
        ("infection_systemic", "injection.suspected_infection"),
        ("allergy", "injection.allergy"),
    ],
)
def test_infection_or_allergy_is_a_hard_stop(item: str, code: str) -> None:
    draft = replace(DRAFT, checklist={**ALL_NO, item: "yes"})
    assert _stops(_checks(draft)) == {(code, f"checklist.{item}")}


def test_an_open_septic_arthritis_flag_and_pgd_problems_are_hard_stops() -> None:
    pgd = ValidationError("pgd.not_named", field="pgd_id")
    checks = _checks(septic=True, authority=(pgd,))
    assert _stops(checks) == {("injection.septic_flag", "target"), ("pgd.not_named", "pgd_id")}


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ("diabetes", "diabetes"),
        ("pregnancy", "pregnancy"),
        ("immunosuppression", "immunosuppression"),
        ("prosthetic_joint", "prosthetic_joint"),
    ],
)
def test_each_caution_warns(item: str, code: str) -> None:
    assert _warned(_checks(replace(DRAFT, checklist={**ALL_NO, item: "yes"}))) == {code}


def _anticoagulated(**changes: object) -> Draft:
    return replace(
        DRAFT,
        checklist={**ALL_NO, "anticoagulated": "yes"},
        anticoagulant="warfarin",
        **changes,  # type: ignore[arg-type]
    )


def test_warfarin_with_a_recent_inr_under_the_limit_is_clear() -> None:
    draft = _anticoagulated(inr_value=2.9, inr_measured_at=NOW - timedelta(hours=24))
    assert _warned(_checks(draft)) == set()


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, {"warfarin_no_recent_inr"}),
        (
            {"inr_value": 2.5, "inr_measured_at": NOW - timedelta(hours=25)},
            {"warfarin_no_recent_inr"},
        ),
        ({"inr_value": 3.0, "inr_measured_at": NOW - timedelta(hours=2)}, {"warfarin_inr_high"}),
        (
            {"inr_value": 3.4, "inr_measured_at": NOW - timedelta(days=3)},
            {"warfarin_inr_high", "warfarin_no_recent_inr"},
        ),
    ],
)
def test_warfarin_warns_without_a_recent_inr_or_at_the_limit(
    changes: dict[str, object], codes: set[str]
) -> None:
    assert _warned(_checks(_anticoagulated(**changes))) == codes


def test_another_anticoagulant_warns_as_a_caution() -> None:
    draft = replace(_anticoagulated(), anticoagulant="other")
    assert _warned(_checks(draft)) == {"anticoagulated"}


@pytest.mark.parametrize(
    ("planned", "warns"),
    [
        (None, True),
        (date(2027, 9, 15), True),  # exactly three months after
        (date(2027, 9, 16), False),
    ],
)
def test_a_joint_replacement_planned_within_three_months_warns(
    planned: date | None, warns: bool
) -> None:
    draft = replace(
        DRAFT,
        checklist={**ALL_NO, "joint_replacement_planned": "yes"},
        replacement_planned_on=planned,
    )
    assert ("replacement_planned" in _warned(_checks(draft))) is warns
