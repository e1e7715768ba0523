"""Clinical vignettes through the shipped screens; one screening asks shared questions once.

The first group are the vignettes a clinic morning brought up, tried in a real window;
the rest are drawn from each screen's source, positive and negative.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinic_app.domains.red_flags.content import (
    ALL_SCREENS,
    parse_shared_questions,
    red_flag_screen,
    screening_for,
    screens_for,
    shared_questions,
)
from clinic_app.domains.red_flags.rules import (
    AGE,
    Answer,
    Deadline,
    HardStop,
    Level,
    ScreenResult,
    compose_screening,
    evaluate,
    evaluate_screening,
)
from clinic_app.kernel.errors import ClinicError, ValidationError

YES, NO, NOT_ASKED = Answer.YES, Answer.NO, Answer.NOT_ASKED


def _run(
    screen_id: str, *yes: str, age: int | None = 70, not_asked: tuple[str, ...] = ()
) -> ScreenResult:
    """Every question answered no, except those named yes or not asked."""
    screen = red_flag_screen(screen_id)
    assert set(yes) | set(not_asked) <= set(screen.question_codes)
    answers = dict.fromkeys(screen.question_codes, NO)
    answers.update(dict.fromkeys(yes, YES))
    answers.update(dict.fromkeys(not_asked, NOT_ASKED))
    return evaluate(screen, answers, age=age)


def _text(result: ScreenResult) -> str:
    return " ".join(action.text for action in result.actions)


# ---------------------------------------------------------------- the reported vignettes


@pytest.mark.parametrize("pain", [NO, NOT_ASKED])
def test_saddle_anaesthesia_with_new_retention_is_an_emergency_whatever_the_pain(
    pain: Answer,
) -> None:
    screen = red_flag_screen("cauda_equina")
    answers = dict.fromkeys(screen.question_codes, NO)
    answers.update(saddle_numbness=YES, bladder_change=YES, back_or_leg_pain=pain)
    result = evaluate(screen, answers)
    assert result.level is Level.EMERGENCY
    assert "24/7 MRI" in _text(result)
    assert result.actions[0].deadline is Deadline.IMMEDIATE


def test_hot_swollen_joint_after_an_injection_without_restricted_movement_is_not_routine() -> None:
    result = _run("septic_arthritis", "hot_swollen_joint", "recent_joint_injection")
    assert result.level is Level.EMERGENCY
    assert result.hard_stops == {HardStop.STEROID_INJECTION}
    assert "aspiration before any antibiotic" in _text(result)


def test_diabetes_alone_in_a_well_afebrile_patient_is_not_a_spinal_infection_emergency() -> None:
    result = _run("spinal_infection", "diabetes")
    assert result.level is Level.ROUTINE_WATCH
    assert result.fired == ("risk_factor_only",)
    assert not result.needs_resolution


def test_isolated_polymyalgia_symptoms_are_a_pmr_pathway_not_a_gca_emergency() -> None:
    screening = screening_for(["shoulder", "any_joint"], 72)
    answers = dict.fromkeys(screening.question_codes, NO)
    answers.update(
        pmr_symptoms=YES, girdle_symptoms_over_two_weeks=YES, morning_stiffness_over_45_minutes=YES
    )
    results = {r.screen_id: r for r in evaluate_screening(screening, answers, age=72)}
    assert results["giant_cell_arteritis"].level is Level.CLEAR
    pmr = results["polymyalgia_rheumatica"]
    assert pmr.level is Level.URGENT
    assert pmr.fired == ("pmr_suspected",)
    assert "before any steroid" in _text(pmr)


def test_mscc_pain_only_is_urgent_with_timing_and_the_coordinator() -> None:
    result = _run("mscc", "cancer_history", "night_pain")
    assert result.level is Level.URGENT
    assert [a.deadline for a in result.actions] == [Deadline.WITHIN_24_HOURS]
    assert "MSCC coordinator" in _text(result)
    assert "within 24 hours" in _text(result)


@pytest.mark.parametrize("feature", ["new_headache", "jaw_claudication", "visual_symptoms"])
def test_gca_action_starts_glucocorticoids_at_once_and_names_who_arranges_it(feature: str) -> None:
    result = _run("giant_cell_arteritis", feature, age=68)
    assert result.level is Level.EMERGENCY
    steroid = next(a for a in result.actions if "glucocorticoids" in a.text)
    assert steroid.deadline is Deadline.IMMEDIATE
    assert "40-60 mg prednisolone" in steroid.text
    assert "not a prescriber" in steroid.text
    assert "GP or the on-call medical team" in steroid.text


# ---------------------------------------------------------------- cauda equina


def test_cauda_equina_bilateral_leg_symptoms_count_with_pain() -> None:
    assert _run("cauda_equina", "back_or_leg_pain", "bilateral_leg_symptoms").fired == (
        "ces_suspected",
    )


def test_cauda_equina_bilateral_leg_symptoms_without_pain_are_not_cardinal() -> None:
    assert _run("cauda_equina", "bilateral_leg_symptoms").level is Level.CLEAR


def test_cauda_equina_pain_alone_gets_the_safety_net_card() -> None:
    result = _run("cauda_equina", "back_or_leg_pain")
    assert result.level is Level.ROUTINE_WATCH
    assert result.safety_net_card is not None


def test_cauda_equina_unknown_pain_and_no_features_is_incomplete() -> None:
    assert _run("cauda_equina", not_asked=("back_or_leg_pain",)).level is Level.INCOMPLETE


# ---------------------------------------------------------------- MSCC


@pytest.mark.parametrize("neuro", ["new_limb_neurology", "walking_difficulty", "bowel_change"])
def test_mscc_with_neurology_contacts_the_coordinator_immediately(neuro: str) -> None:
    result = _run("mscc", "cancer_history", "thoracic_or_neck_pain", neuro)
    assert (result.level, result.fired) == (Level.EMERGENCY, ("mscc_suspected",))
    assert result.actions[0].deadline is Deadline.IMMEDIATE
    assert "MSCC coordinator" in _text(result)


def test_mscc_needs_cancer_history() -> None:
    assert _run("mscc", "night_pain", "new_limb_neurology").level is Level.CLEAR


# ---------------------------------------------------------------- spinal infection


def test_spinal_infection_fever_is_same_day() -> None:
    result = _run("spinal_infection", "fever_or_unwell")
    assert (result.level, result.fired) == (Level.EMERGENCY, ("infection_suspected",))
    assert result.actions[0].deadline is Deadline.SAME_DAY


def test_spinal_infection_risk_factor_with_night_pain_is_same_day() -> None:
    result = _run("spinal_infection", "injects_drugs", "severe_or_night_pain")
    assert result.fired == ("risk_factor_with_severe_pain",)


def test_spinal_infection_risk_factor_with_new_neurology_goes_to_ed() -> None:
    result = _run("spinal_infection", "immunosuppression", "new_limb_neurology")
    assert result.fired == ("infection_with_neurology",)
    assert "emergency department" in _text(result)


def test_spinal_infection_severe_pain_without_risk_or_fever_is_clear() -> None:
    assert _run("spinal_infection", "severe_or_night_pain").level is Level.CLEAR


# ---------------------------------------------------------------- septic arthritis


def test_hot_swollen_prosthetic_joint_goes_to_orthopaedics() -> None:
    result = _run("septic_arthritis", "hot_swollen_joint", "joint_replacement")
    assert result.fired == ("prosthetic_joint_infection_suspected",)
    assert "orthopaedic" in _text(result)


def test_hot_swollen_joint_without_any_risk_factor_is_still_an_emergency() -> None:
    assert _run("septic_arthritis", "hot_swollen_joint").level is Level.EMERGENCY


def test_joint_risk_factor_without_a_hot_joint_is_noted() -> None:
    result = _run("septic_arthritis", "injects_drugs")
    assert result.level is Level.ROUTINE_WATCH
    assert not result.hard_stops


# ---------------------------------------------------------------- GCA and PMR


def test_gca_does_not_fire_under_50() -> None:
    assert _run("giant_cell_arteritis", "new_headache", age=45).level is Level.CLEAR


def test_gca_unknown_age_is_incomplete_and_asks_for_the_age() -> None:
    result = _run("giant_cell_arteritis", "new_headache", age=None)
    assert result.level is Level.INCOMPLETE
    assert any(AGE in rule.waiting_on for rule in result.rules)


def test_gca_visual_symptoms_add_ophthalmology() -> None:
    result = _run("giant_cell_arteritis", "visual_symptoms", "scalp_tenderness")
    assert result.fired == ("gca_visual_symptoms",)
    assert "ophthalmology" in _text(result)


def test_pmr_symptoms_with_a_cranial_feature_make_both_screens_positive() -> None:
    screening = screening_for(["head", "shoulder"], 75)
    answers = dict.fromkeys(screening.question_codes, NO)
    answers.update(pmr_symptoms=YES, jaw_claudication=YES)
    results = {r.screen_id: r for r in evaluate_screening(screening, answers, age=75)}
    assert results["giant_cell_arteritis"].level is Level.EMERGENCY
    assert results["polymyalgia_rheumatica"].fired == ("pmr_possible",)


def test_pmr_short_history_is_watched_not_treated() -> None:
    result = _run("polymyalgia_rheumatica", "pmr_symptoms", "morning_stiffness_over_45_minutes")
    assert result.level is Level.ROUTINE_WATCH


def test_pmr_under_50_does_not_fire() -> None:
    result = _run(
        "polymyalgia_rheumatica",
        "pmr_symptoms",
        "girdle_symptoms_over_two_weeks",
        "morning_stiffness_over_45_minutes",
        age=40,
    )
    assert result.level is Level.CLEAR


# ---------------------------------------------------------------- fracture and cancer


def test_fragility_fracture_on_steroids_needs_urgent_imaging() -> None:
    result = _run("unstable_fracture", "minor_trauma", "steroid_use")
    assert (result.level, result.fired) == (Level.URGENT, ("fragility",))


def test_fracture_with_bladder_change_goes_to_ed() -> None:
    result = _run("unstable_fracture", "significant_trauma", "bladder_change")
    assert result.level is Level.EMERGENCY


def test_minor_trauma_without_bone_risk_is_clear() -> None:
    assert _run("unstable_fracture", "minor_trauma").level is Level.CLEAR


def test_back_pain_with_weight_loss_at_60_is_a_two_week_scan() -> None:
    result = _run("suspected_cancer_2ww", "persistent_bone_or_back_pain", "weight_loss")
    assert "back_pain_with_weight_loss" in result.fired
    assert Deadline.TWO_WEEK_WAIT in {a.deadline for a in result.actions}


def test_myeloma_first_tests_are_the_ng12_ones() -> None:
    result = _run("suspected_cancer_2ww", "unexplained_fracture", age=64)
    assert "plasma viscosity or ESR" in _text(result)
    assert _run("suspected_cancer_2ww", "unexplained_fracture", age=55).level is Level.CLEAR


# ---------------------------------------------------------------- inflammatory arthritis


@pytest.mark.parametrize(
    "feature", ["small_joints_hands_or_feet", "more_than_one_joint", "waited_three_months_or_more"]
)
def test_synovitis_with_an_ng100_feature_is_an_urgent_referral(feature: str) -> None:
    result = _run("inflammatory_arthritis", "suspected_synovitis", feature, age=40)
    assert (result.level, result.fired) == (Level.URGENT, ("urgent_rheumatology_referral",))
    assert "Do not wait for blood tests" in _text(result)
    assert "3 working days" in result.actions[0].note


def test_synovitis_of_one_large_joint_is_a_routine_referral() -> None:
    result = _run("inflammatory_arthritis", "suspected_synovitis", age=40)
    assert result.fired == ("rheumatology_referral",)


def test_no_synovitis_is_clear_whatever_the_joints() -> None:
    result = _run("inflammatory_arthritis", "small_joints_hands_or_feet", "more_than_one_joint")
    assert result.level is Level.CLEAR


# ---------------------------------------------------------------- axial spondyloarthritis

ENTRY = ("back_pain_before_45", "back_pain_over_3_months")
CRITERIA = ("buttock_pain", "better_with_movement", "psoriasis_ever", "wakes_second_half_of_night")


def test_axial_spa_four_criteria_refer() -> None:
    result = _run("axial_spondyloarthritis", *ENTRY, *CRITERIA, age=30)
    assert result.fired == ("refer_rheumatology",)


def test_axial_spa_exactly_three_criteria_ask_for_hla_b27() -> None:
    result = _run("axial_spondyloarthritis", *ENTRY, *CRITERIA[:3], age=30)
    assert result.fired == ("hla_b27_test",)
    assert "HLA-B27" in _text(result)


def test_axial_spa_needs_onset_before_45() -> None:
    result = _run("axial_spondyloarthritis", "back_pain_over_3_months", *CRITERIA, age=60)
    assert result.level is Level.CLEAR


def test_axial_spa_two_criteria_with_two_unknown_stays_open() -> None:
    result = _run(
        "axial_spondyloarthritis",
        *ENTRY,
        *CRITERIA[:2],
        not_asked=("psoriasis_ever", "arthritis_ever"),
        age=30,
    )
    assert result.level is Level.INCOMPLETE


# ---------------------------------------------------------------- AAA


def test_collapse_with_back_pain_is_999() -> None:
    result = _run("abdominal_aortic_aneurysm", "collapse_or_faint", "new_abdominal_or_back_pain")
    assert result.fired == ("rupture_suspected",)
    assert "999" in _text(result)


def test_new_pain_with_a_pulsatile_mass_is_an_emergency() -> None:
    result = _run(
        "abdominal_aortic_aneurysm", "new_abdominal_or_back_pain", "pulsatile_abdominal_mass"
    )
    assert (result.level, result.fired) == (Level.EMERGENCY, ("symptomatic_aaa",))


def test_pulsatile_mass_without_symptoms_needs_an_ultrasound() -> None:
    result = _run("abdominal_aortic_aneurysm", "pulsatile_abdominal_mass")
    assert result.level is Level.URGENT
    assert "aortic ultrasound" in _text(result)


def test_new_back_pain_alone_is_not_an_aneurysm() -> None:
    assert _run("abdominal_aortic_aneurysm", "new_abdominal_or_back_pain").level is Level.CLEAR


# ---------------------------------------------------------------- which screens are offered


def test_low_back_pain_is_offered_every_spinal_screen() -> None:
    offered = {s.screen_id for s in screens_for(["lumbar_spine"], 55)}
    assert offered >= {
        "cauda_equina",
        "mscc",
        "spinal_infection",
        "unstable_fracture",
        "axial_spondyloarthritis",
        "abdominal_aortic_aneurysm",
    }
    assert "septic_arthritis" not in offered
    assert "giant_cell_arteritis" not in offered


@pytest.mark.parametrize(
    "regions", [["any_joint", "leg"], ["any_joint", "shoulder"], ["any_joint"]]
)
def test_joints_are_offered_hot_joint_and_inflammatory_arthritis(regions: list[str]) -> None:
    offered = {s.screen_id for s in screens_for(regions, 60)}
    assert {"septic_arthritis", "inflammatory_arthritis"} <= offered


@pytest.mark.parametrize("region", ["head", "cervical_spine", "shoulder"])
def test_head_neck_and_shoulder_are_offered_gca_and_pmr(region: str) -> None:
    offered = {s.screen_id for s in screens_for([region], 60)}
    assert {"giant_cell_arteritis", "polymyalgia_rheumatica"} <= offered


def test_no_region_offers_the_region_free_screens_never_nothing() -> None:
    offered = [s.screen_id for s in screens_for([])]
    assert offered == ["unstable_fracture", "suspected_cancer_2ww"]
    assert screening_for([]).questions


# ---------------------------------------------------------------- one screening


def test_a_question_shared_by_three_screens_is_asked_once_and_reaches_all_three() -> None:
    screening = screening_for(["lumbar_spine"], 66)
    codes = screening.question_codes
    assert len(codes) == len(set(codes))
    askers = screening.asked_by["new_limb_neurology"]
    assert set(askers) == {"mscc", "spinal_infection", "unstable_fracture"}
    answers = dict.fromkeys(codes, NO)
    answers.update(
        new_limb_neurology=YES,
        cancer_history=YES,
        night_pain=YES,
        fever_or_unwell=YES,
        significant_trauma=YES,
    )
    results = {r.screen_id: r for r in evaluate_screening(screening, answers, age=66)}
    assert results["mscc"].fired == ("mscc_suspected",)
    assert results["spinal_infection"].fired == ("infection_with_neurology",)
    assert results["unstable_fracture"].fired == (
        "trauma_or_deformity_with_instability_or_neurology",
    )
    # The same answer, no: none of the three emergencies that read it.
    answers["new_limb_neurology"] = NO
    results = {r.screen_id: r for r in evaluate_screening(screening, answers, age=66)}
    assert results["mscc"].fired == ("mscc_pain_only",)
    assert results["spinal_infection"].fired == ("infection_suspected",)
    assert results["unstable_fracture"].fired == ("trauma_or_deformity",)


def test_bladder_change_is_asked_once_for_four_spinal_screens() -> None:
    screening = screening_for(["lumbar_spine"], 66)
    assert screening.question_codes.count("bladder_change") == 1
    assert len(screening.asked_by["bladder_change"]) == 4
    wording = shared_questions()["bladder_change"].text
    assert all(
        q.text == wording
        for screen in screening.screens
        for q in screen.questions
        if q.code == "bladder_change"
    )


def test_every_shipped_screen_uses_the_shared_wording_for_shared_codes() -> None:
    shared = shared_questions()
    for screen_id in ALL_SCREENS:
        for question in red_flag_screen(screen_id).questions:
            if question.code in shared:
                assert question == shared[question.code], (screen_id, question.code)


def test_composed_screening_refuses_answers_no_screen_asks() -> None:
    screening = screening_for(["any_joint"], 40)
    with pytest.raises(ValidationError) as caught:
        evaluate_screening(screening, {"saddle_numbness": YES})
    assert caught.value.code == "red_flags.unknown_question"


def test_composing_nothing_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        compose_screening([])
    assert caught.value.code == "red_flags.no_screens"


def test_nothing_answered_leaves_every_screen_incomplete_or_clear_never_lowered() -> None:
    screening = screening_for(["lumbar_spine"], 66)
    levels = {r.level for r in evaluate_screening(screening, {}, age=66)}
    assert levels == {Level.INCOMPLETE}


# ---------------------------------------------------------------- the shared-question file


def test_shared_questions_file_has_provenance() -> None:
    path = Path(__file__).parents[3] / "resources" / "red_flags" / "shared_questions.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["licence"].startswith("Project's own wording")
    assert document["source"].strip()
    assert document["version"].strip()


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"version": "1", "source": "s", "questions": []}, "missing_keys"),
        ({"version": "1", "source": "s", "licence": "l", "questions": []}, "no_questions"),
        (
            {
                "version": "1",
                "source": "s",
                "licence": " ",
                "questions": [{"code": "a", "text": "A?"}],
            },
            "missing_text",
        ),
        (
            {
                "version": "1",
                "source": "s",
                "licence": "l",
                "questions": [{"code": "a", "text": "A?"}, {"code": "a", "text": "B?"}],
            },
            "duplicate_question",
        ),
    ],
)
def test_a_bad_shared_question_file_gives_a_clear_error(document: object, reason: str) -> None:
    with pytest.raises(ClinicError) as caught:
        parse_shared_questions(document)
    assert caught.value.code == "content.invalid"
    assert caught.value.params["file"] == "shared_questions.json"
    assert caught.value.params["reason"] == reason


def test_every_screen_says_how_each_rule_was_derived() -> None:
    for screen_id in ALL_SCREENS:
        screen = red_flag_screen(screen_id)
        derived = {entry.gives for entry in screen.derivation}
        assert {rule.rule_id for rule in screen.rules} <= derived, screen_id
        assert all(entry.statement.strip() for entry in screen.derivation)
