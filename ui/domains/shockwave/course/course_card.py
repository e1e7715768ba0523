"""The shockwave form's card "The course": what is treated, the plan and the device.

Then NICE's arrangements and the questions asked before shockwave therapy.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLineEdit, QWidget

from clinic_app.domains.shockwave.content import ShockwaveContent
from clinic_app.domains.shockwave.views import CourseInput, DeviceView
from ui.common import formatting
from ui.common.form_card import FormCard, plain_words
from ui.common.form_parts import YesNo, choose, combo, number_text, wrapped_tick
from ui.common.widgets import form_grid, label, set_role
from ui.domains.shockwave.course.outcome_choices import OutcomeChoices


class CourseCard(FormCard):
    """What the course is given for and on; it no longer changes once a session is signed."""

    changed = Signal()

    def __init__(self, content: ShockwaveContent, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("The course"), parent)
        self._content = content
        inner = self.inner
        indications = content.indications
        self.indication = combo(
            self.tr("What is treated"),
            [
                (
                    self.tr("{title} (NICE {guidance})").format(title=i.title, guidance=i.guidance),
                    i.id,
                )
                for i in indications.indications
            ],
            self.tr("Choose what is treated"),
        )
        self.guidance_words = plain_words("", "hint")
        self.guidance_words.setObjectName("guidanceNamed")
        self.side = combo(
            self.tr("Side"),
            [(self.tr("Left"), "left"), (self.tr("Right"), "right")],
            self.tr("Choose"),
        )
        self.planned = QLineEdit()
        self.planned.setAccessibleName(self.tr("Sessions planned"))
        self.device = combo(self.tr("Device"), [], self.tr("Choose the device"))
        self.device_words = plain_words("", "hint")
        self.device_words.setObjectName("deviceService")
        self.no_devices = plain_words(
            self.tr("No device is in the register. Ask the service lead to add the device."),
            "hint",
        )
        self.pain_before = QLineEdit()
        self.pain_before.setAccessibleName(self.tr("Pain before the course (0-10)"))
        self.before_choices = OutcomeChoices(self.tr("before the course"))
        grid = form_grid(2)
        grid.addWidget(self.field("indication", self.tr("What is treated"), self.indication), 0, 0)
        grid.addWidget(self.field("side", self.tr("Side"), self.side), 0, 1)
        grid.addWidget(self.guidance_words, 1, 0, 1, 2)
        grid.addWidget(
            self.field("planned_sessions", self.tr("Sessions planned"), self.planned), 2, 0
        )
        grid.addWidget(
            self.field("outcome_before", self.tr("Pain before (0-10)"), self.pain_before), 2, 1
        )
        grid.addWidget(
            self.field(
                "outcome_before.responses",
                self.tr("Questionnaires before the course"),
                self.before_choices,
                hint=self.tr(
                    "The patient's completed questionnaires, by day and total: choose the one "
                    "of each that counts. Its change shows when the course closes."
                ),
            ),
            3,
            0,
            1,
            2,
        )
        grid.addWidget(self.field("eswt_device_id", self.tr("Device"), self.device), 4, 0, 1, 2)
        grid.addWidget(self.device_words, 5, 0, 1, 2)
        grid.addWidget(self.no_devices, 6, 0, 1, 2)
        inner.addLayout(grid)
        inner.addWidget(
            label(self.tr("NICE's arrangements, before the first session"), "fieldLabel")
        )
        self.governance: dict[str, QCheckBox] = {}
        for requirement in indications.requirements:
            line, box = wrapped_tick(requirement.words)
            self.governance[requirement.id] = box
            holder = self.field(f"governance.{requirement.id}", "", line)
            holder.label.hide()
            inner.addWidget(holder)
        inner.addWidget(label(self.tr("Before shockwave therapy, ask"), "fieldLabel"))
        self.contraindications: dict[str, YesNo] = {}
        asked = form_grid(2)
        for index, item in enumerate(content.contraindications.items):
            answer = YesNo(item.question)
            self.contraindications[item.id] = answer
            made = self.field(f"contraindications.{item.id}", item.question, answer)
            asked.addWidget(made, index // 2, index % 2)
        inner.addLayout(asked)
        self._connect()

    def _connect(self) -> None:
        self.before_choices.changed.connect(self.changed)
        for edit in (self.planned, self.pain_before):
            edit.textEdited.connect(self.changed)
        for box in (self.indication, self.side, self.device):
            box.currentIndexChanged.connect(self.changed)
        for tick in self.governance.values():
            tick.toggled.connect(self.changed)
        for asked_item in self.contraindications.values():
            asked_item.changed.connect(self.changed)

    def set_devices(self, devices: tuple[DeviceView, ...]) -> None:
        """The register's devices offered (none: the register is said to be empty)."""
        self.device.clear()
        self.device.addItem(self.tr("Choose the device"), None)
        for device in devices:
            self.device.addItem(self._device_name(device), str(device.id))
        self.no_devices.setVisible(not devices)

    def _device_name(self, device: DeviceView) -> str:
        kind = self.tr("radial") if device.kind == "radial" else self.tr("focused")
        return self.tr("{make} {model}, serial {serial} ({kind})").format(
            make=device.make, model=device.model, serial=device.serial, kind=kind
        )

    def chosen_device(self) -> uuid.UUID | None:
        chosen = self.device.currentData()
        return uuid.UUID(chosen) if chosen else None

    def fill(self, values: CourseInput) -> None:
        choose(self.indication, values.indication)
        choose(self.side, values.side)
        self.planned.setText(number_text(values.planned_sessions))
        choose(self.device, str(values.eswt_device_id) if values.eswt_device_id else None)
        for key, box in self.governance.items():
            box.setChecked(bool(values.governance.get(key)))
        for key, asked in self.contraindications.items():
            asked.set_answer(values.contraindications.get(key))
        self.pain_before.setText(number_text(values.outcome_before.pain_nrs))
        self.show_guidance()

    def show_guidance(self) -> None:
        """The NICE guidance of what is treated, and whether it asks special arrangements."""
        indication = self._content.indications.indication(self.indication.currentData())
        if indication is None:
            self.guidance_words.setText("")
            self.guidance_words.hide()
            return
        special = indication.arrangements == "special"
        self.guidance_words.setText(
            (
                self.tr(
                    "NICE interventional procedures guidance {guidance} ({year}): only with "
                    "special arrangements for clinical governance, consent and audit."
                )
                if special
                else self.tr("NICE interventional procedures guidance {guidance} ({year}).")
            ).format(guidance=indication.guidance, year=indication.year)
        )
        self.guidance_words.show()

    def show_device(self, device: DeviceView | None) -> None:
        """When the chosen device was serviced, and whether its service is due."""
        if device is None:
            self.device_words.hide()
            return
        if device.last_service_on is None:
            words = self.tr("No service date is on record for this device.")
        elif device.service_unchecked:
            words = self.tr(
                "Last serviced {last}. Your service has not set how often its devices are "
                "serviced, so whether it is due is not checked."
            ).format(last=formatting.clinical_date(device.last_service_on))
        elif device.overdue:
            words = self.tr("Overdue for its service: last serviced {last}, due {due}.").format(
                last=formatting.clinical_date(device.last_service_on),
                due=formatting.clinical_date(device.service_due_on)
                if device.service_due_on
                else "",
            )
        else:
            words = self.tr("Last serviced {last}; next service due {due}.").format(
                last=formatting.clinical_date(device.last_service_on),
                due=formatting.clinical_date(device.service_due_on)
                if device.service_due_on
                else "",
            )
        self.device_words.setText(words)
        warn = device.overdue or device.service_unchecked
        set_role(self.device_words, "fieldError" if warn else "hint")
        self.device_words.show()


__all__ = ["CourseCard"]
