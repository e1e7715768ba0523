"""Each measure on the seeded service (see ``seed``), against figures worked by hand."""

from __future__ import annotations

from datetime import date

from clinic_app.domains.triage.working_days import working_days_between
from clinic_app.figures.results import NO_DATA, NOT_RECORDED, OK, TOO_FEW, Figures
from tests.core.figures.conftest import Service

DEC, JAN, FEB = date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)


def whole(figures: Figures) -> tuple[object, object, object, str]:
    (row,) = figures.rows
    return row.numerator, row.denominator, row.value, row.status


def by_key(figures: Figures) -> dict[str | None, tuple[object, object, object]]:
    return {row.key: (row.numerator, row.denominator, row.value) for row in figures.rows}


def test_the_worked_working_days_agree_with_the_working_days_module() -> None:
    # The clocks of the seed, counted by the module every waiting-time target uses.
    assert working_days_between(date(2026, 12, 22), date(2026, 12, 29)) == 3
    assert working_days_between(date(2026, 12, 22), date(2026, 12, 30)) == 4
    assert working_days_between(date(2026, 12, 19), date(2026, 12, 23)) == 2
    assert working_days_between(date(2026, 12, 23), date(2026, 12, 31)) == 4
    assert working_days_between(date(2027, 1, 15), date(2027, 1, 22)) == 5
    assert working_days_between(date(2027, 1, 20), date(2027, 1, 28)) == 6


def test_triage_within_3_working_days_counts_over_the_christmas_bank_holidays(
    service: Service,
) -> None:
    # R1 triaged on the 3rd working day over 25 and 28 December counts; R2 on the 4th does
    # not; R3 received on a Saturday counts from Monday; R5 never triaged does not.
    assert whole(service.figures("triage_within_3_working_days", DEC)) == (2, 4, 0.5, OK)


def test_triage_by_clinician_names_who_triaged_first(service: Service) -> None:
    found = service.figures("triage_within_3_working_days", DEC, breakdown="clinician")

    assert [(r.label, r.numerator, r.denominator) for r in found.rows] == [
        ("Ann Adams", 2, 2),
        ("Ben Brown", 0, 1),
        ("Not recorded", 0, 1),
    ]


def test_triage_by_priority_and_by_month(service: Service) -> None:
    by_priority = service.figures("triage_within_3_working_days", DEC, breakdown="priority")
    by_month = service.figures("triage_within_3_working_days", DEC, JAN, breakdown="month")

    assert by_key(by_priority) == {"priority": (1, 1, 1.0), "urgent": (1, 3, 1 / 3)}
    assert [r.label for r in by_priority.rows] == ["Priority", "Urgent"]
    assert [(r.key, r.label, r.status) for r in by_month.rows] == [
        ("2026-12", "December 2026", OK),
        ("2027-01", "January 2027", NO_DATA),
    ]


def test_the_median_wait_to_first_contact_odd_and_even(service: Service) -> None:
    # January: 20, 28 and 32 days; urgent 20 and 28 (median 24), priority 32.
    assert whole(service.figures("wait_to_first_contact", JAN)) == (None, 3, 28.0, OK)
    by_priority = service.figures("wait_to_first_contact", JAN, breakdown="priority")
    assert by_key(by_priority) == {"priority": (None, 1, 32.0), "urgent": (None, 2, 24.0)}


def test_the_non_attendance_rate_by_site_age_band_and_sex(service: Service) -> None:
    assert whole(service.figures("did_not_attend_rate", JAN)) == (1, 5, 0.2, OK)
    assert whole(service.figures("did_not_attend_rate", DEC)) == (1, 1, 1.0, OK)
    sites = service.figures("did_not_attend_rate", JAN, breakdown="site")
    assert [(r.label, r.numerator, r.denominator) for r in sites.rows] == [
        ("North Clinic", 1, 2),
        ("South Clinic", 0, 3),
    ]
    ages = service.figures("did_not_attend_rate", JAN, breakdown="age_band")
    # P4 is 69 on the day before his 70th birthday.
    assert [(r.label, r.numerator, r.denominator) for r in ages.rows] == [
        ("25 to 29", 0, 1),
        ("45 to 49", 0, 1),
        ("65 to 69", 0, 1),
        ("75 to 79", 1, 2),
    ]
    sexes = service.figures("did_not_attend_rate", JAN, breakdown="sex")
    assert by_key(sexes) == {"1": (1, 3, 1 / 3), "2": (0, 2, 0.0)}
    assert [r.label for r in sexes.rows] == ["Male", "Female"]


def test_conditions_are_the_episodes_working_diagnoses(service: Service) -> None:
    # January: C1 (E1) attended, C2 and C3 (E2) one not, C4 (E3: a draft only) and C6 (no
    # episode) attended.
    found = service.figures("did_not_attend_rate", JAN, breakdown="condition")
    waits = service.figures("wait_to_first_contact", JAN, breakdown="condition")

    assert [(r.key, r.label, r.numerator, r.denominator) for r in found.rows] == [
        ("frozen_shoulder", "Frozen shoulder (adhesive capsulitis)", 1, 2),
        ("low_back_pain", "Non-specific low back pain", 0, 1),
        (None, "Not recorded", 0, 2),
    ]
    assert by_key(waits) == {
        "frozen_shoulder": (None, 1, 28.0),
        "low_back_pain": (None, 1, 20.0),
        None: (None, 1, 32.0),
    }


