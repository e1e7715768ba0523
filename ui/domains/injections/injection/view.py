"""The injection form, the decision behind it first.

Then the site, authority, consent, checklist, drugs and aftercare, what stands before signing,
and the sign bar. Once signed, what was added to the record since, and a box to add to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import MappingProxyType

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.injections.content import InjectionContent, Product, injection_content
from clinic_app.domains.injections.views import InjectionChecks, InjectionInput, InjectionView
from ui.common import formatting
from ui.common.checks_panel import ChecksPanel, about
from ui.common.decision_card import DecisionCard, DecisionParts
from ui.common.form_card import FormCard, labelled, plain_words
from ui.common.form_parts import YesNo, choose, combo, wrapped_tick
from ui.common.kept_text import Edits, KeptText, put_texts, texts_of
from ui.common.widgets import ErrorSummary, FormField, NoticeBar, form_grid, label
from ui.domains.injections.injection.addenda_card import AddendaCard
from ui.domains.injections.injection.after_card import AfterCard
from ui.domains.injections.injection.anticoagulation_card import AnticoagulationCard
from ui.domains.injections.injection.drugs_card import DRUG_ROWS, DrugsCard
from ui.domains.injections.injection.sign_bar import SignBar
from ui.domains.injections.injection.view_model import InjectionViewModel, Opened

#: The form's type is larger than the app's usual, for reading at the bedside.
FORM_POINT_SIZE = 11


class InjectionForm(DecisionParts, QWidget):
    """One injection for the banner's patient, kept as a draft as it is typed, then signed."""

    share_requested = Signal()
    """The user asked to share a decision now (the draft is saved first)."""

    def __init__(  # noqa: PLR0915 - one statement a part of the form, in order
        self,
        view_model: InjectionViewModel,
        content: InjectionContent | None = None,
        parent: QWidget | None = None,
        *,
        kept: KeptText | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        #: What was typed and cannot be read yet, kept through leaving the patient.
        self._kept = kept
        self._content = content or injection_content()
        self._loading = False
        self._local: dict[str, str] = {}
        self._from_store: dict[str, str] = {}
        self.fields: dict[str, FormField] = {}
        self._has_studies = False
        self._has_pgds = False
        self._pgd_versions: dict[str, str] = {}
        self._focus_pending = False
        self.title = label(self.tr("Injection"), "heading")
        self.state = plain_words("", "hint")
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
        self.sign_bar = SignBar()
        #: The sign bar's parts, by the names the form has always used.
        self.bar_box = self.sign_bar
        self.draft_state = self.sign_bar.draft_state
        self.attestation = self.sign_bar.attestation
        self.save_button = self.sign_bar.save_button
        self.password = self.sign_bar.password
        self.sign_button = self.sign_bar.sign_button
        self.sign_problem = self.sign_bar.sign_problem
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
        self._connect()
        self._show_empty()

    # ------------------------------------------------------------------ building

    def _card(self, heading: str) -> QVBoxLayout:
        box = FormCard(heading)
        self.cards.addWidget(box)
        return box.inner

    def _field(self, key: str, text: str, editor: QWidget, *, optional: bool = False) -> FormField:
        made = labelled(text, editor, optional=optional)
        self.fields[key] = made
        return made

    def _build_decision(self) -> None:
        self.decision_card = DecisionCard(
            self.tr(
                "No shared decision about an injection is recorded in this episode. Talk it "
                "through with the patient first, or give your reason to go on."
            ),
            reason_height=64,
        )
        self.cards.addWidget(self.decision_card)
        self.fields.update(self.decision_card.fields)

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
        self.no_studies = plain_words(
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
        self.no_pgds = plain_words(
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
        self.anticoagulation_card = AnticoagulationCard()
        self.cards.addWidget(self.anticoagulation_card)
        self.fields.update(self.anticoagulation_card.fields)
        self.inr = self.anticoagulation_card.inr

    def _build_drugs(self) -> None:
        self.drugs_card = DrugsCard(self._content.formulary.products, self._listed_product)
        self.cards.addWidget(self.drugs_card)
        self.fields.update(self.drugs_card.fields)
        self.scan = self.drugs_card.scan
        self.scan_result = self.drugs_card.scan_result
        self.drug_rows = self.drugs_card.drug_rows

    def _listed_product(self, gtin: str) -> Product | None:
        listed = self._vm.product_for(gtin)
        return self._content.formulary.product(listed) if listed is not None else None

    def _build_after(self) -> None:
        self.after_card = AfterCard()
        self.cards.addWidget(self.after_card)
        self.fields.update(self.after_card.fields)
        self.aftercare = self.after_card.aftercare
        self.card_considered = self.after_card.card_considered
        self.reaction = self.after_card.reaction
        self.observed = self.after_card.observed
        self.review = self.after_card.review

    def _build_checks(self) -> None:
        inner = self._card(self.tr("Before you sign"))
        self.checks_box = ChecksPanel(self._vm.acknowledge, self._label_for)
        self.checks_box.setObjectName("injectionChecks")
        inner.addWidget(self.checks_box)

    def _build_addenda(self) -> None:
        self.addenda_card = AddendaCard(self._vm.signer_name)
        self.cards.addWidget(self.addenda_card)
        self.addendum_text = self.addenda_card.addendum_text
        self.addendum_password = self.addenda_card.addendum_password
        self.addendum_button = self.addenda_card.addendum_button
        self.addendum_error = self.addenda_card.addendum_error
        self.addendum_form = self.addenda_card.addendum_form

    @property
    def addenda_lines(self) -> list[str]:
        """What each addendum on show says (its heading, words and any mark), for reading."""
        return self.addenda_card.addenda_lines

    def _connect(self) -> None:
        vm = self._vm
        self.save_button.clicked.connect(vm.save)
        self.print_button.clicked.connect(vm.print_aftercare)
        self.sign_button.clicked.connect(self._on_sign)
        self.password.returnPressed.connect(self._on_sign)
        self.share_button.clicked.connect(self.share_requested)
        self.drugs_card.changed.connect(self._changed)
        self.drugs_card.scanned.connect(
            lambda: self.scroll_area.ensureWidgetVisible(self.scan_result)
        )
        self.after_card.changed.connect(self._changed)
        self.anticoagulation_card.changed.connect(self._changed)
        vm.opened.connect(self._show_opened)
        vm.decision_changed.connect(lambda _decision: self._on_decision_read())
        vm.record_changed.connect(self._show_record)
        vm.checks_changed.connect(self._show_checks)
        vm.field_errors_changed.connect(self._show_store_errors)
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.sign_failed.connect(self._show_sign_problem)
        vm.saved.connect(self._on_saved)
        vm.busy_changed.connect(self._on_busy)
        self.addenda_card.add_requested.connect(vm.add_addendum)
        vm.addendum_failed.connect(self.addenda_card.show_problem)
        vm.addendum_added.connect(self._on_addendum_added)
        for edit in (
            self.approach,
            self.prescriber,
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
        ):
            box.currentIndexChanged.connect(self._changed)
        for tick in self.risks.values():
            tick.toggled.connect(self._changed)
        for asked in self.checks_asked.values():
            asked.changed.connect(self._changed)

    # ------------------------------------------------------------------ reading the form

    def values(self) -> InjectionInput:
        """The form as the service takes it; what cannot be read is left out and marked."""
        local: dict[str, str] = {}

        after, anticoagulation = self.after_card, self.anticoagulation_card
        drugs = self.drugs_card.drugs(local)
        aspirate = after.aspirate_value(local)
        observed = after.observation_minutes(local)
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
            anticoagulant=anticoagulation.anticoagulant.currentData(),
            inr_value=anticoagulation.inr_value(local),
            inr_measured_at=anticoagulation.inr_measured_at(local),
            replacement_planned_on=anticoagulation.replacement_planned_on(local),
            drugs=drugs,
            aspirate=aspirate,
            immediate_reaction=after.reaction.text().strip(),
            observation_minutes=observed,
            aftercare_given=after.aftercare.isChecked(),
            steroid_card_considered=after.card_considered.isChecked(),
            review_date=after.review_date(local),
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
        self._keep_text()
        self._vm.form_changed(values)

    # ------------------------------------------------------------------ showing

    def _show_empty(self) -> None:
        self._loading = True
        try:
            self.decision_card.show_nothing()
            self._fill(InjectionInput())
            self._show_checks(None)
            self.addenda_card.show_addenda(None, self._vm.may_amend)
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
            # The words being added are the screen's to keep or empty (one draft a record).
            self.addenda_card.clear_entry(words=False)
            self.drugs_card.clear_scan()
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
            self.drugs_card.opened()
            self._show_which_parts()
            self._local = {}
            self._from_store = {}
            self._show_errors()
            self._focus_pending = True
        finally:
            self._loading = False
        self._shown_to_kept()

    def _on_decision_read(self) -> None:
        self._show_decision()
        if self._vm.record is not None and self.reason.toPlainText().strip():
            # A reason typed before the decision was signed is no longer sent with the draft.
            self._changed()

    def _show_decision(self) -> None:
        record = self._vm.record
        if record is not None and record.is_signed:
            # What the signed record holds, not what the episode holds now.
            self.decision_card.show_signed(record.fields.sdm_record_id is not None)
            return
        decision = self._vm.decision
        self.decision_card.show_open(
            (decision.signed_at or decision.created_at).date() if decision is not None else None,
            may_share=True,
        )

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
        self.anticoagulation_card.fill(values)
        self.drugs_card.fill(values)
        self.after_card.fill(values)

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
        self.addenda_card.show_addenda(record if loaded and signed else None, self._vm.may_amend)
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

    def _on_addendum_added(self, _view: InjectionView) -> None:
        self.addenda_card.added()
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
        self.drugs_card.show_problem(shown.get("drugs", ""))
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

    # ------------------------------------------------------------------ text kept

    def _typed_edits(self) -> Edits:
        """The fields whose text may not be readable, by the key their problem is shown under.

        A drug row is kept only once its product, dose and volume are all filled in (the form
        says so beside it); a complete row's expiry that cannot be read is kept here.
        """
        after, anticoagulation = self.after_card, self.anticoagulation_card
        edits: dict[str, tuple[QLineEdit, ...]] = {
            "inr_value": (anticoagulation.inr,),
            "inr_measured_at": (anticoagulation.inr_day, anticoagulation.inr_time),
            "replacement_planned_on": (anticoagulation.replacement,),
            "aspirate.volume_ml": (after.aspirate,),
            "observation_minutes": (after.observed,),
            "review_date": (after.review,),
        }
        for index, row in enumerate(self.drug_rows):
            edits[f"drugs.{index}.expiry"] = (row.expiry,)
        return edits

    def _keep_text(self) -> None:
        if self._kept is None or self._loading:
            return
        record = self._vm.record
        self._kept.keep(
            texts_of(self._typed_edits(), self._local), record.id if record is not None else None
        )

    def _shown_to_kept(self) -> None:
        """The form shows the patient's injection: what was typed and kept is put back."""
        vm = self._vm
        if self._kept is None or vm.patient_id is None or not vm.may_write:
            return
        self._kept.shown(
            vm.patient_id, vm.record.id if vm.record is not None else None, self._put_back
        )

    def _put_back(self, texts: dict[str, object]) -> None:
        """Text kept from before, each into its field if still empty there; then read again."""
        if put_texts(self._typed_edits(), texts, self):
            self.values()
            self._show_errors()

    # ------------------------------------------------------------------ focus

    def focus_first_field(self) -> None:
        if self.reason_field.isVisible():
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.target.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_form(self) -> None:
        """Nothing of the last patient stays on the form."""
        if self._kept is not None:
            self._kept.leave()  # written first: the form is about to be emptied
        self._show_empty()
        self.password.clear()
        self.addenda_card.clear_entry()
        self.notice.hide_notice()
        self.summary.clear()
        self.sign_problem.hide()
        self.drugs_card.clear_scan()
        self._local = {}
        self._from_store = {}
        self._show_errors()


__all__ = ["DRUG_ROWS", "InjectionForm"]
