"""Pure rules of letters: what each kind says, assembled from facts of the signed record.

Nothing here reads a store: the service gathers the facts (through the other domains'
services and the record types' letter offers) and these functions word them. Every fact
quoted is final; a scan report that is not final is never quoted, whatever it is handed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from clinic_app.domains.triage.working_days import add_working_days, working_days_between
from clinic_app.kernel.readability import grade


class LetterKind(StrEnum):
    """The letters the service writes."""

    GP_CLINIC = "gp_clinic"
    GP_DISCHARGE = "gp_discharge"
    PATIENT = "patient"
    ONWARD_REFERRAL = "onward_referral"
    GP_REFERRAL_NOTICE = "gp_referral_notice"


#: Letters laid out on the PRSB outpatient-letter headings.
PRSB_KINDS = frozenset(
    {
        LetterKind.GP_CLINIC,
        LetterKind.GP_DISCHARGE,
        LetterKind.ONWARD_REFERRAL,
        LetterKind.GP_REFERRAL_NOTICE,
    }
)

#: Letters that go to the GP practice (flagged when the patient has none recorded).
GP_KINDS = frozenset({LetterKind.GP_CLINIC, LetterKind.GP_DISCHARGE, LetterKind.GP_REFERRAL_NOTICE})

TITLES = {
    LetterKind.GP_CLINIC: "Clinic letter",
    LetterKind.GP_DISCHARGE: "Discharge letter",
    LetterKind.PATIENT: "Your letter from the MSK service",
    LetterKind.ONWARD_REFERRAL: "Referral letter",
    LetterKind.GP_REFERRAL_NOTICE: "Notice of onward referral",
}


@dataclass(frozen=True)
class Heading:
    """One PRSB heading: its key, title, SNOMED CT section code and what an empty one says."""

    key: str
    title: str
    snomed: str
    mandatory: bool
    empty: str
    #: Printed, stating it is empty, even when the record has nothing for it (not mandatory:
    #: a letter is signed without it).
    shown_empty: bool = False


@dataclass(frozen=True)
class Quoted:
    """Words quoted from one final record (a letter section a record type offered)."""

    heading: str
    text: str
    record_type: str
    source_id: uuid.UUID


@dataclass(frozen=True)
class ReportFact:
    """A scan report version as a letter may quote it."""

    id: uuid.UUID
    title: str
    text: str
    final: bool
    when: date | None


@dataclass(frozen=True)
class RedFlagFact:
    """One red-flag screening: its screen, outcome level and what was done."""

    screen: str
    level: str
    action: str | None


@dataclass(frozen=True)
class ScoreFact:
    """A questionnaire's latest score against its baseline, with its minimal important change."""

    questionnaire: str
    baseline: int | None
    latest: int | None
    change: str | None
    mic: float | None
    higher_is_better: bool = True


@dataclass(frozen=True)
class LetterFacts:
    """Everything a letter may say, gathered from the signed record (drafts never)."""

    kind: LetterKind
    on: date
    patient_name: str
    given_name: str
    nhs_number: str
    date_of_birth: date
    address: str
    gp_name: str | None
    gp_address: str
    gp_ods: str
    clinician: str
    site: str
    #: The site's telephone number, for the patient to ring (None: none is kept).
    site_phone: str | None = None
    #: The site the letter comes from (None: none could be named); kept with the letter.
    site_id: uuid.UUID | None = None
    episode_started: date | None = None
    episode_ended: date | None = None
    end_reason: str = ""
    pathway: str = ""
    attendances: tuple[str, ...] = ()
    assessments: tuple[Quoted, ...] = ()
    red_flags: tuple[RedFlagFact, ...] = ()
    scores: tuple[ScoreFact, ...] = ()
    decisions: tuple[Quoted, ...] = ()
    procedures: tuple[Quoted, ...] = ()
    reports: tuple[ReportFact, ...] = ()
    allergies: tuple[str, ...] = ()
    safety_alerts: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    referrer: str = ""
    provider: str = ""
    plan: str = ""


@dataclass(frozen=True)
class SectionText:
    """One section of a letter as it reads; ``filled`` False when it states it is empty."""

    key: str
    title: str
    text: str
    mandatory: bool
    filled: bool = True


# ---------------------------------------------------------------- words of facts


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def day(value: date | None) -> str:
    """A date as a letter writes it (3 March 2025), "" for none."""
    return f"{value.day} {value:%B %Y}" if value is not None else ""


def final_reports(facts: LetterFacts) -> tuple[ReportFact, ...]:
    """The scan reports a letter may quote: final ones only, whatever it was handed."""
    return tuple(report for report in facts.reports if report.final)


def score_words(score: ScoreFact) -> str:
    """E.g. "MSK-HQ: 22 at the start, 34 now; improved by at least the minimal ..."."""
    if score.latest is None:
        return f"{score.questionnaire}: not complete."
    if score.baseline is None:
        return f"{score.questionnaire}: {score.latest}."
    moved = score.latest - score.baseline
    said = f"{score.questionnaire}: {score.baseline} at the start, {score.latest} now ({moved:+d})"
    if score.mic is None:
        return f"{said}."
    size = f"{score.mic:g}"
    if score.change == "improved":
        return f"{said}; an important improvement (at least {size} points)."
    if score.change == "worsened":
        return f"{said}; an important worsening (at least {size} points)."
    return f"{said}; less than the {size} points that count as an important change."


