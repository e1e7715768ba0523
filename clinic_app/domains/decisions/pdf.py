"""The take-home summary of a shared decision: the options and their numbers, and the choice.

The options are printed with every number as "x in 100 people" and its icon array, drawn from
the same description as the screen's (``content.icon_array``): ten rows of ten figures, the
people the number is about filled, everyone else an outline. Then what mattered most to the
patient, what they chose and why in their own words (or that they have not decided yet), next
steps and where to read more. A large-print variant (17 pt body text, larger figures) is
printed for a patient whose record asks for large print.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from clinic_app.domains.decisions.content import (
    UNDECIDED,
    DecisionAid,
    IconArray,
    Option,
    Source,
    icon_array,
    in_100_words,
)
from clinic_app.kernel import pdf_kit
from clinic_app.kernel.pdf_kit import (
    NHS_BLUE,
    RULE_GREY,
    TEXT,
    TEXT_WIDTH,
    day_words,
    patient_band,
    patient_words,
)

#: The filled figures of a benefit and of a risk; the same colours as on screen.
BENEFIT_COLOUR = colors.HexColor("#005EB8")
RISK_COLOUR = colors.HexColor("#B35900")
#: Everyone else: an outline, so that the number reads in black and white too.
OUTLINE_COLOUR = colors.HexColor("#768692")

#: How many of the patient's most important statements are printed.
TOP_MATTERS = 3

_UNDECIDED_WORDS = "Not decided yet: you will think about it."


@dataclass(frozen=True)
class TakeHome:
    """What the patient takes home, beside the aid itself.

    Attributes:
        patient_name: as printed on every page ("FAMILY, Given").
        nhs_number: formatted, or "".
        date_of_birth: beside the name on every page.
        on: the day of the conversation.
        options_discussed: the option ids talked about (all the aid's, when empty).
        ratings: statement id -> 0..10, as the patient rated them.
        choice: an option id, ``UNDECIDED``, or None (nothing chosen yet).
        choice_words: why, in the patient's own words.
        questions: the patient's questions, to bring next time.
        clinician: who they talked it through with ("" when not known).
        aid_version: the aid's version the conversation used ("" for the one printed).
        draft: the record is not signed yet: every page says so, and nothing is promised.
        replaced_on: the day a later decision replaced this one (the patient changed their
            mind), or None: a replaced one says so above the choice and promises nothing.
    """

    patient_name: str
    nhs_number: str
    date_of_birth: date
    on: date
    options_discussed: tuple[str, ...] = ()
    ratings: Mapping[str, int] = field(default_factory=dict)
    choice: str | None = None
    choice_words: str = ""
    questions: str = ""
    clinician: str = ""
    aid_version: str = ""
    draft: bool = False
    replaced_on: date | None = None


@dataclass(frozen=True)
class _Sizes:
    body: float
    leading: float
    heading: float
    title: float
    small: float
    figures: float
    """The side of an icon array (points)."""


_REGULAR = _Sizes(body=12, leading=16, heading=15, title=19, small=10, figures=34 * mm)
_LARGE = _Sizes(body=17, leading=22, heading=21, title=25, small=14, figures=46 * mm)


class IconArrayDrawing(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """An icon array as printed: the people of ``array`` in a square ``side`` points wide."""

    def __init__(self, array: IconArray, colour: colors.Color, side: float) -> None:
        super().__init__()
        self.array = array
        self.colour = colour
        self.side = side

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        """As large as asked, whatever the room (reportlab moves it to the next page)."""
        return self.side, self.side

    def draw(self) -> None:
        """The figures, row by row from the top left, the filled ones first."""
        canvas = self.canv
        array = self.array
        cell = self.side / max(array.columns, array.rows)
        filled_form = _figure_form(canvas, self.colour)
        outline_form = _figure_form(canvas, None)
        for index, filled in enumerate(array.cells):
            row, column = divmod(index, array.columns)
            # Row 0 is the top row: reportlab counts up from the bottom.
            canvas.saveState()
            canvas.transform(cell, 0, 0, cell, column * cell, self.side - (row + 1) * cell)
            canvas.doForm(filled_form if filled else outline_form)
            canvas.restoreState()


def _figure_form(canvas: Any, colour: colors.Color | None) -> str:
    """One figure in a unit square, kept once in the PDF and drawn 100 times an array.

    ``colour`` None is the outline figure. The drawing is the screen's: a round head over
    rounded shoulders, inset a little from the cell's edge.
    """
    name = "sdmFigureOutline" if colour is None else f"sdmFigure{colour.hexval()[2:]}"
    if canvas.hasForm(name):
        return name
    canvas.beginForm(name, 0, 0, 1, 1)
    inset = 0.06
    size = 1 - 2 * inset
    canvas.setLineWidth(size * 0.07)
    canvas.setFillColor(colors.white if colour is None else colour)
    canvas.setStrokeColor(OUTLINE_COLOUR if colour is None else colour)
    centre = inset + size / 2
    canvas.circle(centre, inset + size * 0.76, size * 0.17, stroke=1, fill=1)
    canvas.roundRect(
        centre - size * 0.28,
        inset + size * 0.08,
        size * 0.56,
        size * 0.46,
        size * 0.2,
        stroke=1,
        fill=1,
    )
    canvas.endForm()
    return name


#: Said at the top of a summary printed before the record is signed.
DRAFT_WORDS = (
    "DRAFT: this has not been agreed and recorded with your clinician yet. Nothing is "
    "arranged from it."
)
_DRAFT_STEPS = (
    "Your clinician will go through this with you and record what you decide together. Until "
    "then nothing is arranged.",
)
_REPLACED_STEPS = (
    "Nothing is arranged from this decision any more: the later one says what happens next.",
)


def _choice_words(aid: DecisionAid, choice: str | None) -> str:
    if choice is None or choice == UNDECIDED:
        return _UNDECIDED_WORDS
    for option in aid.options:
        if option.id == choice:
            return option.title
    return _UNDECIDED_WORDS


def _next_steps(aid: DecisionAid, choice: str | None) -> list[str]:
    """Plain next steps for the choice made; never clinical advice beyond the aid's words."""
    chosen = next((option for option in aid.options if option.id == choice), None)
    steps: list[str]
    if chosen is None:
        steps = [
            "Take the time you need. Read this summary again and talk it over with the people "
            "close to you.",
            "When you have decided, or if you have more questions, contact the clinic.",
        ]
    elif chosen.kind == "treatment":
        steps = [
            f"Your clinician will arrange the next step for: {chosen.title}.",
            "You can change your mind at any time before it happens: contact the clinic.",
        ]
    elif chosen.kind == "self_management":
        steps = [
            f"Keep going with: {chosen.title}.",
            "If things get worse or you want to think again about the other options, "
            "contact the clinic.",
        ]
    else:
        steps = [
            "Nothing is arranged for now.",
            "If things change, or you want to think again about the options, contact the clinic.",
        ]
    return steps


class _Summary:
    """The summary's styles and parts, for one aid and one patient."""

    def __init__(self, aid: DecisionAid, home: TakeHome, sizes: _Sizes) -> None:
        self.aid = aid
        self.home = home
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
            spaceAfter=6,
        )
        self.heading = ParagraphStyle(
            "heading",
            parent=self.strong,
            fontSize=sizes.heading,
            leading=sizes.heading * 1.25,
            spaceBefore=10,
            textColor=NHS_BLUE,
            keepWithNext=1,
        )
        self.option_heading = ParagraphStyle(
            "option", parent=self.heading, textColor=TEXT, fontSize=sizes.heading * 0.9
        )
        self.small = ParagraphStyle(
            "small", parent=self.body, fontSize=sizes.small, leading=sizes.small * 1.3
        )

    def para(self, words: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(pdf_kit.text(words), style or self.body)

    def numbers(self, option: Option) -> list[Any]:
        """Each outcome of ``option``: its icon array, and its number in words beside it."""
        side = self.sizes.figures
        rows: list[list[Any]] = []
        for outcome in sorted(option.outcomes, key=lambda o: 0 if o.kind == "benefit" else 1):
            colour = RISK_COLOUR if outcome.kind == "risk" else BENEFIT_COLOUR
            words = [
                self.para("Benefit" if outcome.kind == "benefit" else "Risk", self.small),
                self.para(in_100_words(outcome.per_100, outcome.text), self.strong),
                self.para(outcome.time_frame.capitalize()),
            ]
            rows.append([IconArrayDrawing(icon_array(outcome.per_100), colour, side), words])
        if not rows:
            return [self.para("No numbers are known for this option: ask your clinician.")]
        table = Table(rows, colWidths=[side + 6 * mm, TEXT_WIDTH - side - 6 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE_GREY),
                    ("TOPPADDING", (0, 1), (-1, -1), 6),
                ]
            )
        )
        return [table]

    def option_part(self, option: Option, discussed: bool) -> list[Any]:
        """One option: what it involves, its answers to the patient's questions, its numbers."""
        facts = [
            ("What it involves", option.involves),
            ("Recovery", option.recovery),
            ("Time off work", option.time_off_work),
        ]
        # The grid's rows often ask what the fixed parts already say: those answers once.
        said = {" ".join(words.split()).casefold() for _label, words in facts}
        for row in self.aid.rows:
            words = option.answers.get(row.id, "")
            if " ".join(words.split()).casefold() not in said:
                facts.append((row.text, words))
        lines: list[Any] = [self.para(option.title, self.option_heading)]
        if not discussed:
            lines.append(self.para("(We did not talk about this option today.)", self.small))
        lines += [
            Paragraph(f"<b>{pdf_kit.text(label)}</b> {pdf_kit.text(words)}", self.body)
            for label, words in facts
            if words.strip()
        ]
        numbers = self.numbers(option)
        if not option.outcomes:
            # "No numbers known" belongs with the option it is about.
            return [KeepTogether([*lines, *numbers])]
        return [KeepTogether(lines), *numbers]

    def opening(self) -> list[Any]:
        """The aid's title, the day and who with, and the question."""
        aid, home = self.aid, self.home
        when = f"Talked through on {day_words(home.on)}"
        if home.clinician:
            when += f" with {home.clinician}"
        flow = [
            self.para(f"Your decision: {aid.title}", self.title),
            self.para(when + ".", self.small),
        ]
        if home.draft:
            flow.append(self.para(DRAFT_WORDS, self.strong))
        if home.aid_version and home.aid_version != aid.version:
            # Only the aid's current version is kept: say so rather than print other numbers
            # as if they were the ones talked through.
            flow.append(
                self.para(
                    f"Your conversation used version {home.aid_version} of this decision aid. "
                    f"It has been updated since: the information below is from version "
                    f"{aid.version}, and some numbers may differ from the ones you talked "
                    "about. Ask your clinician if you have questions.",
                    self.strong,
                )
            )
        flow.append(self.para(aid.question, self.heading))
        return flow

    def options(self) -> list[Any]:
        """The condition in brief, then every option with its numbers and icon arrays."""
        aid, home = self.aid, self.home
        flow: list[Any] = [self.para("About your condition", self.heading)]
        flow += [self.para(sentence) for sentence in aid.condition]
        discussed = set(home.options_discussed or aid.option_ids)
        parts = [self.option_part(option, option.id in discussed) for option in aid.options]
        # The heading and its note never stand alone at the foot of a page; the note on the
        # pictures only where there are pictures.
        first, *rest = parts[0]
        heading: list[Any] = [self.para("Your options", self.heading)]
        if any(option.outcomes for option in aid.options):
            heading.append(
                self.para(
                    "Each picture shows 100 people like you. The filled figures are the "
                    "people the words are about; the outlined figures are everyone else.",
                    self.small,
                )
            )
        flow.append(KeepTogether([*heading, first]))
        flow += rest
        for part in parts[1:]:
            flow += part
        return flow

    def the_patients_part(self) -> list[Any]:
        """What they chose and why, what mattered most, their questions, next steps."""
        aid, home = self.aid, self.home
        chose: list[Any] = [self.para("What you chose", self.heading)]
        if home.replaced_on is not None:
            chose.append(
                self.para(
                    "This decision was replaced: you changed your mind on "
                    f"{pdf_kit.day_words(home.replaced_on)}, and a later decision was recorded. "
                    "Go by that one.",
                    self.strong,
                )
            )
        chose.append(self.para(_choice_words(aid, home.choice), self.strong))
        if home.choice_words.strip():
            chose.append(self.para("Why, in your words:"))
            chose.append(self.para(home.choice_words.strip()))
        flow: list[Any] = [KeepTogether(chose)]
        rated = [
            (matter.text, home.ratings[matter.id])
            for matter in aid.matters
            if home.ratings.get(matter.id, 0) > 0
        ]
        rated.sort(key=lambda pair: -pair[1])
        mattered: list[Any] = [self.para("What matters most to you", self.heading)]
        mattered += [
            self.para(f"{words}: {rating} out of 10") for words, rating in rated[:TOP_MATTERS]
        ]
        if not rated:
            mattered.append(self.para("You did not rate what matters to you this time."))
        flow.append(KeepTogether(mattered))
        if home.questions.strip():
            flow.append(self.para("Your questions", self.heading))
            flow.append(self.para(home.questions.strip()))
        steps = [
            self.para(step)
            for step in (
                _REPLACED_STEPS
                if home.replaced_on is not None
                else _DRAFT_STEPS
                if home.draft
                else _next_steps(aid, home.choice)
            )
        ]
        flow.append(KeepTogether([self.para("Next steps", self.heading), *steps]))
        return flow

    def closing(self) -> list[Any]:
        """Where to read more, and where the numbers come from."""
        aid = self.aid
        flow: list[Any] = []
        if aid.further_reading:
            flow.append(self.para("Where to read more", self.heading))
            flow += [
                Paragraph(
                    f"{pdf_kit.text(reading.title)}: "
                    f'<link href="{pdf_kit.text(reading.url)}" color="#005EB8">'
                    f"{pdf_kit.text(reading.url)}</link>",
                    self.body,
                )
                for reading in aid.further_reading
            ]
        flow.append(self.para("Where the numbers come from", self.heading))
        flow += [self.para(_source_line(source), self.small) for source in aid.sources]
        flow.append(Spacer(1, 4))
        flow.append(
            self.para(
                f"Decision aid: {aid.title}, version {aid.version}, written "
                f"{day_words(aid.written)}, to be reviewed by {day_words(aid.review_by)}. "
                f"{aid.licence}",
                self.small,
            )
        )
        return flow

    def story(self) -> list[Any]:
        return [*self.opening(), *self.the_patients_part(), *self.options(), *self.closing()]

    def decorate(self, canvas: Any, page: int, pages: int) -> None:
        """The patient named at the head and foot of every page, and the page number."""
        home = self.home
        who = patient_words(home.patient_name, home.date_of_birth, home.nhs_number)
        patient_band(
            canvas,
            self.fonts,
            who,
            head_right="Your decision: DRAFT" if home.draft else "Your decision",
            foot_right=f"Page {page} of {pages}",
            size=self.sizes.small,
            right_size=self.sizes.small,
        )


def take_home_pdf(aid: DecisionAid, home: TakeHome, *, large_print: bool = False) -> bytes:
    """The take-home summary on A4; every page names the patient.

    ``large_print`` for a patient whose record asks for information in large print.
    """
    summary = _Summary(aid, home, _LARGE if large_print else _REGULAR)
    return pdf_kit.render_pdf(
        summary.story,
        summary.decorate,
        top=22 * mm,
        bottom=20 * mm,
        title=f"Your decision: {aid.title}",
        author="OneStop MSK",
    )


def _source_line(source: Source) -> str:
    """A source as the summary lists it: its citation, then the people it studied.

    The year is added only when the citation does not already give it.
    """
    citation = source.citation.rstrip()
    if str(source.year) not in citation:
        citation = f"{citation.rstrip('.')} ({source.year})."
    return f"{citation} {source.population}."