def test_ethnicity_and_deprivation(service: Service) -> None:
    ethnicity = service.figures("did_not_attend_rate", JAN, breakdown="ethnicity")
    deprivation = service.figures("did_not_attend_rate", JAN, breakdown="deprivation")

    assert by_key(ethnicity) == {"A": (0, 2, 0.0), "M": (1, 2, 0.5), "Z": (0, 1, 0.0)}
    # No postcode lookup in the store yet: everyone is "not recorded", never a decile.
    assert [(r.key, r.label, r.denominator) for r in deprivation.rows] == [
        (None, "Not recorded", 5)
    ]


def test_msk_hq_capture_pairs_change_and_the_minimal_important_change(
    service: Service,
) -> None:
    assert whole(service.figures("msk_hq_baseline_rate", JAN)) == (1, 3, 1 / 3, OK)
    assert whole(service.figures("msk_hq_paired_rate", JAN)) == (2, 3, 2 / 3, OK)
    assert whole(service.figures("msk_hq_mean_change", JAN)) == (None, 2, 5.5, OK)
    # A change of 6 reaches the MIC of 5.5; a change of 5, one point under, does not.
    assert whole(service.figures("msk_hq_improved", JAN)) == (1, 2, 0.5, OK)
    per_clinician = service.figures("msk_hq_improved", JAN, breakdown="clinician")
    assert [(r.label, r.numerator, r.denominator) for r in per_clinician.rows] == [
        ("Ann Adams", 1, 1),
        ("Ben Brown", 0, 1),
    ]


def test_start_back_risk_mix(service: Service) -> None:
    found = service.figures("start_back_risk_mix", JAN, breakdown="score_group")

    assert by_key(found) == {"high": (2, None, 2.0), "low": (1, None, 1.0)}


def test_decision_aids_and_collaborate(service: Service) -> None:
    assert whole(service.figures("decision_aid_use", JAN)) == (2, 6, 1 / 3, OK)
    # Two responses in January are too few to rate; 25 in February are enough.
    assert whole(service.figures("collaborate_top_box", JAN)) == (1, 2, None, TOO_FEW)
    assert whole(service.figures("collaborate_top_box", FEB)) == (20, 25, 0.8, OK)


def test_letters_in_time(service: Service) -> None:
    assert whole(service.figures("discharge_letters_in_time", JAN)) == (1, 4, 0.25, OK)
    # Closed on 23 December, signed on the 31st: the 4th working day over Christmas.
    assert whole(service.figures("discharge_letters_in_time", DEC)) == (1, 1, 1.0, OK)
    assert whole(service.figures("onward_notices_in_time", DEC)) == (1, 1, 1.0, OK)
    assert whole(service.figures("onward_notices_in_time", JAN)) == (0, 1, 0.0, OK)


def test_injections_by_target_complications_and_repeats(service: Service) -> None:
    given = service.figures("injections_given", JAN, breakdown="target")
    assert by_key(given) == {"knee_joint": (2, None, 2.0), "subacromial_space": (1, None, 1.0)}
    assert whole(service.figures("injections_given", JAN)) == (3, None, 3.0, OK)
    assert whole(service.figures("injection_complication_rate", JAN)) == (1, 3, 1 / 3, OK)
    assert whole(service.figures("injection_repeat_rate", JAN)) == (1, 3, 1 / 3, OK)


def test_shockwave_change_in_pain_per_indication(service: Service) -> None:
    assert whole(service.figures("eswt_pain_change", JAN)) == (None, 2, -2.5, OK)
    per = service.figures("eswt_pain_change", JAN, breakdown="indication")
    assert by_key(per) == {"plantar_heel_pain": (None, 2, -2.5)}


def test_onward_referral_rate(service: Service) -> None:
    assert whole(service.figures("onward_referral_rate", DEC)) == (1, 4, 0.25, OK)
    assert whole(service.figures("onward_referral_rate", JAN)) == (1, 1, 1.0, OK)


def test_opioid_and_gabapentinoid_review_rate(service: Service) -> None:
    # Three signed assessments list an opioid or a gabapentinoid: two reviewed with the
    # patient, one not. A draft and a signed one listing neither are not counted.
    assert whole(service.figures("opioid_gabapentinoid_review_rate", JAN)) == (2, 3, 2 / 3, OK)
    assert service.figures("opioid_gabapentinoid_review_rate", DEC).status == NO_DATA


def test_a_measure_the_app_does_not_record_says_so_never_zero(service: Service) -> None:
    found = service.figures("surgical_conversion_rate", DEC, JAN, breakdown="month")

    assert found.status == NOT_RECORDED
    assert [(r.numerator, r.denominator, r.value, r.status) for r in found.rows] == [
        (None, None, None, NOT_RECORDED),
        (None, None, None, NOT_RECORDED),
    ]


def test_a_month_with_nothing_has_no_data(service: Service) -> None:
    found = service.figures("did_not_attend_rate", date(2025, 6, 1))

    assert found.status == NO_DATA
    assert whole(found) == (None, 0, None, NO_DATA)


def test_a_clinicians_own_figures_count_only_their_facts(service: Service) -> None:
    ann = service.people.ann.id

    assert whole(service.figures("did_not_attend_rate", JAN, clinician_id=ann)) == (
        0,
        2,
        0.0,
        OK,
    )
    assert whole(service.figures("injections_given", JAN, clinician_id=ann)) == (
        2,
        None,
        2.0,
        OK,
    )
