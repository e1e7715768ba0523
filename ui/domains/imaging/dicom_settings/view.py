"""DICOM and PACS settings: where scanners reach the app, and where the app sends studies."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.imaging.views import DicomSettings, ListenerState
from ui.common.widgets import NoticeBar, card, label, set_role
from ui.domains.imaging.dicom_settings.scanners_table import ScannersTable
from ui.domains.imaging.dicom_settings.view_model import DicomSettingsViewModel

_METHODS = (("c-store", "DICOM (C-STORE)"), ("stow-rs", "DICOMweb (STOW-RS)"))
#: How clips are kept (the core's ``clip_compression`` codes) and their words.
_CLIP_CHOICES = (
    ("lossless", "Exactly (lossless)"),
    ("lossy", "Smaller (lossy JPEG)"),
)
#: The JPEG qualities the core accepts (``clip_jpeg.QUALITY_MIN`` to ``QUALITY_MAX``).
_QUALITY_RANGE = (50, 95)


def _port() -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, 65535)
    return box


class DicomSettingsView(QWidget):
    """A form of the settings; read-only for anyone who may not change them."""

    def __init__(self, view_model: DicomSettingsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.heading = label(self.tr("DICOM and PACS"), "heading")
        self.state = label("", "subheading", wrap=True)
        self.state.setObjectName("listenerState")
        self.who = label("", "hint", wrap=True)
        self.notice = NoticeBar()
        self.ae_title = QLineEdit()
        self.ae_title.setMaxLength(16)
        self.listen = QCheckBox(self.tr("Listen for scanners while the app is open"))
        self.listen_host = QLineEdit()
        self.storage_port = _port()
        self.worklist_port = _port()
        self.worklist_station = QLineEdit()
        self.worklist_station.setMaxLength(16)
        self.worklist_station.setPlaceholderText(self.tr("none"))
        self.worklist_station.setToolTip(
            self.tr(
                "The AE title the worklist gives as every scan's scheduled station. Set it to "
                "the scanner's own AE title if the scanner asks only for its own work."
            )
        )
        self.scanners = ScannersTable()
        self.pacs_ae_title = QLineEdit()
        self.pacs_ae_title.setMaxLength(16)
        self.pacs_host = QLineEdit()
        self.pacs_port = _port()
        self.pacs_method = QComboBox()
        for code, words in _METHODS:
            self.pacs_method.addItem(words, code)
        self.pacs_dicomweb_url = QLineEdit()
        self.pacs_dicomweb_url.setPlaceholderText("https://pacs.example.nhs.uk/dicom-web")
        self.clip_compression = QComboBox()
        for code, words in _CLIP_CHOICES:
            self.clip_compression.addItem(self.tr(words), code)
        self.clip_quality = QSpinBox()
        self.clip_quality.setRange(*_QUALITY_RANGE)
        self.clip_quality.setToolTip(
            self.tr("JPEG quality of clips kept smaller: higher keeps more detail and stores more.")
        )
        self.clip_compression.setToolTip(
            self.tr(
                "Stills are always kept exactly. Smaller clips take several times less space "
                "and sync faster, but are not pixel for pixel what was captured, and say so "
                "to the PACS. Whether that is acceptable is a clinical decision for the service."
            )
        )
        self.clip_compression.currentIndexChanged.connect(self._on_clip_compression_changed)
        self.save_button = QPushButton(self.tr("Save"))
        set_role(self.save_button, "", variant="primary")
        self.errors: dict[str, QLabel] = {}
        self._lay_out()
        view_model.loaded.connect(self._on_vm_loaded)
        view_model.saved.connect(self._on_vm_saved)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        view_model.field_errors_changed.connect(self._on_vm_field_errors_changed)
        self.save_button.clicked.connect(self._on_save_clicked)

    def _row(self, form: QFormLayout, words: str, widget: QWidget, name: str) -> None:
        error = label("", "fieldError", wrap=True)
        error.hide()
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        widget.setAccessibleName(words)
        form.addRow(words, holder)
        self.errors[name] = error

    def _allowed_card(self) -> QWidget:
        allowed = card()
        column = QVBoxLayout(allowed)
        column.setContentsMargins(20, 14, 20, 18)
        column.addWidget(label(self.tr("Scanners let in"), "subheading"))
        column.addWidget(
            label(
                self.tr(
                    "Only these scanners may send images or read the worklist (patients' "
                    "names and NHS numbers); any other is refused. With none listed, every "
                    "scanner is refused. Give the AE title set on the scanner and its IP "
                    "address, or its network (192.168.10.0/24) if its address changes."
                ),
                "hint",
                wrap=True,
            )
        )
        column.addWidget(self.scanners)
        error = label("", "fieldError", wrap=True)
        error.hide()
        column.addWidget(error)
        self.errors["scanners"] = error
        return allowed

    def _clips_card(self) -> QWidget:
        # One row, so the page still fits a laptop screen: the choice, then its quality.
        clips = card()
        form = QFormLayout(clips)
        form.setContentsMargins(20, 12, 20, 12)
        choice = QWidget()
        line = QHBoxLayout(choice)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.clip_compression, 1)
        quality_words = self.tr("Quality")
        line.addWidget(QLabel(quality_words))
        line.addWidget(self.clip_quality)
        self.clip_quality.setAccessibleName(quality_words)
        self._row(form, self.tr("Keep clips"), choice, "clip_compression")
        self.clip_compression.setAccessibleName(self.tr("Keep clips"))
        # The quality's errors show under the same row as the choice's.
        error = label("", "fieldError", wrap=True)
        error.hide()
        form.addRow("", error)
        self.errors["clip_quality"] = error
        return clips

    def _lay_out(self) -> None:
        listeners = card()
        listeners_form = QFormLayout(listeners)
        listeners_form.setContentsMargins(20, 14, 20, 18)
        listeners_form.addRow(label(self.tr("This app, for scanners"), "subheading"))
        self._row(listeners_form, self.tr("AE title"), self.ae_title, "ae_title")
        listeners_form.addRow("", self.listen)
        self._row(listeners_form, self.tr("Listen on address"), self.listen_host, "listen_host")
        listeners_form.addRow(
            "",
            label(
                self.tr(
                    "127.0.0.1: this laptop only. For scanners on the clinic's network, "
                    "this laptop's address there (0.0.0.0: every network)."
                ),
                "hint",
                wrap=True,
            ),
        )
        self._row(listeners_form, self.tr("Storage port"), self.storage_port, "storage_port")
        self._row(listeners_form, self.tr("Worklist port"), self.worklist_port, "worklist_port")
        self._row(
            listeners_form,
            self.tr("Scheduled station"),
            self.worklist_station,
            "worklist_station",
        )
        pacs = card()
        pacs_form = QFormLayout(pacs)
        pacs_form.setContentsMargins(20, 14, 20, 18)
        pacs_form.addRow(label(self.tr("The PACS"), "subheading"))
        self._row(pacs_form, self.tr("PACS AE title"), self.pacs_ae_title, "pacs_ae_title")
        self._row(pacs_form, self.tr("PACS host"), self.pacs_host, "pacs_host")
        self._row(pacs_form, self.tr("PACS port"), self.pacs_port, "pacs_port")
        self._row(pacs_form, self.tr("Send by"), self.pacs_method, "pacs_method")
        self._row(
            pacs_form, self.tr("DICOMweb address"), self.pacs_dicomweb_url, "pacs_dicomweb_url"
        )
        pacs_form.addRow(
            "",
            label(
                self.tr(
                    "Either way, a study is marked archived only after the PACS answers a "
                    "query saying it holds every image."
                ),
                "hint",
                wrap=True,
            ),
        )
        allowed = self._allowed_card()
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(pacs)
        right.addWidget(self._clips_card())
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addWidget(listeners, 1, Qt.AlignmentFlag.AlignTop)
        columns.addWidget(allowed, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(12)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.save_button)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addWidget(self.who)
        layout.addWidget(self.notice)
        layout.addLayout(columns)
        layout.addStretch(1)

    def _fields(self) -> list[QWidget]:
        return [
            self.ae_title,
            self.listen,
            self.listen_host,
            self.storage_port,
            self.worklist_port,
            self.worklist_station,
            self.scanners,
            self.pacs_ae_title,
            self.pacs_host,
            self.pacs_port,
            self.pacs_method,
            self.pacs_dicomweb_url,
            self.clip_compression,
            self.clip_quality,
        ]

    def _on_vm_loaded(self, settings: DicomSettings, state: ListenerState) -> None:
        self.ae_title.setText(settings.ae_title)
        self.listen.setChecked(settings.listen)
        self.listen_host.setText(settings.listen_host)
        self.storage_port.setValue(settings.storage_port)
        self.worklist_port.setValue(settings.worklist_port)
        self.worklist_station.setText(settings.worklist_station)
        self.scanners.set_scanners(settings.scanners)
        self.pacs_ae_title.setText(settings.pacs_ae_title)
        self.pacs_host.setText(settings.pacs_host)
        self.pacs_port.setValue(settings.pacs_port)
        self.pacs_method.setCurrentIndex(max(self.pacs_method.findData(settings.pacs_method), 0))
        self.pacs_dicomweb_url.setText(settings.pacs_dicomweb_url)
        self.clip_compression.setCurrentIndex(
            max(self.clip_compression.findData(settings.clip_compression), 0)
        )
        self.clip_quality.setValue(settings.clip_quality)
        can = self._vm.can_change
        for widget in self._fields():
            widget.setEnabled(can)
        self._on_clip_compression_changed()
        self.save_button.setVisible(can)
        self.who.setText(
            "" if can else self.tr("Only an admin or the service lead can change these settings.")
        )
        # An empty line would only push the cards down.
        self.who.setVisible(not can)
        self._show_state(state)

    def _show_state(self, state: ListenerState) -> None:
        if state.listening:
            words = self.tr(
                "Listening as {ae}: images on port {storage}, worklist on port {worklist}."
            ).format(ae=state.ae_title, storage=state.storage_port, worklist=state.worklist_port)
        elif state.error == "dicom.port_in_use":
            words = self.tr(
                "Not listening: port {storage} or {worklist} is in use by another program. "
                "Choose other ports, or close the other program."
            ).format(storage=state.storage_port, worklist=state.worklist_port)
        else:
            words = self.tr("Not listening for scanners.")
        self.state.setText(words)

    def _on_save_clicked(self) -> None:
        self._vm.save(
            {
                "ae_title": self.ae_title.text(),
                "listen": self.listen.isChecked(),
                "listen_host": self.listen_host.text(),
                "storage_port": self.storage_port.value(),
                "worklist_port": self.worklist_port.value(),
                "worklist_station": self.worklist_station.text(),
                "scanners": self.scanners.scanners(),
                "pacs_ae_title": self.pacs_ae_title.text(),
                "pacs_host": self.pacs_host.text(),
                "pacs_port": self.pacs_port.value(),
                "pacs_method": self.pacs_method.currentData(),
                "pacs_dicomweb_url": self.pacs_dicomweb_url.text(),
                "clip_compression": self.clip_compression.currentData(),
                "clip_quality": self.clip_quality.value(),
            }
        )

    def _on_clip_compression_changed(self) -> None:
        # The quality means something only for clips kept smaller.
        lossy = self.clip_compression.currentData() == "lossy"
        self.clip_quality.setEnabled(self._vm.can_change and lossy)

    def _on_vm_saved(self, _settings: DicomSettings, state: ListenerState) -> None:
        self.notice.show_notice(
            self.tr("Saved. Every device of the service uses these."), "success"
        )
        self._show_state(state)

    def _on_vm_field_errors_changed(self, messages: dict[str, str]) -> None:
        for name, error in self.errors.items():
            text = messages.get(name, "")
            error.setText(text)
            error.setVisible(bool(text))
        if messages:
            self.notice.show_notice(self.tr("Check the settings marked below."), "problem")
