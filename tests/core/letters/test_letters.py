"""Letters: assembled from the signed record, edited, signed with its guards, never changed."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.letters import service as letters_service
from clinic_app.domains.letters.content import prsb_headings, shipped_targets
from clinic_app.domains.letters.model import LetterRecord
from clinic_app.domains.letters.record import sign_problems
from clinic_app.domains.letters.rules import (
    DueReason,
    LetterFacts,
    LetterKind,
    Quoted,
    ReportFact,
    ScoreFact,
    assemble,
    due_clock,
    reading_warnings,
    score_words,
)
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.rules import Answer
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, FormErrors, PermissionDenied, ValidationError
from clinic_app.kernel.session import Actor
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.vocabulary import EpisodeStatus, ReferralPriority
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.model import Patient, PatientAlert
from tests.support.printed import page_words, pages_missing, without_nhs_number


def _facts(**changes: object) -> LetterFacts:
    values: dict[str, object] = {
        "kind": LetterKind.GP_DISCHARGE,
        "on": date(2026, 12, 4),
        "patient_name": "Ada Test",
        "given_name": "Ada",
        "nhs_number": "999 000 0018",
        "date_of_birth": date(1960, 3, 3),
        "address": "1 Test Street",
        "gp_name": "Test Practice",
        "gp_address": "2 Surgery Road",
        "gp_ods": "Y00001",
        "clinician": "Alex Physio",
        "site": "Test Clinic",
        "episode_started": date(2026, 10, 1),
        "episode_ended": date(2026, 12, 1),
        "end_reason": "goals met",
    }
    values.update(changes)
    return LetterFacts(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------- pure rules


def test_every_mandatory_heading_is_present_and_an_empty_one_says_so() -> None:
    sections = assemble(_facts(), prsb_headings())

    keys = [s.key for s in sections]
    mandatory = [h.key for h in prsb_headings() if h.mandatory]
    assert keys[: len(mandatory)] == mandatory
    allergies = next(s for s in sections if s.key == "allergies")
    assert (allergies.text, allergies.filled) == ("No allergies recorded.", False)
    plan = next(s for s in sections if s.key == "plan_and_requested_actions")
    assert (plan.text, plan.mandatory) == ("No care plan recorded.", False)
    assert all(h.snomed.isdigit() for h in prsb_headings())


def test_a_report_that_is_not_final_is_never_quoted_whatever_it_is_handed() -> None:
    reports = (
        ReportFact(uuid.uuid4(), "Scan report: knee", "Meniscal tear, verified.", True, None),
        ReportFact(uuid.uuid4(), "Scan report: hip", "Trainee words, unverified.", False, None),
    )
    for kind in (LetterKind.GP_DISCHARGE, LetterKind.PATIENT):
        words = " ".join(s.text for s in assemble(_facts(kind=kind, reports=reports), ()))
        words += " ".join(
            s.text for s in assemble(_facts(kind=kind, reports=reports), prsb_headings())
        )
        assert "verified." in words
        assert "unverified" not in words


def test_no_gp_practice_is_stated_in_the_gp_letter() -> None:
    sections = assemble(_facts(gp_name=None), prsb_headings())

    gp = next(s for s in sections if s.key == "gp_practice")
    assert not gp.filled
    assert "No GP practice recorded" in gp.text


def test_scores_are_set_against_the_minimal_important_change() -> None:
    better = ScoreFact("MSK-HQ", 22, 34, "improved", 5.5)
    small = ScoreFact("MSK-HQ", 22, 25, None, 5.5)

    assert "22 at the start, 34 now (+12); an important improvement" in score_words(better)
    assert "less than the 5.5 points" in score_words(small)


def test_the_letter_to_the_patient_puts_actions_first_and_copies_the_gp() -> None:
    facts = _facts(
        kind=LetterKind.PATIENT,
        plan="Do the exercises twice a day.",
        assessments=(
            Quoted("Assessment", "Knee pain from arthritis.", "assessment", uuid.uuid4()),
        ),
    )
    sections = assemble(facts, prsb_headings())

    assert sections[0].title == "What you need to do"
    assert sections[-1].text == "A copy of this letter goes to your GP practice, Test Practice."


def test_readability_warns_per_paragraph_above_the_target_grade() -> None:
    plain = "You can walk. It will help. Do it each day."
    hard = (
        "Osteoarthritic degeneration necessitates individualised physiotherapeutic "
        "rehabilitation incorporating progressive resistance exercises."
    )
    facts = _facts(kind=LetterKind.PATIENT, plan=f"{plain}\n\n{hard}")
    warnings = reading_warnings(
        assemble(facts, ()), shipped_targets()["patient_letter_grade"].value
    )

    assert [(w.section, w.paragraph) for w in warnings] == [("actions", 1)]


def test_five_working_days_across_a_bank_holiday() -> None:
    # Discharged Wednesday 23 December 2026: Christmas (Fri 25th), Boxing Day's substitute
    # (Mon 28th) and New Year's Day (Fri 1st) are bank holidays, so day 5 is Monday 4 January.
    clock = due_clock(DueReason.DISCHARGE, date(2026, 12, 23), date(2026, 12, 24), 5)
    assert clock.due_on == date(2027, 1, 4)
    assert (clock.days_left, clock.breached) == (4, False)
    on_the_day = due_clock(DueReason.DISCHARGE, date(2026, 12, 23), date(2027, 1, 4), 5)
    assert (on_the_day.days_left, on_the_day.breached) == (0, False)
    late = due_clock(DueReason.DISCHARGE, date(2026, 12, 23), date(2027, 1, 6), 5)
    assert (late.days_left, late.breached) == (-2, True)
    notice = due_clock(DueReason.ONWARD_REFERRAL, date(2026, 12, 23), date(2026, 12, 31), 7)
    assert (notice.due_on, notice.days_left, notice.breached) == (date(2026, 12, 30), -1, True)


# ---------------------------------------------------------------- in the store


def _clinician(services: Services) -> CurrentUser:
    return services.auth.login("clinician", demo_password("clinician"))


def _patient_with_episode(services: Services) -> tuple[uuid.UUID, uuid.UUID]:
    with services.context.store.sessions() as session:
        episode = session.scalars(
            select(EpisodeOfCare)
            .where(EpisodeOfCare.deleted.is_(False))
            .order_by(EpisodeOfCare.patient_id)
            .limit(1)
        ).one()
        return episode.patient_id, episode.id


def _set(services: Services, model: type, row_id: uuid.UUID, **values: object) -> None:
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        row = session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)


def _close(services: Services, episode: uuid.UUID) -> None:
    _set(services, EpisodeOfCare, episode, status=EpisodeStatus.CLOSED, ended_on=date(2026, 12, 1))


def test_a_discharge_letter_is_drafted_edited_signed_and_never_changed(demo: Services) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        session.add(PatientAlert(patient_id=patient, kind="allergy", text="Penicillin: rash"))

    draft = demo.letters.draft(me, patient, "gp_discharge", episode)
    allergies = next(s for s in draft.sections if s.key == "allergies")
    assert "Penicillin: rash" in allergies.text
    with demo.context.store.sessions() as session:
        stored = session.get(Patient, patient)
        assert stored is not None
        family = stored.family_name
    assert family in next(s.text for s in draft.sections if s.key == "patient_demographics")

    edited = demo.letters.edit(me, draft.id, patient, {"clinical_summary": "Seen and better."})
    assert next(s for s in edited.sections if s.key == "clinical_summary").text == (
        "Seen and better."
    )
    with pytest.raises(FormErrors) as refused:
        demo.letters.edit(me, draft.id, patient, {"no_such": "x"})
    assert refused.value.errors[0].code == "letter.unknown_section"

    # A mandatory section emptied: signing is refused.
    demo.letters.edit(me, draft.id, patient, {"person_completing_record": "  "})
    with pytest.raises(FormErrors) as empty:
        demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    assert ("letter.mandatory_empty", "person_completing_record") in {
        (e.code, e.field) for e in empty.value.errors
    }
    demo.letters.edit(me, draft.id, patient, {"person_completing_record": "Alex Physio"})

    # Not while the patient is still under the service's care: the GP would read of a
    # discharge that has not happened.
    with pytest.raises(FormErrors) as still_open:
        demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    assert [e.code for e in still_open.value.errors] == ["letter.episode_open"]
    _close(demo, episode)

    signed = demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    assert signed.signed
    assert signed.intact
    (entry,) = demo.timeline.for_patient(me, patient).of_kind("letter")
    assert (entry.record_id, entry.description.split(",")[:2]) == (
        draft.id,
        ["Discharge letter", " signed"],
    )
    with pytest.raises(Conflict) as again:
        demo.letters.edit(me, draft.id, patient, {"clinical_summary": "changed"})
    assert again.value.code == "letter.signed"

    pdf = demo.letters.printable(me, draft.id, patient)
    assert pdf == demo.letters.printable(me, draft.id, patient)  # drawn the same every time
    words = _pdf_text(pdf)
    for heading in prsb_headings():
        if heading.mandatory:
            assert heading.title in words, heading.title
    assert "Penicillin: rash" in words


def _pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


def test_another_clinicians_draft_cannot_be_changed_or_signed(demo: Services) -> None:
    me = _clinician(demo)
    colleague = demo.auth.login("supervisor", demo_password("supervisor"))
    patient, episode = _patient_with_episode(demo)
    draft = demo.letters.draft(me, patient, "gp_clinic", episode)

    with pytest.raises(PermissionDenied) as denied:
        demo.letters.edit(colleague, draft.id, patient, {"clinical_summary": "mine now"})
    assert denied.value.code == "letter.not_author"
    with pytest.raises(PermissionDenied):
        demo.letters.sign(colleague, draft.id, patient, demo_password("supervisor"))
    with pytest.raises(Conflict) as wrong:
        demo.letters.edit(me, draft.id, uuid.uuid4(), {"clinical_summary": "x"})
    assert wrong.value.code == "letter.wrong_patient"


def test_sign_is_refused_while_a_cited_report_is_not_final(demo: Services) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    draft = demo.letters.draft(me, patient, "gp_clinic", episode)
    # A letter naming a report the reports domain does not hold as final (a trainee's
    # report still waiting for its supervisor, say) is refused at signing.
    _set(demo, LetterRecord, draft.id, cited_reports=[str(uuid.uuid4())])

    with pytest.raises(FormErrors) as refused:
        demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    assert "letter.report_preliminary" in {e.code for e in refused.value.errors}


def test_sign_is_refused_while_a_red_flag_emergency_has_no_action(demo: Services) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    answers = dict.fromkeys(red_flag_screen("cauda_equina").question_codes, Answer.YES.value)
    demo.red_flags.record(me, patient, "cauda_equina", answers)
    draft = demo.letters.draft(me, patient, "gp_clinic", episode)

    with pytest.raises(FormErrors) as refused:
        demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    assert "letter.red_flag_no_action" in {e.code for e in refused.value.errors}


def test_bad_input_is_refused(demo: Services) -> None:
    me = _clinician(demo)
    patient, _ = _patient_with_episode(demo)
    with pytest.raises(ValidationError) as kind:
        demo.letters.draft(me, patient, "postcard")
    assert kind.value.code == "letter.unknown_kind"
    with pytest.raises(ValidationError):
        demo.letters.draft(me, patient, "onward_referral", provider="x" * 400)
    admin = demo.auth.login("admin", demo_password("admin"))
    with pytest.raises(PermissionDenied):
        demo.letters.draft(admin, patient, "gp_clinic")


def test_letters_due_flag_breaches_and_no_gp_practice(demo: Services) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    _set(demo, EpisodeOfCare, episode, status=EpisodeStatus.CLOSED, ended_on=date(2026, 12, 23))
    _set(demo, Patient, patient, gp_practice_id=None)
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        referral = session.scalars(
            select(EpisodeOfCare.referral_id).where(EpisodeOfCare.referral_id.is_not(None))
        ).first()
        assert referral is not None
        decision = TriageDecision(
            referral_id=referral,
            patient_id=patient,
            outcome="onward_referral",
            priority=ReferralPriority.ROUTINE,
            decided_at=datetime(2026, 12, 23, 10, tzinfo=UTC),
        )
        session.add(decision)
        session.flush()
        decision_id = decision.id

    due = demo.letters.due(me, today=date(2027, 1, 5))
    mine = [item for item in due if item.patient_id == patient]
    discharge = next(item for item in mine if item.reason is DueReason.DISCHARGE)
    assert (discharge.due_on, discharge.breached, discharge.no_gp_practice) == (
        date(2027, 1, 4),
        True,
        True,
    )
    onward = next(item for item in mine if item.onward_decision_id == decision_id)
    assert (onward.due_on, onward.working_days, onward.breached) == (
        date(2026, 12, 30),
        False,
        True,
    )
    draft = demo.letters.draft(me, patient, "gp_discharge", episode)
    assert draft.no_gp_practice

    # The GP notice of the onward referral, signed, takes it off the list.
    notice = demo.letters.draft(
        me, patient, "gp_referral_notice", episode, onward_decision_id=decision_id
    )
    waiting = [d for d in demo.letters.due(me, today=date(2027, 1, 5)) if d.draft_id == notice.id]
    assert [d.onward_decision_id for d in waiting] == [decision_id]
    demo.letters.sign(me, notice.id, patient, demo_password("clinician"))
    still = demo.letters.due(me, today=date(2027, 1, 5))
    assert decision_id not in {d.onward_decision_id for d in still}
    assert episode in {d.episode_id for d in still}  # the discharge letter is still due


def test_the_service_sets_its_own_targets_and_the_due_list_follows(demo: Services) -> None:
    me = _clinician(demo)
    admin = demo.auth.login("admin", demo_password("admin"))
    assert demo.letters.targets(me)["discharge_working_days"] == 5

    with pytest.raises(PermissionDenied):
        demo.letters.set_targets(me, {"discharge_working_days": 7})
    with pytest.raises(FormErrors) as bad:
        demo.letters.set_targets(admin, {"discharge_working_days": -1, "nonsense": 3})
    assert {e.code for e in bad.value.errors} == {"letter.bad_target", "letter.unknown_target"}

    assert (
        demo.letters.set_targets(admin, {"discharge_working_days": 7})["discharge_working_days"]
        == 7
    )
    _patient, episode = _patient_with_episode(demo)
    _set(demo, EpisodeOfCare, episode, status=EpisodeStatus.CLOSED, ended_on=date(2026, 12, 23))
    (item,) = [d for d in demo.letters.due(me, today=date(2027, 1, 5)) if d.episode_id == episode]
    assert (item.due_on, item.breached) == (date(2027, 1, 6), False)

    back = demo.letters.set_targets(admin, {}, reset=["discharge_working_days"])
    assert back["discharge_working_days"] == 5


def test_an_onward_referral_names_the_patients_choice_of_provider_and_their_decision() -> None:
    decision = Quoted(
        "Shared decision, 1 December 2026",
        "Choice: Referral to a surgeon",
        "sdm",
        uuid.uuid4(),
    )
    facts = _facts(
        kind=LetterKind.ONWARD_REFERRAL, provider="Example Orthopaedics", decisions=(decision,)
    )
    words = {s.key: s.text for s in assemble(facts, prsb_headings())}

    assert (
        "Referred on to Example Orthopaedics, the provider the patient chose."
        in (words["clinical_summary"])
    )
    assert "Choice: Referral to a surgeon" in words["plan_and_requested_actions"]
    assert "Test Practice" in words["distribution_list"]


def test_the_current_signed_care_plan_is_the_letters_plan_and_a_draft_never_is(
    demo: Services,
) -> None:
    from tests.core.care_plans.conftest import agreed_plan

    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    plan = demo.care_plans.start(me, patient, episode)
    demo.care_plans.save(me, plan.id, patient, agreed_plan())

    # A draft plan is not quoted.
    draft = demo.letters.draft(me, patient, "gp_discharge", episode)
    words = next(s for s in draft.sections if s.key == "plan_and_requested_actions").text
    assert "Walk to the shops" not in words

    demo.care_plans.sign(me, plan.id, patient, demo_password("clinician"))
    gp = demo.letters.draft(me, patient, "gp_clinic", episode)
    words = next(s for s in gp.sections if s.key == "plan_and_requested_actions").text
    assert "Goal, in the patient's words: Walk to the shops and back without stopping" in words
    assert "Action: Review pain relief (GP) by " in words
    # Its date as letters write dates, never as stored ("2027-01-02").
    action = next(line for line in words.splitlines() if "Review pain relief" in line)
    assert action.split(" by ")[1][0].isdigit()
    assert "-" not in action.split(" by ")[1]
    assert "Patient-initiated follow-up: can book straight back until" in words


def test_a_care_plan_the_patient_kept_from_their_gp_is_quoted_in_no_letter(
    demo: Services,
) -> None:
    import dataclasses

    from tests.core.care_plans.conftest import agreed_plan

    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    shared = demo.care_plans.start(me, patient, episode)
    demo.care_plans.save(me, shared.id, patient, agreed_plan())
    demo.care_plans.sign(me, shared.id, patient, demo_password("clinician"))

    # Reviewed: the new plan (now the current one) is one the patient asks to keep from the GP.
    review = demo.care_plans.review(me, shared.id, patient)
    kept = dataclasses.replace(
        agreed_plan(), goals=("Swim a length",), gp_consent=False, gp_consent_given_by="patient"
    )
    demo.care_plans.save(me, review.id, patient, kept)
    demo.care_plans.sign(me, review.id, patient, demo_password("clinician"))

    # Neither the current plan nor the one it replaced is quoted, to the GP or to the patient
    # (whose letter goes to the GP too).
    for kind in ("gp_clinic", "patient"):
        letter = demo.letters.draft(me, patient, kind, episode)
        everything = "\n".join(section.text for section in letter.sections)
        assert "Swim a length" not in everything
        assert "Walk to the shops" not in everything


def test_a_signed_gp_letter_becomes_an_itk_document_and_a_draft_or_patient_letter_does_not(
    demo: Services,
) -> None:
    import json

    from clinic_app.domains.letters.fhir import check_bundle
    from clinic_app.kernel.staff import Site

    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    draft = demo.letters.draft(me, patient, "gp_clinic", episode)
    with pytest.raises(Conflict) as unsigned:
        demo.letters.fhir_document(me, draft.id, patient)
    assert unsigned.value.code == "letter.not_signed"

    # The demo service has no ODS code yet: the document cannot be whole, and says so.
    demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    with pytest.raises(Conflict) as incomplete:
        demo.letters.fhir_document(me, draft.id, patient)
    assert incomplete.value.code == "letter.document_incomplete"
    assert "ods" in str(incomplete.value.params.get("rules", ""))

    _set(demo, Site, me.site_id, ods_code="RDEMO")
    text = demo.letters.fhir_document(me, draft.id, patient)
    bundle = json.loads(text)
    assert check_bundle(bundle) == []
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    with demo.context.store.sessions() as session:
        stored = session.get(Patient, patient)
        assert stored is not None
        number = stored.nhs_number
    patients = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert [i["value"] for i in patients[0]["identifier"]] == [number]
    # The same signed letter always gives the same document, whoever exports it and wherever:
    # the clinic it was written at holds it.
    assert demo.letters.fhir_document(me, draft.id, patient) == text
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        other = Site(name="Southfield Clinic", ods_code="RSOUTH")
        session.add(other)
        session.flush()
        colleague = session.scalars(select(User).where(User.username == "supervisor")).one()
        colleague.site_id = other.id
    elsewhere = demo.auth.login("supervisor", demo_password("supervisor"))
    assert demo.letters.fhir_document(elsewhere, draft.id, patient) == text

    mine = demo.letters.draft(me, patient, "patient", episode)
    demo.letters.sign(me, mine.id, patient, demo_password("clinician"))
    with pytest.raises(Conflict) as not_for_patient:
        demo.letters.fhir_document(me, mine.id, patient)
    assert not_for_patient.value.code == "letter.no_document_for_kind"


def test_the_pdf_as_signed_is_kept_in_the_record_and_printed_as_it_was_signed(
    demo: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clinic_app.domains.letters import pdf as letter_pdf_module
    from clinic_app.kernel.attachments import Attachment

    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    draft = demo.letters.draft(me, patient, "gp_clinic", episode)
    demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    with demo.context.store.sessions() as session:
        kept = session.scalars(
            select(Attachment).where(Attachment.filename == f"letter-{draft.id}.pdf")
        ).one()
        assert (kept.patient_id, kept.media_type) == (patient, "application/pdf")
    signed_pdf = demo.letters.printable(me, draft.id, patient)
    assert signed_pdf.startswith(b"%PDF")
    assert len(signed_pdf) == kept.size

    # However the letters are drawn later, this one prints as it was signed.
    monkeypatch.setattr(letter_pdf_module, "letter_pdf", lambda printed: b"%PDF-redrawn")
    assert demo.letters.printable(me, draft.id, patient) == signed_pdf
    # A draft is drawn now.
    other = demo.letters.draft(me, patient, "gp_discharge", episode)
    assert demo.letters.printable(me, other.id, patient) == b"%PDF-redrawn"


def test_editing_and_signing_a_letter_changes_none_of_the_records_it_quotes(
    demo: Services,
) -> None:
    from sqlalchemy import func

    from clinic_app.kernel.base import Base

    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    # Every clinical table of the patient's record except the letters and their kept files.
    tables = [
        table
        for table in Base.metadata.sorted_tables
        if "patient_id" in table.c
        and "row_version" in table.c
        and table.name not in {"letter_record", "attachment"}
    ]

    def state() -> dict[str, tuple[int, int]]:
        with demo.context.store.sessions() as session:
            found: dict[str, tuple[int, int]] = {}
            for table in tables:
                count, versions = session.execute(
                    select(func.count(), func.coalesce(func.sum(table.c.row_version), 0)).where(
                        table.c.patient_id == patient
                    )
                ).one()
                found[table.name] = (int(count), int(versions))
            return found

    _close(demo, episode)
    before = state()
    assert sum(count for count, _ in before.values()) > 0
    draft = demo.letters.draft(me, patient, "gp_discharge", episode)
    quoted = {s.key: s.text for s in draft.sections}
    demo.letters.edit(
        me,
        draft.id,
        patient,
        {key: f"{text}\nEdited in the letter only." for key, text in quoted.items() if text},
    )
    demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    assert state() == before


def test_a_discharge_letter_drafted_with_no_episode_named_is_about_the_one_that_ended_last(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    _set(demo, EpisodeOfCare, episode, status=EpisodeStatus.CLOSED, ended_on=date(2026, 11, 20))

    letter = demo.letters.draft(me, patient, "gp_discharge")
    assert letter.episode_id == episode
    attendance = next(s for s in letter.sections if s.key == "attendance_details").text
    assert "20 November 2026" in attendance
    # Any other letter with no episode named stays with the open one (none here).
    clinic = demo.letters.draft(me, patient, "gp_clinic")
    assert clinic.episode_id is None


def test_a_printed_letter_says_how_to_reach_the_clinic_it_comes_from(demo: Services) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    assert me.site_id is not None

    to_patient = demo.letters.draft(me, patient, "patient", episode)
    words = _pdf_text(demo.letters.printable(me, to_patient.id, patient))
    assert "Riverside Community MSK Clinic" in words
    assert "Riverside Health Village, 1 River Lane, Leeds LS6 2AB" in words
    assert "Telephone 0113 496 0100" in words
    assert "Email riverside.msk@example.org" in words
    assert "call us on 0113 496 0100 or contact your GP" in words
    to_gp = demo.letters.draft(me, patient, "gp_clinic", episode)
    assert "Telephone 0113 496 0100" in _pdf_text(demo.letters.printable(me, to_gp.id, patient))

    # A site with no number or email kept: its letters name it and its address, no more.
    _set(demo, Site, me.site_id, phone=None, email=None)
    words = _pdf_text(demo.letters.printable(me, to_patient.id, patient))
    assert "Riverside Health Village" in words
    assert "Telephone" not in words
    assert "Email" not in words


def test_the_patient_is_told_the_number_to_ring_when_the_site_keeps_one() -> None:
    def come_back(facts: LetterFacts) -> str:
        return next(s.text for s in assemble(facts, ()) if s.key == "come_back")

    with_number = _facts(kind=LetterKind.PATIENT, site_phone="0113 496 0100")
    assert "call us on 0113 496 0100 or contact your GP" in come_back(with_number)
    without = _facts(kind=LetterKind.PATIENT)
    assert "contact the MSK service or your GP" in come_back(without)
    assert not reading_warnings(
        assemble(with_number, ()), shipped_targets()["patient_letter_grade"].value
    )


def test_a_referral_letter_naming_no_provider_is_not_signed(demo: Services) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)

    nobody = demo.letters.draft(me, patient, "onward_referral", episode)
    assert nobody.recipient == "Provider not recorded"
    with pytest.raises(FormErrors) as refused:
        demo.letters.sign(me, nobody.id, patient, demo_password("clinician"))
    assert "letter.no_provider" in [e.code for e in refused.value.errors]
    # The same rule is the one the server runs on a pushed signed letter.
    with demo.context.store.sessions() as session:
        row = session.get(LetterRecord, nobody.id)
        assert row is not None
        assert [e.code for e in sign_problems(row)] == ["letter.no_provider"]

    chosen = demo.letters.draft(
        me, patient, "onward_referral", episode, provider="Leeds Community Orthopaedics"
    )
    with demo.context.store.sessions() as session:
        row = session.get(LetterRecord, chosen.id)
        assert row is not None
        assert "letter.no_provider" not in [e.code for e in sign_problems(row)]


def test_a_letter_is_headed_with_the_clinic_it_was_written_at_whoever_prints_it(
    demo: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    draft = demo.letters.draft(me, patient, "patient", episode)
    demo.letters.sign(me, draft.id, patient, demo_password("clinician"))
    # A colleague at another clinic prints it on a laptop the signed PDF has not reached.
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        other = Site(name="Southfield Clinic", address="1 South Road", phone="0113 496 0999")
        session.add(other)
        session.flush()
        colleague = session.scalars(select(User).where(User.username == "supervisor")).one()
        colleague.site_id = other.id
    monkeypatch.setattr(letters_service, "kept_bytes", lambda *_args: None)
    printer = demo.auth.login("supervisor", demo_password("supervisor"))
    assert printer.site_name == "Southfield Clinic"

    words = _pdf_text(demo.letters.printable(printer, draft.id, patient))
    assert "Riverside Community MSK Clinic" in words
    assert "Telephone 0113 496 0100" in words
    assert "call us on 0113 496 0100" in words
    assert "Southfield" not in words
    assert "0113 496 0999" not in words


def test_a_letter_by_a_clinician_kept_with_no_clinic_still_says_how_to_reach_one(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    riverside = me.site_id
    assert riverside is not None
    # The clinician was added with no clinic; the episode is held at Riverside.
    _set(demo, User, me.id, site_id=None)
    _set(demo, EpisodeOfCare, episode, site_id=riverside)
    me = _clinician(demo)
    assert me.site_id is None

    to_patient = demo.letters.draft(me, patient, "patient", episode)
    words = _pdf_text(demo.letters.printable(me, to_patient.id, patient))
    assert "Riverside Community MSK Clinic" in words
    assert "Telephone 0113 496 0100" in words
    assert "call us on 0113 496 0100" in words

    # No clinic named on the episode either: the service's only clinic is the one.
    _set(demo, EpisodeOfCare, episode, site_id=None)
    only = demo.letters.draft(me, patient, "gp_clinic", episode)
    assert "Telephone 0113 496 0100" in _pdf_text(demo.letters.printable(me, only.id, patient))

    # A service of two clinics is never guessed at: a letter drafted now names neither.
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        session.add(Site(name="Southfield Clinic", address="1 South Road", phone="0113 496 0999"))
    again = demo.letters.draft(me, patient, "patient", episode)
    words = _pdf_text(demo.letters.printable(me, again.id, patient))
    assert "Telephone" not in words
    assert "Southfield" not in words
    assert "Riverside" not in words
    # The letters drafted before keep the clinic they were written from.
    words = _pdf_text(demo.letters.printable(me, to_patient.id, patient))
    assert "Telephone 0113 496 0100" in words
    assert "call us on 0113 496 0100" in words


def test_a_letter_keeps_the_clinic_it_was_drafted_at_in_its_heading_and_its_words(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    riverside = me.site_id
    _set(demo, User, me.id, site_id=None)
    _set(demo, EpisodeOfCare, episode, site_id=riverside)
    me = _clinician(demo)
    letter = demo.letters.draft(me, patient, "patient", episode)
    # The writer is then given another clinic, before the draft is printed.
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        other = Site(name="Southfield Clinic", address="1 South Road", phone="0113 496 0999")
        session.add(other)
        session.flush()
        other_id = other.id
    _set(demo, User, me.id, site_id=other_id)
    me = _clinician(demo)

    # One clinic in the heading and in the number to ring: the one it was drafted at.
    words = _pdf_text(demo.letters.printable(me, letter.id, patient))
    assert "Telephone 0113 496 0100" in words
    assert "call us on 0113 496 0100" in words
    assert "0113 496 0999" not in words
    assert "Southfield" not in words


def test_a_letter_with_no_clinic_to_name_is_never_headed_with_the_printers_clinic(
    demo: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    _set(demo, User, me.id, site_id=None)
    _set(demo, EpisodeOfCare, episode, site_id=None)
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        other = Site(name="Southfield Clinic", address="1 South Road", phone="0113 496 0999")
        session.add(other)
        session.flush()
        colleague = session.scalars(select(User).where(User.username == "supervisor")).one()
        colleague.site_id = other.id
    me = _clinician(demo)
    letter = demo.letters.draft(me, patient, "patient", episode)
    demo.letters.sign(me, letter.id, patient, demo_password("clinician"))
    # A colleague at Southfield prints it where the signed PDF has not reached.
    monkeypatch.setattr(letters_service, "kept_bytes", lambda *_args: None)
    printer = demo.auth.login("supervisor", demo_password("supervisor"))
    words = _pdf_text(demo.letters.printable(printer, letter.id, patient))
    assert "Southfield" not in words
    assert "0113 496 0999" not in words


def test_a_letter_for_a_patient_with_no_nhs_number_has_their_date_of_birth_on_every_page(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    born = without_nhs_number(demo, me, patient)
    draft = demo.letters.draft(me, patient, "gp_discharge", episode)
    long_summary = "Knee pain on stairs, better with the exercises. " * 80
    demo.letters.edit(me, draft.id, patient, {"clinical_summary": long_summary})

    pdf = demo.letters.printable(me, draft.id, patient)

    assert len(page_words(pdf)) > 1
    assert pages_missing(pdf, born) == []
