"""The shockwave form's card of the session being given: its settings, its checks, signing it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from clinic_app.domains.shockwave.content import ShockwaveContent
from clinic_app.domains.shockwave.views import SessionChecks, SessionInput, SessionView
from clinic_app.kernel.errors import ClinicError
from ui.common.checks_panel import ChecksPanel
from ui.common.form_card import FormCard, password_box, plain_words
from ui.common.form_parts import date_text, number_text, read_date, read_number
from ui.common.form_reading import as_whole, read_into
from ui.common.widgets import form_grid, label, set_role

#: The session's fields read from typed text (their problems are the card's to keep).
TYPED = frozenset(
    {"performed_on", "pressure_bar", "energy_mj_mm2", "frequency_hz", "pulses", "pain_during"}
)


class SessionCard(FormCard):
    """The session being given: date, applicator, settings, pain, side effects; checks; sign.

    Args:
        content: the shockwave content (the side effects and the anaesthetic's note).
        acknowledge, label_for, explain_stop: for the checks (see ``ChecksPanel``).
    """

    changed = Signal()

    def __init__(  # noqa: PLR0915 - one statement a part, in order
        self,
        content: ShockwaveContent,
        acknowledge: Callable[[str], None],
        label_for: Callable[[str], str],
        explain_stop: Callable[[ClinicError], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("This session"), parent)
        inner = self.inner
        self.session_title = self.heading
        self.performed_on = QLineEdit()
        self.performed_on.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.applicator = QLineEdit()
        self.applicator.setMaxLength(120)
        self.pressure = QLineEdit()
        self.energy = QLineEdit()
        self.frequency = QLineEdit()
        self.pulses = QLineEdit()
        self.target = QLineEdit()
        self.target.setMaxLength(200)
        self.pain_during = QLineEdit()
        self.guided = QCheckBox(self.tr("Ultrasound-guided"))
        self.anaesthetic = QCheckBox(self.tr("Local anaesthetic used"))
        self.anaesthetic_note = plain_words(content.indications.local_anaesthetic_note, "hint")
        self.anaesthetic_note.setObjectName("anaestheticNote")
        grid = form_grid(2)
        grid.addWidget(self.field("performed_on", self.tr("Date"), self.performed_on), 0, 0)
        grid.addWidget(self.field("applicator", self.tr("Applicator"), self.applicator), 0, 1)
        self.pressure_field = self.field(
            "pressure_bar", self.tr("Pressure (bar, radial)"), self.pressure
        )
        self.energy_field = self.field(
            "energy_mj_mm2", self.tr("Energy flux density (mJ/mm², focused)"), self.energy
        )
        grid.addWidget(self.pressure_field, 1, 0)
        grid.addWidget(self.energy_field, 1, 0)
        grid.addWidget(self.field("frequency_hz", self.tr("Frequency (Hz)"), self.frequency), 1, 1)
        grid.addWidget(self.field("pulses", self.tr("Pulses"), self.pulses), 2, 0)
        grid.addWidget(self.field("target", self.tr("Target"), self.target), 2, 1)
        grid.addWidget(
            self.field("pain_during", self.tr("Pain during (0-10)"), self.pain_during), 3, 0
        )
        inner.addLayout(grid)
        self.no_kind = plain_words(
            self.tr("Choose the course's device to set its pressure or energy."), "hint"
        )
        inner.addWidget(self.no_kind)
        inner.addWidget(self.guided)
        inner.addWidget(self.anaesthetic)
        inner.addWidget(self.anaesthetic_note)
        holder = QWidget()
        column = QHBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        self.side_effects: dict[str, QCheckBox] = {}
        for effect in content.indications.side_effects:
            tick = QCheckBox(effect.words)
            self.side_effects[effect.id] = tick
            column.addWidget(tick)
        column.addStretch(1)
        inner.addWidget(self.field("side_effects", self.tr("Side effects"), holder))
        inner.addWidget(label(self.tr("Before signing"), "fieldLabel"))
        self.checks_panel = ChecksPanel(acknowledge, label_for, explain_stop)
        inner.addWidget(self.checks_panel)
        self.attestation = plain_words("", "hint")
        self.attestation.setObjectName("attestation")
        self.password = password_box(self.tr("Password to sign the session"))
        self.sign_button = QPushButton(self.tr("Sig&n the session"))
        set_role(self.sign_button, "", variant="primary")
        self.sign_problem = plain_words("", "fieldError")
        self.sign_problem.setObjectName("signProblem")
        self.sign_problem.hide()
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        inner.addWidget(self.attestation)
        inner.addLayout(bar)
        inner.addWidget(self.sign_problem)
        for edit in (
            self.performed_on,
            self.applicator,
            self.pressure,
            self.energy,
            self.frequency,
            self.pulses,
            self.target,
            self.pain_during,
        ):
            edit.textEdited.connect(self.changed)
        for box in (self.guided, self.anaesthetic, *self.side_effects.values()):
            box.toggled.connect(self.changed)

    def values(
        self, kind: str | None, stored: SessionView | None, local: dict[str, str]
    ) -> SessionInput:
        """The session as the service takes it, for a device of ``kind``; problems in ``local``.

        A date that cannot be read leaves the date ``stored`` as it was.
        """

        def number(key: str, edit: QLineEdit, *, whole: bool = False) -> float | None:
            return read_into(local, key, lambda: read_number(edit.text(), whole=whole))

        performed = read_into(local, "performed_on", lambda: read_date(self.performed_on.text()))
        pressure = number("pressure_bar", self.pressure)
        energy = number("energy_mj_mm2", self.energy)
        frequency = number("frequency_hz", self.frequency)
        pulses = number("pulses", self.pulses, whole=True)
        pain = number("pain_during", self.pain_during, whole=True)
        return SessionInput(
            performed_on=performed
            if performed is not None
            else (stored.fields.performed_on if stored is not None else None),
            applicator=self.applicator.text().strip(),
            pressure_bar=pressure if kind == "radial" else None,
            energy_mj_mm2=energy if kind == "focused" else None,
            frequency_hz=frequency,
            pulses=as_whole(pulses),
            target=self.target.text().strip(),
            ultrasound_guided=self.guided.isChecked(),
            local_anaesthetic=self.anaesthetic.isChecked(),
            pain_during=as_whole(pain),
            side_effects=tuple(k for k, tick in self.side_effects.items() if tick.isChecked()),
        )

    def fill(self, session: SessionView | None) -> None:
        values = session.fields if session is not None else SessionInput()
        self.performed_on.setText(date_text(values.performed_on))
        self.applicator.setText(values.applicator)
        self.pressure.setText(number_text(values.pressure_bar))
        self.energy.setText(number_text(values.energy_mj_mm2))
        self.frequency.setText(number_text(values.frequency_hz))
        self.pulses.setText(number_text(values.pulses))
        self.target.setText(values.target)
        self.guided.setChecked(values.ultrasound_guided)
        self.anaesthetic.setChecked(values.local_anaesthetic)
        self.pain_during.setText(number_text(values.pain_during))
        for key, tick in self.side_effects.items():
            tick.setChecked(key in values.side_effects)

    def show_kind(self, kind: str | None) -> None:
        """The pressure for a radial device, the energy for a focused one, else a hint."""
        self.pressure_field.setVisible(kind == "radial")
        self.energy_field.setVisible(kind == "focused")
        self.no_kind.setVisible(kind is None)

    def show_checks(self, checks: SessionChecks | None) -> None:
        if checks is None:
            self.checks_panel.clear()
            self.checks_panel.say(self.tr("The checks show here once the session is saved."))
            return
        self.checks_panel.show_checks(checks)


__all__ = ["TYPED", "SessionCard"]
