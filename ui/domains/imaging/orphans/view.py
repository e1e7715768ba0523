"""Images waiting for a patient: look at each, find whose it is, and say so (with a check)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.imaging.views import InstanceView
from clinic_app.people.views import PatientSummary
from ui.common import formatting
from ui.common.image_viewer import ImageViewer
from ui.common.widgets import NoticeBar, label, set_role
from ui.domains.imaging.orphans.view_model import OrphansViewModel

_SOP_WORDS = {
    "1.2.840.10008.5.1.4.1.1.6.1": "Ultrasound image",
    "1.2.840.10008.5.1.4.1.1.3.1": "Ultrasound clip",
    "1.2.840.10008.5.1.4.1.1.7": "Secondary capture",
    "1.2.840.10008.5.1.4.1.1.7.4": "Secondary capture clip",
}


def _what(instance: InstanceView) -> str:
    kind = _SOP_WORDS.get(instance.sop_class_uid, "Image")
    return kind if instance.frames <= 1 else f"{kind}, {instance.frames} frames"


def _carried_words(orphan: InstanceView, *, full: bool = False) -> str:
    """Who the object itself names: its Patient's Name, birth date and Patient ID."""
    name = (orphan.carried_name or "").replace("^", ", ", 1).replace("^", " ") or "no name"
    bits = [name]
    if full and orphan.carried_birth_date and len(orphan.carried_birth_date) == 8:
        raw = orphan.carried_birth_date
        try:
            born = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
            bits.append(f"born {formatting.clinical_date(born)}")
        except ValueError:
            bits.append(f"born {raw}")
    bits.append(f"Patient ID {orphan.carried_patient_id or '(none)'}")
    if full:
        bits.append(f"accession {orphan.carried_accession or '(none)'}")
    return " · ".join(bits)


def _patient_words(patient: PatientSummary) -> str:
    nhs = formatting.nhs_number(patient.nhs_number) if patient.nhs_number else "no NHS number"
    born = formatting.clinical_date(patient.date_of_birth)
    name = formatting.patient_name(patient.family_name, patient.given_name)
    return f"{name} · {nhs} · born {born}"


