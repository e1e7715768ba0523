"""The injection form's card "After the injection": aspirate, reaction, observation, aftercare."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLineEdit, QWidget

from clinic_app.domains.injections.views import Aspirate, InjectionInput
from ui.common.form_card import FormCard
from ui.common.form_parts import date_text, number_text, read_date, read_number
from ui.common.form_reading import read_into
from ui.common.widgets import form_grid


class AfterCard(FormCard):
    """What was drawn off, any reaction, how long the patient was watched, and the review."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("After the injection"), parent)
        inner = self.inner
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
            self.field(
                "aspirate.volume_ml", self.tr("Aspirated (mL)"), self.aspirate, optional=True
            ),
            0,
            0,
        )
        grid.addWidget(
            self.field(
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
            self.field(
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
            self.field("observation_minutes", self.tr("Observed for (minutes)"), self.observed),
            3,
            0,
        )
        grid.addWidget(self.field("review_date", self.tr("Review on"), self.review), 3, 1)
        grid.addWidget(self.aftercare, 4, 0)
        grid.addWidget(self.card_considered, 4, 1)
        inner.addLayout(grid)
        for edit in (self.aspirate, self.appearance, self.reaction, self.observed, self.review):
            edit.textEdited.connect(self.changed)
        for tick in (self.sent, self.aftercare, self.card_considered):
            tick.toggled.connect(self.changed)

    def aspirate_value(self, local: dict[str, str]) -> Aspirate | None:
        """The aspirate, when a volume is typed; a volume that cannot be read kept in ``local``."""
        volume = read_into(local, "aspirate.volume_ml", lambda: read_number(self.aspirate.text()))
        if volume is None:
            return None
        return Aspirate(
            volume_ml=volume,
            appearance=self.appearance.text().strip(),
            sent_for_tests=self.sent.isChecked(),
        )

    def observation_minutes(self, local: dict[str, str]) -> int | None:
        observed = read_into(
            local, "observation_minutes", lambda: read_number(self.observed.text(), whole=True)
        )
        return int(observed) if observed is not None else None

    def review_date(self, local: dict[str, str]) -> date | None:
        return read_into(local, "review_date", lambda: read_date(self.review.text()))

    def fill(self, values: InjectionInput) -> None:
        aspirate = values.aspirate
        self.aspirate.setText(number_text(aspirate.volume_ml) if aspirate else "")
        self.appearance.setText(aspirate.appearance if aspirate else "")
        self.sent.setChecked(aspirate.sent_for_tests if aspirate else False)
        self.reaction.setText(values.immediate_reaction)
        self.observed.setText(number_text(values.observation_minutes))
        self.aftercare.setChecked(values.aftercare_given)
        self.card_considered.setChecked(values.steroid_card_considered)
        self.review.setText(date_text(values.review_date))


__all__ = ["AfterCard"]