def patient_score_words(score: ScoreFact) -> str:
    """A score as the patient reads it: where it started, where it is, what that means."""
    if score.latest is None or score.baseline is None:
        return ""
    better = (score.latest > score.baseline) == score.higher_is_better
    said = f"{score.questionnaire}: your score went from {score.baseline} to {score.latest}."
    if score.change == "improved":
        return f"{said} This is a real improvement."
    if score.change == "worsened":
        return f"{said} This means things have got worse. Please talk to us about it."
    if score.latest == score.baseline:
        return f"{said} It has not changed."
    return f"{said} It is a little {'better' if better else 'worse'}, but only a small change."


def red_flag_words(flags: Sequence[RedFlagFact]) -> str:
    """The red-flag screening outcome in one paragraph."""
    if not flags:
        return "No red-flag screening recorded."
    lines = []
    for flag in flags:
        if flag.level == "clear":
            lines.append(f"{flag.screen}: no red flags found.")
        elif flag.action:
            lines.append(f"{flag.screen}: {flag.level}; action: {flag.action}.")
        else:
            lines.append(f"{flag.screen}: {flag.level}; no action recorded yet.")
    return "\n".join(lines)


def _quoted(items: Sequence[Quoted]) -> str:
    return "\n\n".join(f"{item.heading}\n{item.text}" for item in items)


def _reports(facts: LetterFacts) -> str:
    return "\n\n".join(f"{report.title}\n{report.text}".strip() for report in final_reports(facts))


def _attendance(facts: LetterFacts) -> str:
    seen = (
        f"Episode of care from {day(facts.episode_started)}"
        + (f" to {day(facts.episode_ended)}" if facts.episode_ended else "")
        + "."
        if facts.episode_started
        else ""
    )
    return _lines(
        seen,
        f"Seen at {facts.site} by {facts.clinician}." if facts.site else "",
        "\n".join(facts.attendances),
    )


def _demographics(facts: LetterFacts) -> str:
    return _lines(
        facts.patient_name,
        f"NHS number {facts.nhs_number}" if facts.nhs_number else "NHS number not recorded",
        f"Born {day(facts.date_of_birth)}",
        facts.address,
    )


def _gp(facts: LetterFacts) -> str:
    if facts.gp_name is None:
        return ""
    return _lines(facts.gp_name, facts.gp_address, f"ODS code {facts.gp_ods}")


def _summary(facts: LetterFacts) -> str:
    parts = []
    if facts.kind is LetterKind.GP_DISCHARGE and facts.episode_ended:
        reason = f": {facts.end_reason}" if facts.end_reason else ""
        parts.append(f"Discharged on {day(facts.episode_ended)}{reason}.")
    if facts.kind in {LetterKind.ONWARD_REFERRAL, LetterKind.GP_REFERRAL_NOTICE}:
        parts.append(
            f"Referred on to {facts.provider}, the provider the patient chose."
            if facts.provider
            else "Referred on; the provider is not recorded yet."
        )
    # The summary names the diagnosis; its reasoning is under Diagnoses.
    parts += [item.text.splitlines()[0] for item in facts.assessments if item.text.strip()]
    parts.append("Red-flag screening: " + red_flag_words(facts.red_flags))
    return "\n".join(parts)


def _diagnosis(facts: LetterFacts) -> str:
    return _quoted(facts.assessments)


def _distribution(facts: LetterFacts) -> str:
    copies = ["The patient"]
    if facts.kind is LetterKind.ONWARD_REFERRAL:
        copies.append(facts.gp_name or "No GP practice recorded")
    return "Copy to: " + "; ".join(copies)


def _prsb_texts(facts: LetterFacts) -> dict[str, str]:
    scores = "\n".join(score_words(score) for score in facts.scores)
    return {
        "patient_demographics": _demographics(facts),
        "gp_practice": _gp(facts),
        "attendance_details": _attendance(facts),
        "clinical_summary": _summary(facts),
        "allergies": "\n".join(facts.allergies),
        "person_completing_record": _lines(facts.clinician, facts.site),
        "diagnoses": _diagnosis(facts),
        "problems_and_issues": "",
        "procedures": _quoted(facts.procedures),
        "history": "",
        "plan_and_requested_actions": _lines(facts.plan, _quoted(facts.decisions)),
        "information_and_advice_given": "",
        "individual_requirements": "\n".join(facts.needs),
        "safety_alerts": "\n".join(facts.safety_alerts),
        "referrer_details": facts.referrer,
        "distribution_list": _distribution(facts),
        "assessment_scales": scores,
        "examination_findings": "",
        "investigation_results": _reports(facts),
        "medications": "",
    }