class OrphansView(QWidget):
    """The queue on the left, the image in the middle, the patient search on the right."""

    def __init__(self, view_model: OrphansViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        #: Images being assigned, and the patient each was confirmed for.
        self._assigning: dict[uuid.UUID, PatientSummary] = {}
        self.heading = label(self.tr("Images waiting for a patient"), "heading")
        self.explain = label(
            self.tr(
                "These arrived from a scanner or an import without a patient the app could "
                "match by NHS number or accession number. Look at each image, find the "
                "patient, and assign it. The app never guesses."
            ),
            "hint",
            wrap=True,
        )
        self.notice = NoticeBar()
        self.queue = QListWidget()
        self.queue.setAccessibleName(self.tr("Images waiting for a patient"))
        self.queue.setWordWrap(True)
        self.queue.setSpacing(2)
        self.carried = label("", "hint", wrap=True)
        self.carried.setObjectName("carriedIdentity")
        self.empty = label(self.tr("Nothing is waiting."), "hint")
        self.viewer = ImageViewer()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Name, NHS number or date of birth"))
        self.search.setAccessibleName(self.tr("Find the patient"))
        self.results = QListWidget()
        self.results.setAccessibleName(self.tr("Patients found"))
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.assign_button = QPushButton(self.tr("Assign to this patient…"))
        set_role(self.assign_button, "", variant="primary")
        self.assign_button.setEnabled(False)
        #: Asks the person to confirm; tests replace it to answer for them.
        self.confirm: Callable[[str], bool] = self._ask
        #: The image the finder's search and the patients found are for.
        self._finding_for: uuid.UUID | None = None
        self._lay_out()
        vm = view_model
        vm.orphans_loaded.connect(self._on_vm_orphans_loaded)
        vm.image_loaded.connect(self._on_vm_image_loaded)
        vm.patients_found.connect(self._on_vm_patients_found)
        vm.assigned.connect(self._on_vm_assigned)
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        self.queue.currentItemChanged.connect(lambda *_items: self._on_queue_selection_changed())
        self.search.returnPressed.connect(lambda: vm.find(self.search.text()))
        self.search.textChanged.connect(self._on_search_text_changed)
        self.results.currentItemChanged.connect(lambda *_a: self._update_assign())
        self.assign_button.clicked.connect(self._on_assign_clicked)

    def _lay_out(self) -> None:
        queue = QWidget()
        queue_column = QVBoxLayout(queue)
        queue_column.setContentsMargins(0, 0, 0, 0)
        queue_column.addWidget(self.queue, 1)
        queue_column.addWidget(self.empty)
        finder = QWidget()
        finder_column = QVBoxLayout(finder)
        finder_column.setContentsMargins(0, 0, 0, 0)
        finder_column.addWidget(label(self.tr("Whose is it?"), "subheading"))
        finder_column.addWidget(self.carried)
        finder_column.addWidget(self.search)
        finder_column.addWidget(self.results, 1)
        finder_column.addWidget(self.assign_button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(queue)
        splitter.addWidget(self.viewer)
        splitter.addWidget(finder)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 600, 320])
        splitter.setChildrenCollapsible(False)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.explain)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------ the queue

    def _on_vm_orphans_loaded(self, orphans: list[InstanceView]) -> None:
        # Read again while open (a scanner pushed another): the image being looked at stays
        # the one selected, so the patient chosen for it is never put to another image.
        before = self._selected()
        keep = next((row for row, o in enumerate(orphans) if before and o.id == before.id), None)
        self.queue.blockSignals(True)
        self.queue.clear()
        self.queue.blockSignals(False)
        for orphan in orphans:
            arrived = orphan.created_at.astimezone() if orphan.created_at else None
            when = f"{formatting.clinical_date(arrived.date())} {arrived:%H:%M}" if arrived else ""
            item = QListWidgetItem(f"{when} · {_what(orphan)}\n{_carried_words(orphan)}")
            item.setData(Qt.ItemDataRole.UserRole, orphan)
            self.queue.addItem(item)
        self.empty.setVisible(not orphans)
        if keep is not None:
            self.queue.blockSignals(True)
            self.queue.setCurrentRow(keep)
            self.queue.blockSignals(False)
        elif orphans:
            self.queue.setCurrentRow(0)
        else:
            self.viewer.clear()
            self.carried.clear()
        self._update_assign()

    def _selected(self) -> InstanceView | None:
        item = self.queue.currentItem()
        orphan = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return orphan if isinstance(orphan, InstanceView) else None

    def forget(self) -> None:
        """Nothing of the last user's search or notices stays (switching user)."""
        self._finding_for = None
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.results.clear()
        self.notice.hide_notice()
        self._update_assign()

    def _on_queue_selection_changed(self) -> None:
        orphan = self._selected()
        chosen = orphan.id if orphan is not None else None
        if chosen != self._finding_for:
            # Another image: the patient found for the last one is never offered for this one.
            self._finding_for = chosen
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.results.clear()
        if orphan is not None:
            self.carried.setText(
                self.tr("The file says: {who}").format(who=_carried_words(orphan, full=True))
            )
            self._vm.open_image(orphan)
            if orphan.carried_patient_id and not self.search.text():
                # What the file says is a starting point for the search, not an answer.
                self.search.setText(orphan.carried_patient_id)
                self._vm.find(orphan.carried_patient_id)
        self._update_assign()

    def _on_vm_image_loaded(self, loaded: tuple[InstanceView, bytes]) -> None:
        orphan, data = loaded
        if orphan is self._selected() or orphan == self._selected():
            self.viewer.show_object(data)

    # ------------------------------------------------------------ finding and assigning

    def _on_search_text_changed(self, text: str) -> None:
        if len(text.strip()) >= 3:
            self._vm.find(text)
        elif not text.strip():
            self.results.clear()
            self._update_assign()

    def _on_vm_patients_found(self, patients: list[PatientSummary]) -> None:
        self.results.clear()
        if not self.search.text().strip():
            # Found for a search since emptied (another image chosen): nobody is offered.
            self._update_assign()
            return
        for patient in patients:
            item = QListWidgetItem(_patient_words(patient))
            item.setData(Qt.ItemDataRole.UserRole, patient)
            self.results.addItem(item)
        if not patients and self.search.text().strip():
            item = QListWidgetItem(
                self.tr("No patient found. Check the details, or register them first.")
            )
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)
        self._update_assign()

    def _chosen_patient(self) -> PatientSummary | None:
        item = self.results.currentItem()
        patient = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return patient if isinstance(patient, PatientSummary) else None

    def _update_assign(self) -> None:
        self.assign_button.setEnabled(
            self._selected() is not None and self._chosen_patient() is not None
        )

    def _on_assign_clicked(self) -> None:
        orphan, patient = self._selected(), self._chosen_patient()
        if orphan is None or patient is None:
            return
        question = self.tr(
            "Put this image in the record of:\n\n{patient}\n\nThe file itself says:\n{carried}"
            "\n\nCheck that the name and details shown on the image are this patient's."
        ).format(patient=_patient_words(patient), carried=_carried_words(orphan, full=True))
        if self.confirm(question):
            # Said, when the store answers, as the patient confirmed here, whoever is chosen then.
            self._assigning[orphan.id] = patient
            self._vm.assign(orphan.id, patient.id)

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Assign the image"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_vm_assigned(self, view: InstanceView) -> None:
        patient = self._assigning.pop(view.id, None)
        self.notice.show_notice(
            self.tr("Assigned to {patient}.").format(
                patient=_patient_words(patient) if patient else self.tr("the patient")
            ),
            "success",
        )
        chosen = self._chosen_patient()
        if patient is None or (chosen is not None and chosen.id == patient.id):
            # The search was for that image's patient: done with. One begun since stays.
            self.search.clear()
            self.results.clear()
