"""The care plan's form, turned towards the patient: their words, in large type."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.care_plans.content import SafetyNets, SupportServices
from clinic_app.domains.care_plans.rules import PifuRules
from clinic_app.domains.care_plans.views import (
    CarePlanInput,
    PlanAction,
    SupportChoice,
    TreatmentTried,
)
from ui.common.form_parts import NotValid, YesNo, choose, date_text, read_date, wrapped_tick
from ui.common.widgets import FormField, label
from ui.domains.care_plans.plan.parts import PATIENT_FACING_STYLE, RowList

#: Who answered the question about sharing with the GP, as the record names them.
GIVER_WORDS = {"patient": "The patient", "representative": "Someone acting for them"}


def _text_box(height: int = 76) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


def _heading(text: str) -> QWidget:
    made = label(text, "heading", wrap=True)
    made.setTextFormat(Qt.TextFormat.PlainText)
    return made


class CarePlanPage(QWidget):
    """Every part of the plan, top to bottom in the order it is talked through."""

    changed = Signal()
    rows_changed = Signal()

    def __init__(
        self,
        nets: SafetyNets,
        services: SupportServices,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("carePlanPage")
        self.setStyleSheet(PATIENT_FACING_STYLE)
        self._nets = nets
        self._services = services
        #: The words kept with each listed service chosen (shown as ticked, kept as they are).
        self._service_words: dict[str, str] = {}
        self.fields: dict[str, FormField] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 16)
        layout.setSpacing(12)
        self._layout = layout
        self._build_me()
        self._build_actions()
        self._build_managing()
        self._build_support()
        self._build_back_in()
        layout.addStretch(1)

    # ------------------------------------------------------------------ building

    def _field(self, name: str, text: str, editor: QWidget, hint: str | None = None) -> FormField:
        made = FormField(text, editor, hint=hint)
        self.fields[name] = made
        self._layout.addWidget(made)
        return made

    def _side_by_side(self, *fields: FormField) -> None:
        """Short fields next to each other, so more of the plan is in view at once."""
        row = QHBoxLayout()
        row.setSpacing(20)
        for made in fields:
            self._layout.removeWidget(made)
            row.addWidget(made, 1)
        self._layout.addLayout(row)

    def _build_me(self) -> None:
        self._layout.addWidget(_heading(self.tr("About you")))
        self.what_matters = _text_box()
        self._field(
            "what_matters",
            self.tr("What matters to you"),
            self.what_matters,
            self.tr("In the patient's own words: what they want to be able to do again."),
        )
        self.strengths = _text_box()
        self._field(
            "strengths",
            self.tr("Your strengths and the support you have"),
            self.strengths,
            self.tr("What helps: people, things they enjoy, what has worked before."),
        )
        self._side_by_side(self.fields["what_matters"], self.fields["strengths"])
        self.goals = RowList(
            self.tr("Goal"),
            [(self.tr("Goal"), self.tr("In your own words, e.g. walk the dog to the park"))],
            self.tr("Add a goal"),
        )
        self._field(
            "goals",
            self.tr("Your goals"),
            self.goals,
            self.tr("Write each goal as the patient says it."),
        )

    def _build_actions(self) -> None:
        self._layout.addWidget(_heading(self.tr("What happens next")))
        self.action_rows = RowList(
            self.tr("Action"),
            [
                (self.tr("What"), self.tr("What is to be done")),
                (self.tr("Who"), self.tr("Who does it")),
                (self.tr("By when"), self.tr("dd/mm/yyyy")),
            ],
            self.tr("Add an action"),
        )
        self._field("actions", self.tr("Actions: what, who and by when"), self.action_rows)
        self.conditions = RowList(
            self.tr("Condition"),
            [(self.tr("Condition"), self.tr("A long-term condition"))],
            self.tr("Add a condition"),
        )
        self._field("conditions", self.tr("Long-term conditions"), self.conditions)
        self.treatments = RowList(
            self.tr("Treatment"),
            [
                (self.tr("Treatment tried"), self.tr("What was tried")),
                (self.tr("How it went"), self.tr("How it went")),
            ],
            self.tr("Add a treatment tried"),
        )
        self._field("treatments", self.tr("Treatments tried and how they went"), self.treatments)

    def _build_managing(self) -> None:
        self._layout.addWidget(_heading(self.tr("Looking after yourself")))
        self.self_management = _text_box()
        self._field("self_management", self.tr("Managing day to day"), self.self_management)
        self.flare_plan = _text_box()
        self._field("flare_plan", self.tr("What to do in a flare"), self.flare_plan)
        self.seek_help = _text_box()
        self._field("seek_help", self.tr("When to seek help"), self.seek_help)
        self._side_by_side(
            self.fields["self_management"], self.fields["flare_plan"], self.fields["seek_help"]
        )
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.net_ticks: dict[str, QCheckBox] = {}
        for net in self._nets.safety_nets:
            line, tick = wrapped_tick(
                self.tr("{title} (for {who})").format(title=net.title, who=net.applies_to)
            )
            tick.toggled.connect(self.changed)
            self.net_ticks[net.id] = tick
            column.addWidget(line)
            signs = "\n".join(f"• {sign}" for sign in net.signs)
            does = "\n".join(f"• {do}" for do in net.do)
            words = label(
                self.tr("{about}\n{signs}\nWhat to do:\n{does}").format(
                    about=net.about, signs=signs, does=does
                ),
                "hint",
                wrap=True,
            )
            words.setTextFormat(Qt.TextFormat.PlainText)
            words.setObjectName(f"safetyNetWords_{net.id}")
            column.addWidget(words)
        self._field(
            "safety_nets",
            self.tr("Warning signs printed on your copy"),
            box,
            self.tr("Choose the ones that apply; their words are printed as shown."),
        )
        box.setAccessibleName(self.tr("Warning signs printed on your copy"))

    def _build_support(self) -> None:
        self._layout.addWidget(_heading(self.tr("Support")))
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.service_ticks: dict[str, QCheckBox] = {}
        for service in self._services.services:
            line, tick = wrapped_tick(service.name)
            tick.toggled.connect(self.changed)
            self.service_ticks[service.id] = tick
            column.addWidget(line)
        self.other_support = RowList(
            self.tr("Other support"),
            [(self.tr("Other support"), self.tr("A local service, in words"))],
            self.tr("Add other support"),
        )
        column.addWidget(self.other_support)
        self._field("support_services", self.tr("Support services"), box)

    def _build_back_in(self) -> None:
        self._layout.addWidget(_heading(self.tr("Keeping in touch")))
        self.named_contact = QLineEdit()
        self._field("named_contact", self.tr("Your named contact"), self.named_contact)
        self.contact_route = QLineEdit()
        self.contact_route.setPlaceholderText(self.tr("Telephone, email or the booking line"))
        self._field("contact_route", self.tr("How to reach them"), self.contact_route)
        self._side_by_side(self.fields["named_contact"], self.fields["contact_route"])
        self.pifu_months = QComboBox()
        self._field(
            "pifu_months",
            self.tr("Booking straight back (patient-initiated follow-up)"),
            self.pifu_months,
            self.tr("How long you can book straight back with us, without going to your GP."),
        )
        self.review_on = QLineEdit()
        self.review_on.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.review_on.setMaximumWidth(220)
        self._field("review_on", self.tr("Review date"), self.review_on)
        self._side_by_side(self.fields["pifu_months"], self.fields["review_on"])
        self.gp_consent = YesNo(self.tr("May your GP have a copy of this plan"))
        self._field("gp_consent", self.tr("May your GP have a copy of this plan?"), self.gp_consent)
        self.gp_consent_given_by = QComboBox()
        self.gp_consent_given_by.addItem(self.tr("Who answered…"), None)
        for code, words in GIVER_WORDS.items():
            self.gp_consent_given_by.addItem(self.tr(words), code)
        self._field("gp_consent_given_by", self.tr("Who answered"), self.gp_consent_given_by)
        self._side_by_side(self.fields["gp_consent"], self.fields["gp_consent_given_by"])
        self.needs = label("", wrap=True)
        self.needs.setTextFormat(Qt.TextFormat.PlainText)
        self.needs.setFrameShape(QFrame.Shape.NoFrame)
        self.needs.setAccessibleName(self.tr("Format and language, from your record"))
        self._field("information_needs", self.tr("Format and language"), self.needs)
        for box in (self.what_matters, self.strengths, self.self_management):
            box.textChanged.connect(self.changed)
        for box in (self.flare_plan, self.seek_help):
            box.textChanged.connect(self.changed)
        for line in (self.named_contact, self.contact_route, self.review_on):
            line.textChanged.connect(self.changed)
        self.pifu_months.currentIndexChanged.connect(self.changed)
        self.gp_consent.changed.connect(self.changed)
        self.gp_consent_given_by.currentIndexChanged.connect(self.changed)
        for rows in (self.goals, self.action_rows, self.conditions, self.treatments):
            rows.changed.connect(self.changed)
            rows.rows_changed.connect(self.rows_changed)
        self.other_support.changed.connect(self.changed)
        self.other_support.rows_changed.connect(self.rows_changed)

    # ------------------------------------------------------------------ values

    def set_rules(self, rules: PifuRules, chosen: int | None) -> None:
        """The window's lengths the service allows (and ``chosen``, shown even outside them)."""
        box = self.pifu_months
        box.blockSignals(True)
        box.clear()
        box.addItem(self.tr("No booking-back window"), None)
        months = list(range(rules.min_months, rules.max_months + 1))
        if chosen is not None and chosen not in months:
            months.append(chosen)
        for count in months:
            words = self.tr("1 month") if count == 1 else self.tr("{n} months").format(n=count)
            box.addItem(words, count)
        choose(box, chosen)
        box.blockSignals(False)

    def show_needs(self, words: str) -> None:
        self.needs.setText(words or self.tr("Your record asks for no other format or language."))

    def show_values(self, values: CarePlanInput, rules: PifuRules | None) -> None:
        """Show ``values``; without ``rules`` the window's lengths offered stay as they are."""
        self.what_matters.setPlainText(values.what_matters)
        self.strengths.setPlainText(values.strengths)
        self.goals.set_values([(goal,) for goal in values.goals])
        self.action_rows.set_values([(a.what, a.who, date_text(a.by)) for a in values.actions])
        self.conditions.set_values([(c,) for c in values.conditions])
        self.treatments.set_values([(t.treatment, t.outcome) for t in values.treatments])
        self.self_management.setPlainText(values.self_management)
        self.flare_plan.setPlainText(values.flare_plan)
        self.seek_help.setPlainText(values.seek_help)
        for net_id, tick in self.net_ticks.items():
            tick.setChecked(net_id in values.safety_nets)
        listed = {c.service_id: c.text for c in values.support_services if c.service_id}
        self._service_words = {k: v for k, v in listed.items() if v}
        for service_id, tick in self.service_ticks.items():
            tick.setChecked(service_id in listed)
        self.other_support.set_values(
            [(c.text,) for c in values.support_services if not c.service_id]
        )
        self.named_contact.setText(values.named_contact)
        self.contact_route.setText(values.contact_route)
        if rules is None:
            choose(self.pifu_months, values.pifu_months)
        else:
            self.set_rules(rules, values.pifu_months)
        self.review_on.setText(date_text(values.review_on))
        consent = values.gp_consent
        self.gp_consent.set_answer(None if consent is None else ("yes" if consent else "no"))
        choose(self.gp_consent_given_by, values.gp_consent_given_by)
        self.show_field_errors({})

    def read(self) -> tuple[CarePlanInput, dict[str, str]]:
        """What the form holds, and the words for each field whose text cannot be read.

        A date that cannot be read is kept as no date until it is typed again.
        """
        unread: dict[str, str] = {}

        def day(text: str, field: str) -> date | None:
            try:
                return read_date(text)
            except NotValid as problem:
                unread[field] = problem.words
                return None

        actions = tuple(
            PlanAction(what=what, who=who, by=day(by, "actions"))
            for what, who, by in self.action_rows.values()
        )
        ticked = [sid for sid, tick in self.service_ticks.items() if tick.isChecked()]
        support = tuple(SupportChoice(sid, self._service_words.get(sid, "")) for sid in ticked)
        support += tuple(SupportChoice(None, text) for (text,) in self.other_support.values())
        answer = self.gp_consent.answer()
        values = CarePlanInput(
            what_matters=self.what_matters.toPlainText(),
            strengths=self.strengths.toPlainText(),
            goals=tuple(goal for (goal,) in self.goals.values()),
            actions=actions,
            conditions=tuple(c for (c,) in self.conditions.values()),
            treatments=tuple(TreatmentTried(t, o) for t, o in self.treatments.values()),
            self_management=self.self_management.toPlainText(),
            flare_plan=self.flare_plan.toPlainText(),
            seek_help=self.seek_help.toPlainText(),
            safety_nets=tuple(n for n, tick in self.net_ticks.items() if tick.isChecked()),
            support_services=support,
            named_contact=self.named_contact.text(),
            contact_route=self.contact_route.text(),
            pifu_months=self.pifu_months.currentData(),
            review_on=day(self.review_on.text(), "review_on"),
            gp_consent=None if answer is None else answer == "yes",
            gp_consent_given_by=self.gp_consent_given_by.currentData(),
        )
        return values, unread

    def action_date_texts(self) -> list[tuple[str, str, str]]:
        """Each action's what and who, and its date as typed when that cannot be read."""
        texts = []
        for what, who, by in self.action_rows.values():
            try:
                read_date(by)
            except NotValid:
                texts.append((what, who, by))
            else:
                texts.append((what, who, ""))
        return texts

    def put_action_dates(self, kept: Sequence[object]) -> bool:
        """Each kept date back into its action (found by what and who) if its date is empty."""
        put = False
        for item in kept:
            if not isinstance(item, list) or len(item) != 3:
                continue
            if not all(isinstance(part, str) for part in item):
                continue
            what, who, by = item
            for boxes, _remove in self.action_rows.rows:
                what_box, who_box, by_box = boxes
                if (what_box.text().strip(), who_box.text().strip()) != (what, who):
                    continue
                if by_box.text().strip() or by_box.isReadOnly():
                    continue
                by_box.setText(by)
                put = True
                break
        return put

    def set_read_only(self, read_only: bool) -> None:
        for box in (
            self.what_matters,
            self.strengths,
            self.self_management,
            self.flare_plan,
            self.seek_help,
        ):
            box.setReadOnly(read_only)
        for line in (self.named_contact, self.contact_route, self.review_on):
            line.setReadOnly(read_only)
        for rows in (self.goals, self.action_rows, self.conditions, self.treatments):
            rows.set_read_only(read_only)
        self.other_support.set_read_only(read_only)
        for tick in (*self.net_ticks.values(), *self.service_ticks.values()):
            tick.setEnabled(not read_only)
        for widget in (self.pifu_months, self.gp_consent, self.gp_consent_given_by):
            widget.setEnabled(not read_only)

    def show_field_errors(self, messages: Mapping[str, str]) -> None:
        """Each message beside its field; the others cleared."""
        for name, made in self.fields.items():
            made.set_error(messages.get(name))

    def focus_chain(self) -> list[QWidget]:
        """Every control, top to bottom."""
        return [
            self.what_matters,
            self.strengths,
            *self.goals.focus_chain(),
            *self.action_rows.focus_chain(),
            *self.conditions.focus_chain(),
            *self.treatments.focus_chain(),
            self.self_management,
            self.flare_plan,
            self.seek_help,
            *self.net_ticks.values(),
            *self.service_ticks.values(),
            *self.other_support.focus_chain(),
            self.named_contact,
            self.contact_route,
            self.pifu_months,
            self.review_on,
            self.gp_consent.yes,
            self.gp_consent.no,
            self.gp_consent_given_by,
        ]


__all__ = ["GIVER_WORDS", "CarePlanPage"]
