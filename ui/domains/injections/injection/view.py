"""The injection form, the decision behind it first.

Then the site, authority, consent, checklist, drugs and aftercare, what stands before signing,
and the sign bar. Once signed, what was added to the record since, and a box to add to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TypeVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.appointments.rules import on_clinic_clock
from clinic_app.domains.injections.content import InjectionContent, injection_content
from clinic_app.domains.injections.pack import PackReading, looks_like_pack, read_pack
from clinic_app.domains.injections.rules import ANTICOAGULANTS
from clinic_app.domains.injections.views import (
    ADDENDUM_MAX,
    AddendumView,
    Aspirate,
    InjectionChecks,
    InjectionInput,
    InjectionView,
)
from clinic_app.kernel.errors import ClinicError
from ui.common import errors, formatting
from ui.common.checks_panel import ChecksPanel, about
from ui.common.form_parts import (
    NotValid,
    YesNo,
    choose,
    combo,
    date_text,
    number_text,
    read_date,
    read_number,
    read_time,
    wrapped_tick,
)
from ui.common.widgets import (
    ErrorSummary,
    FormField,
    NoticeBar,
    card,
    form_grid,
    label,
    set_role,
)
from ui.domains.injections.injection.parts import DrugRow, fill_from_pack
from ui.domains.injections.injection.view_model import InjectionViewModel, Opened

DRUG_ROWS = 3
_T = TypeVar("_T")
SCAN_PAUSE_MS = 400
#: The form's type is larger than the app's usual, for reading at the bedside.
FORM_POINT_SIZE = 11


def _words(text: str, role: str | None = None) -> QLabel:
    made = label(text, role, wrap=True)
    made.setTextFormat(Qt.TextFormat.PlainText)
    return made


def _when(value: datetime) -> str:
    """A stored (UTC) moment as the clinic's wall clock shows it: ``14-Jul-2026 09:15``."""
    local = on_clinic_clock(value)
    return f"{formatting.clinical_date(local.date())} {local:%H:%M}"