def assemble(facts: LetterFacts, headings: Sequence[Heading]) -> tuple[SectionText, ...]:
    """The letter's sections, in order, from the facts.

    A PRSB letter has every mandatory heading, an empty one stated in words; optional
    headings appear only when they say something. A letter to the patient has its own
    plain-English sections, actions first.
    """
    if facts.kind is LetterKind.PATIENT:
        return patient_sections(facts)
    texts = _prsb_texts(facts)
    sections: list[SectionText] = []
    for heading in headings:
        words = texts.get(heading.key, "").strip()
        if words:
            sections.append(SectionText(heading.key, heading.title, words, heading.mandatory))
        elif heading.mandatory or heading.shown_empty:
            sections.append(
                SectionText(
                    heading.key, heading.title, heading.empty, heading.mandatory, filled=False
                )
            )
    return tuple(sections)


def patient_sections(facts: LetterFacts) -> tuple[SectionText, ...]:
    """A letter to the patient ("Please, write to me"): to them, "you", actions first."""
    found = "\n\n".join(item.text for item in facts.assessments)
    done = "\n\n".join(item.text for item in facts.procedures)
    chose = "\n\n".join(item.text for item in facts.decisions)
    scans = "\n\n".join(report.text for report in final_reports(facts))
    scores = "\n".join(filter(None, (patient_score_words(score) for score in facts.scores)))
    gp = (
        f"A copy of this letter goes to your GP practice, {facts.gp_name}."
        if facts.gp_name
        else "We have no GP practice on your record. Please tell us who your GP is."
    )
    parts = (
        ("actions", "What you need to do", facts.plan or "No care plan recorded."),
        ("found", "What we found", found),
        ("done", "What we did", done),
        ("decided", "What you decided", chose),
        ("scans", "Your scan results", scans),
        ("scores", "Your questionnaire scores", scores),
        (
            "come_back",
            "When and how to come back",
            f"If your symptoms change or you are worried, call us on {facts.site_phone} or"
            " contact your GP."
            if facts.site_phone
            else "If your symptoms change or you are worried, contact the MSK service or your GP.",
        ),
        ("copies", "Who else gets this letter", gp),
    )
    return tuple(
        SectionText(key, title, words.strip(), key in {"actions", "copies"})
        for key, title, words in parts
        if words.strip()
    )


def greeting(kind: str, given_name: str) -> str:
    """How the letter opens, by who it is to."""
    if kind == LetterKind.PATIENT:
        return f"Dear {given_name}," if given_name else "Dear patient,"
    if kind == LetterKind.ONWARD_REFERRAL:
        return "Dear colleague,"
    return "Dear Doctor,"


#: The recipient of a referral letter drafted without the provider the patient chose.
NO_PROVIDER = "Provider not recorded"


def recipient(facts: LetterFacts) -> str:
    """Who the letter is addressed to, in words (the GP practice flagged when none)."""
    if facts.kind is LetterKind.PATIENT:
        return _lines(facts.patient_name, facts.address)
    if facts.kind is LetterKind.ONWARD_REFERRAL:
        return facts.provider or NO_PROVIDER
    return _gp(facts) or "No GP practice recorded"


# ---------------------------------------------------------------- sign checks


def empty_mandatory(sections: Sequence[SectionText], headings: Sequence[Heading]) -> list[str]:
    """The keys of mandatory PRSB headings that are missing or have no words."""
    present = {section.key: section.text.strip() for section in sections}
    return [
        heading.key for heading in headings if heading.mandatory and not present.get(heading.key)
    ]


# ---------------------------------------------------------------- readability


@dataclass(frozen=True)
class ReadingWarning:
    """A paragraph of a letter to the patient that reads above the target grade."""

    section: str
    paragraph: int
    grade: float
    target: float


def reading_warnings(sections: Sequence[SectionText], target: float) -> list[ReadingWarning]:
    """Each paragraph (blank-line separated) reading above ``target`` (Flesch-Kincaid)."""
    warnings: list[ReadingWarning] = []
    for section in sections:
        for index, paragraph in enumerate(re.split(r"\n\s*\n", section.text)):
            found = grade([paragraph])
            if found is not None and found > target:
                warnings.append(ReadingWarning(section.key, index, round(found, 1), target))
    return warnings


# ---------------------------------------------------------------- letters due


class DueReason(StrEnum):
    """Why a letter is due."""

    DISCHARGE = "discharge"
    ONWARD_REFERRAL = "onward_referral"


@dataclass(frozen=True)
class DueClock:
    """Where a letter stands against its target on ``today``.

    ``days_left`` counts working days for a discharge and calendar days for the GP notice
    of an onward referral; below zero once breached (the target day itself is not a
    breach).
    """

    due_on: date
    days_left: int
    working_days: bool
    breached: bool


def due_clock(reason: DueReason, since: date, today: date, target: int) -> DueClock:
    """The clock of a letter due since ``since`` with a target of ``target`` days."""
    if reason is DueReason.DISCHARGE:
        due_on = add_working_days(since, target)
        return DueClock(due_on, working_days_between(today, due_on), True, today > due_on)
    due_on = since + timedelta(days=target)
    return DueClock(due_on, (due_on - today).days, False, today > due_on)
