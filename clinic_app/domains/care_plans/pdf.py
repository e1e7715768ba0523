"""The patient's own copy of their care plan: addressed to them, their goals first.

Written to the patient ("you") in plain words: their goals in their own words, what will be
done and by whom, what matters to them, how to manage and when to get help (with the warning
signs chosen for them, boxed), support they can use, how to get back in touch and until when,
the review date and whether the GP gets a copy. Large print (17 pt body text) for a patient
whose record asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from clinic_app.domains.care_plans.content import SafetyNet
from clinic_app.kernel import pdf_kit
from clinic_app.kernel.pdf_kit import (
    EMERGENCY_RED,
    NHS_BLUE,
    PALE_RED,
    TEXT,
    TEXT_WIDTH,
    day_words,
    patient_band,
    patient_words,
)


@dataclass(frozen=True)
class CopyAction:
    """One action as the patient reads it."""

    what: str
    who: str
    by: date | None


@dataclass(frozen=True)
class PlanCopy:
    """Everything the patient's copy prints, in words already (no ids).

    Attributes:
        patient_name: "FAMILY, Given", on every page.
        nhs_number: formatted, or "".
        date_of_birth: beside the name on every page.
        clinician: who made the plan with them.
        made_on: the day it was signed (or started, for a draft).
        final: False for a draft (every page says so).
        goals: their goals in their own words.
        actions: what, who and by when.
        pifu_months: the window offered (None: none).
        pifu_ends_on: the window's last day, once signed.
        consent_to_gp: True, False, or None (not asked).
        needs: the format and language notes, in words.
    """

    patient_name: str
    nhs_number: str
    date_of_birth: date
    clinician: str
    made_on: date
    final: bool
    goals: tuple[str, ...]
    actions: tuple[CopyAction, ...]
    what_matters: str
    strengths: str
    conditions: tuple[str, ...]
    treatments: tuple[tuple[str, str], ...]
    self_management: str
    flare_plan: str
    seek_help: str
    safety_nets: tuple[SafetyNet, ...]
    support: tuple[str, ...]
    named_contact: str
    contact_route: str
    pifu_months: int | None
    pifu_ends_on: date | None
    review_on: date | None
    consent_to_gp: bool | None
    needs: tuple[str, ...]
    large_print: bool


@dataclass(frozen=True)
class _Sizes:
    body: float
    leading: float
    heading: float
    title: float
    small: float


_REGULAR = _Sizes(body=12, leading=16, heading=15, title=20, small=10)
_LARGE = _Sizes(body=17, leading=23, heading=21, title=26, small=14)


class _Copy:
    """The copy's styles and parts."""

    def __init__(self, copy: PlanCopy) -> None:
        self.copy = copy
        sizes = _LARGE if copy.large_print else _REGULAR
        self.sizes = sizes
        self.fonts = pdf_kit.document_fonts()
        self.body = ParagraphStyle(
            "body",
            fontName=self.fonts.regular,
            fontSize=sizes.body,
            leading=sizes.leading,
            textColor=TEXT,
            spaceAfter=4,
        )
        self.strong = ParagraphStyle("strong", parent=self.body, fontName=self.fonts.bold)
        self.title = ParagraphStyle(
            "title",
            parent=self.strong,
            fontSize=sizes.title,
            leading=sizes.title * 1.25,
            textColor=NHS_BLUE,
            spaceAfter=4,
        )
        self.heading = ParagraphStyle(
            "heading",
            parent=self.strong,
            fontSize=sizes.heading,
            leading=sizes.heading * 1.25,
            spaceBefore=12,
            spaceAfter=4,
            textColor=NHS_BLUE,
            keepWithNext=1,
        )
        self.small = ParagraphStyle(
            "small", parent=self.body, fontSize=sizes.small, leading=sizes.small * 1.3
        )
        self.warning = ParagraphStyle(
            "warning", parent=self.heading, textColor=EMERGENCY_RED, spaceBefore=0
        )

    def para(self, words: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(pdf_kit.text(words), style or self.body)

    def bullets(self, lines: list[str], style: ParagraphStyle | None = None) -> ListFlowable:
        return ListFlowable(
            [ListItem(self.para(line, style)) for line in lines],
            bulletType="bullet",
            start="\u2022",
            bulletFontName=self.fonts.regular,
            bulletFontSize=self.sizes.body,
            leftIndent=self.sizes.body * 1.2,
        )

    def part(self, heading: str, *flow: Any) -> list[Any]:
        """A heading kept with what follows it."""
        return [KeepTogether([self.para(heading, self.heading), *flow])]

    def opening(self) -> list[Any]:
        copy = self.copy
        made = f"Made with {copy.clinician}" if copy.clinician else "Made with your clinician"
        flow: list[Any] = [
            self.para("Your care and support plan", self.title),
            self.para(f"{made} on {day_words(copy.made_on)}.", self.small),
        ]
        if not copy.final:
            flow.append(
                self.para(
                    "This is a draft: it is not agreed yet and may still change.", self.strong
                )
            )
        # The format and language they need come before anything they might not read.
        flow += [self.para(note, self.strong) for note in copy.needs]
        return flow

    def goals(self) -> list[Any]:
        goals = list(self.copy.goals) or ["You have not set a goal yet."]
        return self.part(
            "Your goals, in your words",
            self.bullets([f"\u201c{goal}\u201d" if self.copy.goals else goal for goal in goals]),
        )

    def actions(self) -> list[Any]:
        if not self.copy.actions:
            return []
        lines = []
        for action in self.copy.actions:
            line = action.what
            extra = [
                part for part in (action.who, action.by and f"by {day_words(action.by)}") if part
            ]
            if extra:
                line += f" ({', '.join(str(part) for part in extra)})"
            lines.append(line)
        return self.part("What will be done, by whom and when", self.bullets(lines))

    def words_parts(self) -> list[Any]:
        copy = self.copy
        flow: list[Any] = []
        for heading, words in (
            ("What matters to you", copy.what_matters),
            ("Your strengths and the support you have", copy.strengths),
            ("Looking after yourself day to day", copy.self_management),
            ("If you have a flare-up", copy.flare_plan),
            ("When to get help", copy.seek_help),
        ):
            if words.strip():
                flow += self.part(heading, self.para(words.strip()))
        return flow

    def safety_net(self, net: SafetyNet) -> list[Any]:
        """The warning signs, boxed in red.

        A row a line, so a long box (large print) goes on over the page rather than leave
        half a page empty before it.
        """
        signs = [[self.bullets([sign])] for sign in net.signs]
        steps = [[self.bullets([step], self.strong)] for step in net.do]
        rows = [
            [self.para(net.title, self.warning)],
            [self.para(net.about)],
            [self.para("Warning signs:", self.strong)],
            *signs,
            [self.para("What to do:", self.strong)],
            *steps,
        ]
        what_to_do = 3 + len(signs)
        box = Table(rows, colWidths=[TEXT_WIDTH])
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.5, EMERGENCY_RED),
                    ("BACKGROUND", (0, 0), (-1, -1), PALE_RED),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, 0), 8),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                    # The title is never parted from the first sign, nor "What to do" from
                    # its steps.
                    ("NOSPLIT", (0, 0), (-1, 3)),
                    ("NOSPLIT", (0, what_to_do), (-1, -1)),
                ]
            )
        )
        return [Spacer(1, 8), box]

    def history(self) -> list[Any]:
        copy = self.copy
        flow: list[Any] = []
        if copy.conditions:
            flow += self.part("Your long-term conditions", self.bullets(list(copy.conditions)))
        if copy.treatments:
            lines = [
                f"{treatment}: {outcome}" if outcome else treatment
                for treatment, outcome in copy.treatments
            ]
            flow += self.part("Treatments you have tried, and how they went", self.bullets(lines))
        if copy.support:
            flow += self.part("Support you can use", self.bullets(list(copy.support)))
        return flow

    def way_back(self) -> list[Any]:
        copy = self.copy
        lines: list[Any] = []
        if copy.named_contact:
            lines.append(self.para(f"Your contact: {copy.named_contact}", self.strong))
        if copy.contact_route.strip():
            lines.append(self.para(copy.contact_route.strip()))
        if copy.pifu_ends_on is not None:
            lines.append(
                self.para(
                    f"You can book an appointment with us yourself, without going back to your "
                    f"GP, until {day_words(copy.pifu_ends_on)}. After that, ask your GP if you "
                    "need us again.",
                )
            )
        elif copy.pifu_months:
            months = f"{copy.pifu_months} month{'s' if copy.pifu_months != 1 else ''}"
            lines.append(
                self.para(
                    f"You will be able to book an appointment with us yourself for {months} "
                    "from the day this plan is agreed."
                )
            )
        if not lines:
            return []
        return self.part("Getting back in touch with us", *lines)

    def closing(self) -> list[Any]:
        copy = self.copy
        flow: list[Any] = []
        if copy.review_on is not None:
            flow += self.part(
                "Your next review",
                self.para(f"We will look at this plan again by {day_words(copy.review_on)}."),
            )
        if copy.consent_to_gp is True:
            sharing = "You agreed that we send a copy of this plan to your GP."
        elif copy.consent_to_gp is False:
            sharing = "You asked us not to send this plan to your GP. We will not send it."
        else:
            sharing = "We have not yet asked whether you want your GP to have a copy."
        flow += self.part("Sharing with your GP", self.para(sharing))
        return flow

    def story(self) -> list[Any]:
        # The goals come first, in the patient's words; the warning signs straight after
        # what is to be done, before everything that can wait.
        flow = [*self.opening(), *self.goals(), *self.actions()]
        for net in self.copy.safety_nets:
            flow += self.safety_net(net)
        return [*flow, *self.words_parts(), *self.history(), *self.way_back(), *self.closing()]

    def decorate(self, canvas: Any, page: int, pages: int) -> None:
        copy = self.copy
        who = patient_words(copy.patient_name, copy.date_of_birth, copy.nhs_number)
        right = "Your care plan" if copy.final else "Your care plan - DRAFT"
        patient_band(
            canvas,
            self.fonts,
            who,
            head_right=right,
            foot_right=f"Page {page} of {pages}",
            size=self.sizes.small,
            right_size=self.sizes.small,
        )


def care_plan_pdf(copy: PlanCopy) -> bytes:
    """The patient's copy on A4; every page names the patient."""
    parts = _Copy(copy)
    return pdf_kit.render_pdf(
        parts.story,
        parts.decorate,
        top=22 * mm,
        bottom=20 * mm,
        title="Your care and support plan",
        author="OneStop MSK",
    )