class InjectionForm(QWidget):
    """One injection for the banner's patient, kept as a draft as it is typed, then signed."""

    share_requested = Signal()
    """The user asked to share a decision now (the draft is saved first)."""

    def __init__(  # noqa: PLR0915 - one statement a part of the form, in order
        self,
        view_model: InjectionViewModel,
        content: InjectionContent | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._content = content or injection_content()
        self._loading = False
        self._current_row = 0
        self._local: dict[str, str] = {}
        self._from_store: dict[str, str] = {}
        self.fields: dict[str, FormField] = {}
        self._has_studies = False
        self._has_pgds = False
        self._pgd_versions: dict[str, str] = {}
        self._focus_pending = False
        self.title = label(self.tr("Injection"), "heading")
        self.state = _words("", "hint")
        self.state.setObjectName("injectionState")
        self.notice = NoticeBar()
        self.summary = ErrorSummary()
        #: The aftercare leaflet, once the record is signed.
        self.print_button = QPushButton(self.tr("P&rint the aftercare leaflet…"))
        self.print_button.setAccessibleName(self.tr("Print the aftercare leaflet"))
        self.print_button.hide()
        self.page = QWidget()
        font = self.page.font()
        font.setPointSize(max(font.pointSize(), FORM_POINT_SIZE))
        self.page.setFont(font)
        self.cards = QVBoxLayout(self.page)
        self.cards.setContentsMargins(0, 0, 8, 0)
        self.cards.setSpacing(10)
        self._build_decision()
        self._build_site()
        self._build_authority()
        self._build_consent()
        self._build_checklist()
        self._build_anticoagulation()
        self._build_drugs()
        self._build_after()
        self._build_checks()
        self._build_addenda()
        self.cards.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.page)
        self.scroll_area.setAccessibleName(self.tr("The injection record"))
        self._build_sign_bar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(6)
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.print_button)
        layout.addLayout(heading)
        layout.addWidget(self.state)
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.bar_box)
        layout.addWidget(self.sign_problem)
        self._scan_timer = QTimer(self)
        self._scan_timer.setSingleShot(True)
        self._scan_timer.setInterval(SCAN_PAUSE_MS)
        self._scan_timer.timeout.connect(self._scan_if_pack)
        self._connect()
        self._show_empty()

    # ------------------------------------------------------------------ building

    def _card(self, heading: str) -> QVBoxLayout:
        box = card()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(14, 10, 14, 12)
        inner.setSpacing(8)
        inner.addWidget(label(heading, "subheading"))
        self.cards.addWidget(box)
        return inner

    def _field(
        self,
        key: str,
        text: str,
        editor: QWidget,
        *,
        hint: str | None = None,
        optional: bool = False,
    ) -> FormField:
        made = FormField(text, editor, hint=hint, optional=optional)
        made.label.setWordWrap(True)
        self.fields[key] = made
        return made

    def _build_decision(self) -> None:
        inner = self._card(self.tr("The decision behind it"))
        self.decision_card = inner.parentWidget()
        self.decision_words = _words("")
        self.decision_words.setObjectName("decisionFollowed")
        self.decision_warning = _words(
            self.tr(
                "No shared decision about an injection is recorded in this episode. Talk it "
                "through with the patient first, or give your reason to go on."
            ),
            "fieldError",
        )
        self.decision_warning.setObjectName("noDecisionWarning")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(64)
        self.reason_field = self._field(
            "sdm_missing_reason", self.tr("Your reason to go on without one"), self.reason
        )
        self.share_button = QPushButton(self.tr("S&hare a decision now"))
        self.share_button.setAccessibleName(self.tr("Share a decision now"))
        row = QHBoxLayout()
        row.addWidget(self.share_button)
        row.addStretch(1)
        self.share_row = QWidget()
        self.share_row.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.decision_words)
        inner.addWidget(self.decision_warning)
        inner.addWidget(self.reason_field)
        inner.addWidget(self.share_row)

    def _build_site(self) -> None:
        inner = self._card(self.tr("Site"))
        targets = [(t.title, t.id) for t in self._content.targets.targets]
        self.target = combo(self.tr("Site"), targets, self.tr("Choose the site"))
        self.side = combo(
            self.tr("Side"),
            [(self.tr("Left"), "left"), (self.tr("Right"), "right")],
            self.tr("Choose"),
        )
        self.approach = QLineEdit()
        self.approach.setMaxLength(200)
        self.guidance = combo(
            self.tr("Guided by"),
            [(self.tr("Landmarks"), "landmark"), (self.tr("Ultrasound"), "ultrasound")],
            self.tr("Choose"),
        )
        self.study = combo(self.tr("The scan with the guidance images"), [], self.tr("Choose"))
        self.no_studies = _words(
            self.tr(
                "This patient has no scans on record. An ultrasound-guided injection needs its "
                "images: save the scan on the imaging screen, then choose it here."
            ),
            "hint",
        )
        grid = form_grid(2)
        grid.addWidget(self._field("target", self.tr("Site"), self.target), 0, 0)
        grid.addWidget(self._field("side", self.tr("Side"), self.side), 0, 1)
        grid.addWidget(
            self._field("approach", self.tr("Approach"), self.approach, optional=True),
            1,
            0,
        )
        grid.addWidget(self._field("guidance", self.tr("Guided by"), self.guidance), 1, 1)
        self.study_field = self._field(
            "imaging_study_id", self.tr("The scan with the guidance images"), self.study
        )
        grid.addWidget(self.study_field, 2, 0, 1, 2)
        grid.addWidget(self.no_studies, 3, 0, 1, 2)
        inner.addLayout(grid)

    def _build_authority(self) -> None:
        inner = self._card(self.tr("Given under"))
        self.authority = combo(
            self.tr("Given under"),
            [
                (self.tr("A patient group direction (PGD)"), "pgd"),
                (self.tr("A patient-specific direction"), "psd"),
                (self.tr("My own prescription"), "prescriber"),
            ],
            self.tr("Choose"),
        )
        self.pgd = combo(self.tr("Patient group direction"), [], self.tr("Choose the PGD"))
        self.no_pgds = _words(
            self.tr("No PGD is in force today. Ask the service lead, or use a prescription."),
            "hint",
        )
        self.prescriber = QLineEdit()
        self.prescriber.setMaxLength(200)
        inner.addWidget(self._field("authority_kind", self.tr("Given under"), self.authority))
        self.pgd_field = self._field("pgd_id", self.tr("Patient group direction"), self.pgd)
        inner.addWidget(self.pgd_field)
        inner.addWidget(self.no_pgds)
        self.prescriber_field = self._field(
            "prescriber_name", self.tr("Who wrote the direction"), self.prescriber
        )
        inner.addWidget(self.prescriber_field)

    def _build_consent(self) -> None:
        inner = self._card(self.tr("Consent: the risks talked through"))
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        self.risks: dict[str, QCheckBox] = {}
        for risk in self._content.consent_risks.risks:
            line, box = wrapped_tick(risk.words)
            self.risks[risk.id] = box
            column.addWidget(line)
        inner.addWidget(
            self._field("consent_risks", self.tr("Tick each risk you talked through"), holder)
        )

    def _build_checklist(self) -> None:
        inner = self._card(self.tr("Checks before injecting"))
        self.checks_asked: dict[str, YesNo] = {}
        for item in self._content.checklist.items:
            answer = YesNo(item.question)
            self.checks_asked[item.id] = answer
            asked = self._field(f"checklist.{item.id}", item.question, answer)
            asked.label.setWordWrap(True)
            inner.addWidget(asked)

    def _build_anticoagulation(self) -> None:
        inner = self._card(self.tr("Anticoagulation and planned surgery"))
        words = {"warfarin": self.tr("Warfarin"), "other": self.tr("Another anticoagulant")}
        self.anticoagulant = combo(
            self.tr("Anticoagulant"),
            [(words.get(kind, kind), kind) for kind in ANTICOAGULANTS],
            self.tr("None"),
        )
        self.inr = QLineEdit()
        self.inr_day = QLineEdit()
        self.inr_day.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.inr_time = QLineEdit()
        self.inr_time.setPlaceholderText(self.tr("hh:mm"))
        self.replacement = QLineEdit()
        self.replacement.setPlaceholderText(self.tr("dd/mm/yyyy"))
        grid = form_grid(2)
        grid.addWidget(
            self._field("anticoagulant", self.tr("Anticoagulant"), self.anticoagulant), 0, 0
        )
        grid.addWidget(self._field("inr_value", self.tr("Latest INR"), self.inr), 0, 1)
        grid.addWidget(
            self._field("inr_measured_at", self.tr("INR measured on (date)"), self.inr_day), 1, 0
        )
        grid.addWidget(
            self._field("inr_measured_time", self.tr("INR measured at (time)"), self.inr_time),
            1,
            1,
        )
        grid.addWidget(
            self._field(
                "replacement_planned_on",
                self.tr("Replacement of this joint planned on"),
                self.replacement,
                optional=True,
            ),
            2,
            0,
        )
        inner.addLayout(grid)

    def _build_drugs(self) -> None:
        inner = self._card(self.tr("Drugs given"))
        self.scan = QLineEdit()
        self.scan.setPlaceholderText(self.tr("Scan the pack's barcode here"))
        inner.addWidget(
            self._field(
                "scan",
                self.tr("Scan the pack"),
                self.scan,
                hint=self.tr(
                    "Fills the batch and expiry of the drug you are working on, and its product "
                    "when the pack's code is in the service's list."
                ),
            )
        )
        self.scan_result = _words("", "hint")
        self.scan_result.setObjectName("scanResult")
        self.scan_result.hide()
        inner.addWidget(self.scan_result)
        self.drug_rows: list[DrugRow] = []
        for index in range(DRUG_ROWS):
            row = DrugRow(index + 1, self._content.formulary.products)
            self.drug_rows.append(row)
            for key, made in row.fields.items():
                self.fields[f"drugs.{index}.{key}"] = made
            row.touched.connect(lambda index=index: self._set_current_row(index))
            inner.addWidget(row)
        self.drugs_problem = _words("", "fieldError")
        self.drugs_problem.hide()
        inner.addWidget(self.drugs_problem)

    def _build_after(self) -> None:
        inner = self._card(self.tr("After the injection"))
        self.aspirate = QLineEdit()
        self.appearance = QLineEdit()
        self.appearance.setMaxLength(200)
        self.sent = QCheckBox(self.tr("Aspirate sent for tests"))
        self.reaction = QLineEdit()
        self.reaction.setMaxLength(500)
        self.observed = QLineEdit()
        self.aftercare = QCheckBox(self.tr("Aftercare advice given"))
        self.card_considered = QCheckBox(self.tr("Steroid emergency card considered"))
        self.review = QLineEdit()
        self.review.setPlaceholderText(self.tr("dd/mm/yyyy"))
        grid = form_grid(2)
        grid.addWidget(
            self._field(
                "aspirate.volume_ml", self.tr("Aspirated (mL)"), self.aspirate, optional=True
            ),
            0,
            0,
        )
        grid.addWidget(
            self._field(
                "aspirate.appearance",
                self.tr("What the aspirate looked like"),
                self.appearance,
                optional=True,
            ),
            0,
            1,
        )
        grid.addWidget(self.sent, 1, 0, 1, 2)
        grid.addWidget(
            self._field(
                "immediate_reaction",
                self.tr("Any reaction straight after (leave empty for none)"),
                self.reaction,
                optional=True,
            ),
            2,
            0,
            1,
            2,
        )
        grid.addWidget(
            self._field("observation_minutes", self.tr("Observed for (minutes)"), self.observed),
            3,
            0,
        )
        grid.addWidget(self._field("review_date", self.tr("Review on"), self.review), 3, 1)
        grid.addWidget(self.aftercare, 4, 0)
        grid.addWidget(self.card_considered, 4, 1)
        inner.addLayout(grid)

    def _build_checks(self) -> None:
        inner = self._card(self.tr("Before you sign"))
        self.checks_box = ChecksPanel(self._vm.acknowledge, self._label_for)
        self.checks_box.setObjectName("injectionChecks")
        inner.addWidget(self.checks_box)

    def _build_addenda(self) -> None:
        self.addenda_card = card()
        self.addenda_card.setObjectName("injectionAddenda")
        inner = QVBoxLayout(self.addenda_card)
        inner.setContentsMargins(14, 10, 14, 12)
        inner.setSpacing(8)
        inner.addWidget(label(self.tr("Added since signing"), "subheading"))
        self.cards.addWidget(self.addenda_card)
        inner.addWidget(
            _words(
                self.tr(
                    "A signed record never changes. A later fact (a reaction reported the next "
                    "day, a test result) is added here, signed with your password."
                ),
                "hint",
            )
        )
        self.addenda_box = QWidget()
        self.addenda_list = QVBoxLayout(self.addenda_box)
        self.addenda_list.setContentsMargins(0, 0, 0, 0)
        self.addenda_list.setSpacing(6)
        #: What each addendum on show says (its heading, words and any mark), for reading.
        self.addenda_lines: list[str] = []
        inner.addWidget(self.addenda_box)
        self.addendum_text = QPlainTextEdit()
        self.addendum_text.setTabChangesFocus(True)
        self.addendum_text.setFixedHeight(72)
        self.addendum_text.setAccessibleName(self.tr("What you are adding to this record"))
        self.addendum_password = QLineEdit()
        self.addendum_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.addendum_password.setPlaceholderText(self.tr("Your password"))
        self.addendum_password.setAccessibleName(self.tr("Password to add to this record"))
        self.addendum_password.setMaximumWidth(220)
        self.addendum_button = QPushButton(self.tr("Add"))
        self.addendum_button.setAccessibleName(self.tr("Add to this record"))
        set_role(self.addendum_button, "", variant="primary")
        self.addendum_error = _words("", "fieldError")
        self.addendum_error.setObjectName("addendumError")
        self.addendum_error.hide()
        self.addendum_form = QWidget()
        column = QVBoxLayout(self.addendum_form)
        column.setContentsMargins(0, 4, 0, 0)
        column.setSpacing(4)
        column.addWidget(
            FormField(
                self.tr("Add to this record"),
                self.addendum_text,
                hint=self.tr("Up to {count} characters.").format(count=ADDENDUM_MAX),
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.addendum_error, 1)
        # Holds the password and the button to the right while no problem is shown.
        row.addStretch(1)
        password_label = label(self.tr("Password"), "fieldLabel")
        password_label.setBuddy(self.addendum_password)
        row.addWidget(password_label)
        row.addWidget(self.addendum_password)
        row.addWidget(self.addendum_button)
        column.addLayout(row)
        inner.addWidget(self.addendum_form)
        self.addenda_card.hide()

    def _build_sign_bar(self) -> None:
        self.bar_box = QWidget()
        self.draft_state = _words("", "hint")
        self.attestation = _words("", "hint")
        self.attestation.setObjectName("attestation")
        self.save_button = QPushButton(self.tr("Save &draft"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Your password"))
        self.password.setAccessibleName(self.tr("Password to sign"))
        self.password.setMaximumWidth(220)
        self.password_label = label(self.tr("&Your password to sign"), "fieldLabel")
        self.password_label.setBuddy(self.password)
        self.sign_button = QPushButton(self.tr("Sig&n"))
        set_role(self.sign_button, "", variant="primary")
        self.sign_problem = _words("", "fieldError")
        self.sign_problem.setObjectName("signProblem")
        self.sign_problem.hide()
        column = QVBoxLayout(self.bar_box)
        column.setContentsMargins(0, 4, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.attestation)
        bar = QHBoxLayout()
        bar.addWidget(self.save_button)
        bar.addWidget(self.draft_state, 1)
        bar.addWidget(self.password_label)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        column.addLayout(bar)

    def _connect(self) -> None:
        vm = self._vm
        self.save_button.clicked.connect(vm.save)
        self.print_button.clicked.connect(vm.print_aftercare)
        self.sign_button.clicked.connect(self._on_sign)
        self.password.returnPressed.connect(self._on_sign)
        self.share_button.clicked.connect(self.share_requested)
        self.scan.textEdited.connect(lambda _text: self._scan_timer.start())
        self.scan.returnPressed.connect(self._on_scan_entered)
        vm.opened.connect(self._show_opened)
        vm.decision_changed.connect(lambda _decision: self._on_decision_read())
        vm.record_changed.connect(self._show_record)
        vm.checks_changed.connect(self._show_checks)
        vm.field_errors_changed.connect(self._show_store_errors)
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.sign_failed.connect(self._show_sign_problem)
        vm.saved.connect(self._on_saved)
        vm.busy_changed.connect(self._on_busy)
        self.addendum_button.clicked.connect(self._on_add)
        self.addendum_password.returnPressed.connect(self._on_add)
        vm.addendum_failed.connect(self._show_addendum_problem)
        vm.addendum_added.connect(self._on_addendum_added)
        for edit in (
            self.approach,
            self.prescriber,
            self.inr,
            self.inr_day,
            self.inr_time,
            self.replacement,
            self.aspirate,
            self.appearance,
            self.reaction,
            self.observed,
            self.review,
        ):
            edit.textEdited.connect(self._changed)
        self.reason.textChanged.connect(self._changed)
        for box in (
            self.target,
            self.side,
            self.guidance,
            self.study,
            self.authority,
            self.pgd,
            self.anticoagulant,
        ):
            box.currentIndexChanged.connect(self._changed)
        for tick in (self.sent, self.aftercare, self.card_considered, *self.risks.values()):
            tick.toggled.connect(self._changed)
        for asked in self.checks_asked.values():
            asked.changed.connect(self._changed)
        for row in self.drug_rows:
            row.changed.connect(self._changed)

    # ------------------------------------------------------------------ reading the form

    def values(self) -> InjectionInput:
        """The form as the service takes it; what cannot be read is left out and marked."""
        local: dict[str, str] = {}

        def read(key: str, reader: Callable[[], _T | None]) -> _T | None:
            try:
                return reader()
            except NotValid as error:
                local[key] = error.words
                return None

        drugs = []
        for index, row in enumerate(self.drug_rows):
            drug = row.drug(local, index)
            if drug is not None:
                drugs.append(drug)
        volume = read("aspirate.volume_ml", lambda: read_number(self.aspirate.text()))
        aspirate = (
            Aspirate(
                volume_ml=volume,
                appearance=self.appearance.text().strip(),
                sent_for_tests=self.sent.isChecked(),
            )
            if volume is not None
            else None
        )
        observed = read(
            "observation_minutes", lambda: read_number(self.observed.text(), whole=True)
        )
        decided = self._vm.decision is not None
        pgd_id, pgd_version = self._pgd_choice()
        reason = self.reason.toPlainText().strip()
        values = InjectionInput(
            performed_on=self._vm.values.performed_on,
            target=self.target.currentData(),
            side=self.side.currentData(),
            approach=self.approach.text().strip(),
            guidance=self.guidance.currentData(),
            imaging_study_id=self._study_choice(),
            authority_kind=self.authority.currentData(),
            pgd_id=pgd_id,
            pgd_version=pgd_version,
            prescriber_name=self.prescriber.text().strip() or None
            if self.authority.currentData() == "psd"
            else None,
            consent_risks=tuple(key for key, box in self.risks.items() if box.isChecked()),
            checklist=MappingProxyType(
                {
                    key: answer
                    for key, asked in self.checks_asked.items()
                    if (answer := asked.answer()) is not None
                }
            ),
            anticoagulant=self.anticoagulant.currentData(),
            inr_value=read("inr_value", lambda: read_number(self.inr.text())),
            inr_measured_at=read(
                "inr_measured_at", lambda: read_time(self.inr_day.text(), self.inr_time.text())
            ),
            replacement_planned_on=read(
                "replacement_planned_on", lambda: read_date(self.replacement.text())
            ),
            drugs=tuple(drugs),
            aspirate=aspirate,
            immediate_reaction=self.reaction.text().strip(),
            observation_minutes=int(observed) if observed is not None else None,
            aftercare_given=self.aftercare.isChecked(),
            steroid_card_considered=self.card_considered.isChecked(),
            review_date=read("review_date", lambda: read_date(self.review.text())),
            sdm_record_id=None,
            sdm_missing_reason=None if decided or not reason else reason,
        )
        self._local = local
        return values

    def _pgd_choice(self) -> tuple[uuid.UUID | None, str | None]:
        if self.authority.currentData() != "pgd":
            return None, None
        chosen = self.pgd.currentData()
        if chosen is None:
            return None, None
        return uuid.UUID(str(chosen)), self._pgd_versions.get(str(chosen))

    def _study_choice(self) -> uuid.UUID | None:
        chosen = self.study.currentData()
        if self.guidance.currentData() != "ultrasound" or chosen is None:
            return None
        return uuid.UUID(str(chosen))

    def _changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._show_which_parts()
        values = self.values()
        self._show_errors()
        self._vm.form_changed(values)

    def _set_current_row(self, index: int) -> None:
        self._current_row = index

    # ------------------------------------------------------------------ showing

    def _show_empty(self) -> None:
        self._loading = True
        try:
            self.decision_words.hide()
            self.decision_warning.hide()
            self.reason_field.hide()
            self.share_row.hide()
            self._fill(InjectionInput())
            self._show_checks(None)
            self._show_addenda(None)
            self.page.setEnabled(False)
            self.bar_box.setEnabled(False)
            self.state.setText("")
            self.attestation.setText("")
            self.draft_state.setText("")
        finally:
            self._loading = False

    def _show_opened(self, found: Opened) -> None:
        self._loading = True
        try:
            self.notice.hide_notice()
            self.summary.clear()
            self.sign_problem.hide()
            self.password.clear()
            self.addendum_text.clear()
            self.addendum_password.clear()
            self.addendum_error.hide()
            self.scan.clear()
            self.scan_result.hide()
            self._pgd_versions = {str(pgd.id): pgd.version for pgd in found.pgds}
            self.pgd.clear()
            self.pgd.addItem(self.tr("Choose the PGD"), None)
            for pgd in found.pgds:
                self.pgd.addItem(
                    self.tr("{name}, version {version}").format(name=pgd.name, version=pgd.version),
                    str(pgd.id),
                )
            self.study.clear()
            self.study.addItem(self.tr("Choose the scan"), None)
            for study in found.studies:
                day = formatting.clinical_date(study.started_at.date())
                words = f"{study.description}, {day}" if study.description else day
                self.study.addItem(words, str(study.id))
            self._has_studies = bool(found.studies)
            self._has_pgds = bool(found.pgds)
            self.attestation.setText(found.attestation)
            self._show_decision()
            self._fill(found.record.fields if found.record is not None else InjectionInput())
            self._current_row = 0
            self._show_which_parts()
            self._local = {}
            self._from_store = {}
            self._show_errors()
            self._focus_pending = True
        finally:
            self._loading = False

    def _on_decision_read(self) -> None:
        self._show_decision()
        if self._vm.record is not None and self.reason.toPlainText().strip():
            # A reason typed before the decision was signed is no longer sent with the draft.
            self._changed()

    def _show_decision(self) -> None:
        record = self._vm.record
        if record is not None and record.is_signed:
            # What the signed record holds, not what the episode holds now.
            linked = record.fields.sdm_record_id is not None
            self.decision_words.setText(
                self.tr("Given after a shared decision with the patient, recorded and linked.")
                if linked
                else self.tr("Given with no shared decision recorded, for the reason below.")
            )
            self.decision_words.setVisible(True)
            self.decision_warning.setVisible(False)
            self.reason_field.setVisible(not linked)
            self.share_row.setVisible(False)
            return
        decision = self._vm.decision
        followed = decision is not None
        if decision is not None:
            day = (decision.signed_at or decision.created_at).date()
            self.decision_words.setText(
                self.tr("Follows the shared decision of {day}.").format(
                    day=formatting.clinical_date(day)
                )
            )
        self.decision_words.setVisible(followed)
        self.decision_warning.setVisible(not followed)
        self.reason_field.setVisible(not followed)
        self.share_row.setVisible(not followed)

    def _fill(self, values: InjectionInput) -> None:
        self.reason.setPlainText(values.sdm_missing_reason or "")
        choose(self.target, values.target)
        choose(self.side, values.side)
        self.approach.setText(values.approach)
        choose(self.guidance, values.guidance)
        choose(self.study, str(values.imaging_study_id) if values.imaging_study_id else None)
        choose(self.authority, values.authority_kind)
        choose(self.pgd, str(values.pgd_id) if values.pgd_id is not None else None)
        self.prescriber.setText(values.prescriber_name or "")
        for key, box in self.risks.items():
            box.setChecked(key in values.consent_risks)
        for key, asked in self.checks_asked.items():
            asked.set_answer(values.checklist.get(key))
        choose(self.anticoagulant, values.anticoagulant)
        self.inr.setText(number_text(values.inr_value))
        measured = values.inr_measured_at
        self.inr_day.setText(date_text(measured.date()) if measured is not None else "")
        self.inr_time.setText(measured.strftime("%H:%M") if measured is not None else "")
        self.replacement.setText(date_text(values.replacement_planned_on))
        for index, row in enumerate(self.drug_rows):
            row.show_drug(values.drugs[index] if index < len(values.drugs) else None)
        aspirate = values.aspirate
        self.aspirate.setText(number_text(aspirate.volume_ml) if aspirate else "")
        self.appearance.setText(aspirate.appearance if aspirate else "")
        self.sent.setChecked(aspirate.sent_for_tests if aspirate else False)
        self.reaction.setText(values.immediate_reaction)
        self.observed.setText(number_text(values.observation_minutes))
        self.aftercare.setChecked(values.aftercare_given)
        self.card_considered.setChecked(values.steroid_card_considered)
        self.review.setText(date_text(values.review_date))

    def _show_which_parts(self) -> None:
        """Show the parts the choices so far ask for (the scan, the PGD, the prescriber)."""
        ultrasound = self.guidance.currentData() == "ultrasound"
        has_studies = self._has_studies
        self.study_field.setVisible(ultrasound and has_studies)
        self.no_studies.setVisible(ultrasound and not has_studies)
        kind = self.authority.currentData()
        self.pgd_field.setVisible(kind == "pgd")
        self.no_pgds.setVisible(kind == "pgd" and not self._has_pgds)
        self.prescriber_field.setVisible(kind == "psd")

    def _show_record(self, record: InjectionView | None) -> None:
        loaded = self._vm.loaded
        signed = record is not None and record.is_signed
        if loaded:
            self._show_decision()
            if signed:
                self._show_checks(self._vm.checks)
        writable = self._vm.may_write
        self.page.setEnabled(loaded)
        for index in range(self.cards.count()):
            item = self.cards.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None and widget not in (
                self.checks_box.parentWidget(),
                self.addenda_card,
            ):
                widget.setEnabled(writable)
        self.bar_box.setEnabled(writable)
        self.print_button.setVisible(loaded and signed)
        self._show_addenda(record if loaded and signed else None)
        if not loaded:
            self.state.setText("")
        elif signed and record is not None:
            when = record.signed_at or record.created_at
            self.state.setText(
                self.tr("Signed on {day}. A signed injection record never changes.").format(
                    day=formatting.clinical_date(when.date())
                )
            )
            self.sign_problem.hide()
            if record.intact:
                self.notice.show_notice(self.tr("The injection record is signed."), "success")
            else:
                self.notice.show_notice(
                    self.tr(
                        "This injection record no longer matches its signature: it was changed "
                        "outside the app. Report this."
                    ),
                    "problem",
                )
        elif record is not None and not writable:
            self.state.setText(self.tr("Another clinician's draft: read only."))
        else:
            self.state.setText(
                self.tr("Kept as a draft as you type. Only this patient's record is changed.")
            )
        self._show_draft_state()
        if self._focus_pending and loaded:
            # The form is enabled only now: its first field takes the focus.
            self._focus_pending = False
            self.focus_first_field()

    def _show_addenda(self, record: InjectionView | None) -> None:
        """The record's addenda, oldest first, and the box to add one for those who may."""
        while self.addenda_list.count():
            item = self.addenda_list.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.addenda_lines = []
        self.addenda_card.setVisible(record is not None)
        self.addendum_form.setVisible(record is not None and self._vm.may_amend)
        if record is None:
            return
        if not record.addenda:
            self._addendum_line(self.tr("Nothing has been added yet."), "hint")
        for addendum in record.addenda:
            self._show_addendum(addendum)

    def _show_addendum(self, addendum: AddendumView) -> None:
        self._addendum_line(
            self.tr("{when}, {who}").format(
                when=_when(addendum.signed_at),
                who=self._vm.signer_name(addendum.signed_by, addendum.signer_name),
            ),
            "fieldLabel",
        )
        self._addendum_line(addendum.text, None)
        if not addendum.intact:
            self._addendum_line(
                self.tr("This addendum no longer matches its signature: report this."),
                "fieldError",
            )

    def _addendum_line(self, text: str, role: str | None) -> None:
        self.addenda_lines.append(text)
        self.addenda_list.addWidget(_words(text, role))

    def _on_add(self) -> None:
        self.addendum_error.hide()
        password = self.addendum_password.text()
        self.addendum_password.clear()
        self._vm.add_addendum(self.addendum_text.toPlainText(), password)

    def _show_addendum_problem(self, text: str) -> None:
        self.addendum_error.setText(text)
        self.addendum_error.setVisible(bool(text))
        target = (
            self.addendum_text
            if not self.addendum_text.toPlainText().strip()
            else self.addendum_password
        )
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_addendum_added(self, _view: InjectionView) -> None:
        self.addendum_text.clear()
        self.addendum_error.hide()
        self.notice.show_notice(self.tr("Added to the injection record."), "success")

    def _on_busy(self, busy: bool) -> None:
        self.sign_button.setEnabled(not busy)
        self.addendum_button.setEnabled(not busy)

    def _on_saved(self, _view: InjectionView) -> None:
        # A problem said of an earlier save is over once a save goes through.
        self.notice.hide_notice()
        self._show_draft_state()

    def _show_draft_state(self) -> None:
        record = self._vm.record
        if record is None:
            self.draft_state.setText(self.tr("Not saved yet."))
        elif record.is_signed:
            self.draft_state.setText(self.tr("Signed."))
        else:
            self.draft_state.setText(self.tr("Draft saved."))

    def _show_checks(self, checks: InjectionChecks | None) -> None:
        panel = self.checks_box
        if self._vm.is_signed or checks is None:
            panel.clear()
            panel.say(
                self.tr("Signed: nothing more to check.")
                if self._vm.is_signed
                else self.tr("The checks show here once the draft is saved.")
            )
            return
        panel.show_checks(checks)

    @property
    def check_lines(self) -> list[str]:
        """The lines of the record's checks, as shown."""
        return self.checks_box.lines

    @property
    def acknowledge_buttons(self) -> dict[str, QPushButton]:
        """Each warning still to acknowledge, by its code."""
        return self.checks_box.acknowledge_buttons

    def _label_for(self, field: str) -> str:
        made = self.fields.get(field)
        if made is not None:
            # A drug's fields are named with the drug's number ("Drug 2: Batch").
            return made.editor.accessibleName() or made.text
        head = field.split(".", 1)[0]
        names = {
            "performed_on": self.tr("Date"),
            "drugs": self.tr("Drugs given"),
            "checklist": self.tr("Checks before injecting"),
            "aspirate": self.tr("Aspirate"),
            "aftercare_given": self.tr("Aftercare advice given"),
            "steroid_card_considered": self.tr("Steroid emergency card considered"),
        }
        return names.get(head, "")

    def _show_store_errors(self, messages: Mapping[str, str]) -> None:
        self._from_store = dict(messages)
        self._show_errors()

    def _show_errors(self) -> None:
        """Each problem beside its field: what could not be read, then what the store said."""
        shown = {**self._from_store, **self._local}
        if "pgd_version" in shown and "pgd_id" not in shown:
            shown["pgd_id"] = shown.pop("pgd_version")
        if "inr_measured_time" in shown:
            shown.pop("inr_measured_time")
        for key, field in self.fields.items():
            field.set_error(shown.get(key))
        # About the drugs together (mixed in one syringe, more than the site takes).
        together = shown.get("drugs", "")
        self.drugs_problem.setText(together)
        self.drugs_problem.setVisible(bool(together))
        if shown:
            self.summary.show_problems(
                self.tr("Some answers need a look. Each is marked beside its field."),
                [about(self._label_for(key), words) for key, words in shown.items()],
            )
        else:
            self.summary.clear()

    def _show_sign_problem(self, text: str) -> None:
        self.sign_problem.setText(text)
        self.sign_problem.setVisible(bool(text))

    def _on_sign(self) -> None:
        self.sign_problem.hide()
        password = self.password.text()
        self.password.clear()
        self._vm.sign(password)

    # ------------------------------------------------------------------ the pack scanned

    def _scan_if_pack(self) -> None:
        if looks_like_pack(self.scan.text()):
            self._read_scan()

    def _on_scan_entered(self) -> None:
        self._scan_timer.stop()
        if not self.scan.text().strip():
            return
        self._read_scan()

    def _read_scan(self) -> None:
        text = self.scan.text()
        self.scan.clear()
        reading = read_pack(text)
        self._show_reading(reading)

    def _show_reading(self, reading: PackReading) -> None:
        row = self.drug_rows[min(self._current_row, len(self.drug_rows) - 1)]
        listed = self._vm.product_for(reading.gtin) if reading.gtin is not None else None
        product = self._content.formulary.product(listed) if listed is not None else None
        lines = fill_from_pack(row, reading, product)
        lines.extend(errors.explain(ClinicError(code)) for code in reading.problems)
        self.scan_result.setText("\n".join(lines))
        self.scan_result.setVisible(bool(lines))
        if lines:
            self.scroll_area.ensureWidgetVisible(self.scan_result)
        if product is not None or reading.batch or reading.expiry is not None:
            self._changed()

    # ------------------------------------------------------------------ focus

    def focus_first_field(self) -> None:
        if self.reason_field.isVisible():
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.target.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_form(self) -> None:
        """Nothing of the last patient stays on the form."""
        self._show_empty()
        self.password.clear()
        self.addendum_text.clear()
        self.addendum_password.clear()
        self.addendum_error.hide()
        self.notice.hide_notice()
        self.summary.clear()
        self.sign_problem.hide()
        self.scan.clear()
        self.scan_result.hide()
        self._local = {}
        self._from_store = {}
        self._show_errors()


__all__ = ["DRUG_ROWS", "InjectionForm"]
