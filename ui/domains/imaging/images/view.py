"""Imaging: the patient's studies beside live capture and the viewer; sending to the PACS."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.imaging.views import InstanceView, StudyView, TeachingCopy
from clinic_app.kernel.errors import ClinicError
from ui.common import errors, formatting
from ui.common.image_viewer import ImageViewer
from ui.common.widgets import NoticeBar, label, set_role
from ui.domains.imaging.images.capture import LiveView, VideoCapture
from ui.domains.imaging.images.view_model import ImagingViewModel, LoadedImage

#: Body Part Examined codes, in the words a clinician uses.
BODY_PARTS: tuple[tuple[str, str], ...] = (
    ("SHOULDER", "Shoulder"),
    ("ELBOW", "Elbow"),
    ("WRIST", "Wrist"),
    ("HAND", "Hand"),
    ("HIP", "Hip"),
    ("THIGH", "Thigh"),
    ("KNEE", "Knee"),
    ("LEG", "Lower leg"),
    ("ANKLE", "Ankle"),
    ("FOOT", "Foot"),
    ("ARM", "Upper arm"),
    ("NECK", "Neck"),
    ("CSPINE", "Cervical spine"),
    ("TSPINE", "Thoracic spine"),
    ("LSPINE", "Lumbar spine"),
)
SIDES: tuple[tuple[str, str], ...] = (
    ("R", "Right"),
    ("L", "Left"),
    ("B", "Both"),
    ("U", "Not paired (midline)"),
)
_PART_WORDS = dict(BODY_PARTS)
_SIDE_WORDS = dict(SIDES)
PACS_WORDS = {
    "educational": "Educational: never sent to the PACS",
    "not_sent": "Not sent to the PACS",
    "waiting": "Waiting for the PACS to confirm",
    "archived": "Archived in the PACS",
    "stopped": "Not sent to the PACS",
}
SOURCE_WORDS = {"grabbed": "Captured", "imported": "Imported", "received": "From the scanner"}


def instance_words(instance: InstanceView) -> str:
    """One line for an image: still or clip, body part and side, where it came from."""
    if instance.source == "report":
        if instance.sop_class_uid.endswith(".88.59"):
            return "Key images of the signed report (DICOM KOS)"
        return "Signed report (DICOM SR)"
    part = _PART_WORDS.get(instance.body_part or "", instance.body_part or "Body part not given")
    side = _SIDE_WORDS.get(instance.laterality or "", "")
    kind = "Still" if instance.frames <= 1 else f"Clip, {instance.frames} frames"
    where = SOURCE_WORDS.get(instance.source, instance.source)
    return " · ".join(bit for bit in (kind, part, side.lower(), where) if bit)


def _combo(choices: tuple[tuple[str, str], ...], prompt: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem(prompt, "")
    for code, words in choices:
        combo.addItem(words, code)
    return combo


class CapturePanel(QWidget):
    """Live video with freeze, still and clip keys, and the strip of this session's captures."""

    def __init__(self, capture: VideoCapture, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capture = capture
        self.device = QComboBox()
        self.device.setAccessibleName(self.tr("Video input"))
        self.connect_button = QPushButton(self.tr("Connect"))
        self.source_words = label("", "hint", wrap=True)
        self.source_words.hide()
        self.live = LiveView(capture)
        self.body_part = _combo(BODY_PARTS, self.tr("Body part…"))
        self.body_part.setAccessibleName(self.tr("Body part scanned"))
        self.side = _combo(SIDES, self.tr("Side…"))
        self.side.setAccessibleName(self.tr("Side scanned"))
        self.place_error = label("", "fieldError", wrap=True)
        self.place_error.hide()
        self.burned_in = QCheckBox(self.tr("The video may show patient details"))
        self.burned_in.setChecked(True)
        self.burned_in.setToolTip(
            self.tr(
                "Most scanners print the patient's name on screen. Leave this ticked unless "
                "you know this video shows none: teaching copies then warn about it."
            )
        )
        self.freeze_button = QPushButton(self.tr("Freeze (Space)"))
        self.freeze_button.setCheckable(True)
        self.still_button = QPushButton(self.tr("Capture still (Enter)"))
        set_role(self.still_button, "", variant="primary")
        self.clip_button = QPushButton(self.tr("Record clip (R)"))
        self.clip_button.setCheckable(True)
        # Wide enough for "Stop recording (R)", so the row does not jump when it changes.
        stop_words = self.clip_button.fontMetrics().horizontalAdvance(self.tr("Stop recording (R)"))
        self.clip_button.setMinimumWidth(stop_words + 48)
        self.strip = QListWidget()
        self.strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.strip.setFlow(QListWidget.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setIconSize(QSize(96, 64))
        self.strip.setFixedHeight(112)
        self.strip.setAccessibleName(self.tr("Captured this session"))
        self._lay_out()
        self._fill_devices()
        self.connect_button.clicked.connect(self._on_connect_clicked)
        self.freeze_button.toggled.connect(capture.freeze)
        self.freeze_button.toggled.connect(lambda _on: self.live.update())
        capture.source_changed.connect(self._on_capture_source_changed)
        for keys, slot in (
            (Qt.Key.Key_Space, self.freeze_button.toggle),
            (Qt.Key.Key_Return, self.still_button.click),
            (Qt.Key.Key_Enter, self.still_button.click),
            (Qt.Key.Key_R, self.clip_button.toggle),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        source = QHBoxLayout()
        source.addWidget(self.device, 1)
        source.addWidget(self.connect_button)
        layout.addLayout(source)
        layout.addWidget(self.source_words)
        layout.addWidget(self.live, 1)
        place = QHBoxLayout()
        place.addWidget(self.body_part, 1)
        place.addWidget(self.side, 1)
        place.addWidget(self.burned_in, 2)
        layout.addLayout(place)
        layout.addWidget(self.place_error)
        keys = QHBoxLayout()
        keys.addWidget(self.freeze_button)
        keys.addWidget(self.clip_button)
        keys.addStretch(1)
        keys.addWidget(self.still_button)
        layout.addLayout(keys)
        layout.addWidget(label(self.tr("Captured this session"), "subheading"))
        layout.addWidget(self.strip)

    def _on_capture_source_changed(self, words: str) -> None:
        self.source_words.setText(words)
        self.source_words.setVisible(bool(words))

    def _fill_devices(self) -> None:
        self.device.clear()
        devices = self.capture.devices()
        for device in devices:
            self.device.addItem(device.description(), device)
        self.device.setEnabled(bool(devices))
        self.connect_button.setEnabled(bool(devices))
        if devices:
            self.live.placeholder = self.tr("Choose the video input and press Connect.")
        else:
            self.device.addItem(self.tr("No camera detected"))
            self.live.placeholder = self.tr(
                "No camera detected. Plug in the frame grabber from the ultrasound machine's "
                "video output, or import files with Import a file."
            )
        self.live.update()

    def _on_connect_clicked(self) -> None:
        device = self.device.currentData()
        if device is not None:
            self.capture.open_device(device)

    def place(self) -> tuple[str, str]:
        """The body part and side chosen (empty when not chosen)."""
        return str(self.body_part.currentData() or ""), str(self.side.currentData() or "")

    def show_place_error(self, text: str) -> None:
        self.place_error.setText(text)
        self.place_error.setVisible(bool(text))

    def add_to_strip(self, image: QImage | None, words: str, instance: InstanceView) -> None:
        """Put a capture at the end of the strip (newest on the right)."""
        icon = QIcon()
        if image is not None and not image.isNull():
            icon = QIcon(
                QPixmap.fromImage(
                    image.scaled(
                        self.strip.iconSize(),
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                )
            )
        item = QListWidgetItem(icon, words)
        item.setData(Qt.ItemDataRole.UserRole, instance)
        item.setToolTip(words)
        self.strip.addItem(item)
        self.strip.scrollToItem(item)


class ImagingView(QWidget):
    """The open patient's imaging: studies on the left, capture or viewer on the right."""

    #: The person wants to write (or carry on) the report of this study.
    report_requested = Signal(object)

    def __init__(
        self,
        view_model: ImagingViewModel,
        capture: VideoCapture | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.capture = capture or VideoCapture(self)
        self.heading = label(self.tr("Imaging"), "heading")
        self.notice = NoticeBar()
        self.plan_button = QPushButton(self.tr("Put on the scanner's worklist"))
        self.plan_button.setToolTip(
            self.tr("The scanner then offers this patient, and its images arrive here labelled")
        )
        self.import_button = QPushButton(self.tr("Import a file…"))
        self.studies = QTreeWidget()
        self.studies.setHeaderHidden(True)
        self.studies.setAccessibleName(self.tr("Studies and their images"))
        self.studies.setMinimumWidth(280)
        self.pacs_state = label("", "hint", wrap=True)
        self.send_button = QPushButton(self.tr("Send study to PACS"))
        self.educational = QCheckBox(self.tr("Educational (never sent to the PACS)"))
        self.report_button = QPushButton(self.tr("Report this study"))
        set_role(self.report_button, "", variant="primary")
        self.teaching_button = QPushButton(self.tr("Teaching copy…"))
        self.teaching_button.setToolTip(
            self.tr(
                "The study's images and report with the patient's details removed, saved to a "
                "folder. The report keeps its codes, measurements and key images; its free "
                "text, names and dates are taken out."
            )
        )
        #: Asks the person to go on despite a warning; tests replace it to answer.
        self.confirm: Callable[[str], bool] = self._ask
        #: Asks where to save a teaching copy; tests replace it.
        self.choose_folder: Callable[[], str] = self._ask_folder
        #: Asks which file to import; tests replace it.
        self.choose_import: Callable[[], str] = self._ask_import
        self.capture_panel = CapturePanel(self.capture)
        self.viewer = ImageViewer()
        self.tabs = QTabWidget()
        # The capture panel scrolls rather than push the window past a small laptop screen.
        capture_scroll = QScrollArea()
        capture_scroll.setWidgetResizable(True)
        capture_scroll.setFrameShape(QFrame.Shape.NoFrame)
        capture_scroll.setWidget(self.capture_panel)
        self.tabs.addTab(capture_scroll, self.tr("Live capture"))
        self.tabs.addTab(self.viewer, self.tr("Viewer"))
        #: The frame shown when the last capture was asked for, for its thumbnail.
        self._strip_image: QImage | None = None
        #: The image in the viewer, and the one the marks waiting to be saved were drawn on.
        self._in_viewer: uuid.UUID | None = None
        self._marks_for: uuid.UUID | None = None
        self._marks_timer = QTimer(self)
        self._marks_timer.setSingleShot(True)
        self._marks_timer.setInterval(600)
        self._lay_out()
        self._connect()
        self._show_study(None)

    def _lay_out(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(label(self.tr("Studies"), "subheading"))
        column.addWidget(self.studies, 1)
        column.addWidget(self.report_button)
        column.addWidget(self.pacs_state)
        column.addWidget(self.educational)
        column.addWidget(self.send_button)
        column.addWidget(self.teaching_button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])
        splitter.setChildrenCollapsible(False)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.plan_button)
        top.addWidget(self.import_button)
        layout = QGridLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top, 0, 0)
        layout.addWidget(self.notice, 1, 0)
        layout.addWidget(splitter, 2, 0)
        layout.setRowStretch(2, 1)

    def _connect(self) -> None:
        vm = self._vm
        vm.studies_loaded.connect(self._on_vm_studies_loaded)
        vm.image_loaded.connect(self._on_vm_image_loaded)
        vm.captured.connect(self._on_vm_captured)
        vm.notice.connect(lambda text: self.notice.show_notice(text, "success"))
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.field_error.connect(lambda _field, text: self.capture_panel.show_place_error(text))
        vm.busy_changed.connect(self._on_vm_busy_changed)
        panel = self.capture_panel
        panel.still_button.clicked.connect(self._on_still_clicked)
        panel.clip_button.toggled.connect(self._on_clip_toggled)
        panel.strip.itemActivated.connect(self._on_strip_item)
        panel.strip.itemClicked.connect(self._on_strip_item)
        self.capture.clip_limit_reached.connect(lambda: panel.clip_button.setChecked(False))
        self.studies.currentItemChanged.connect(self._on_study_item_changed)
        self.studies.itemActivated.connect(self._on_study_item_activated)
        self.studies.itemClicked.connect(self._on_study_item_activated)
        self.send_button.clicked.connect(self._on_send_clicked)
        self.educational.clicked.connect(self._on_educational_clicked)
        self.teaching_button.clicked.connect(self._on_teaching_clicked)
        self.report_button.clicked.connect(self._on_report_clicked)
        vm.teaching_copy_ready.connect(self._on_vm_teaching_copy_ready)
        self.plan_button.clicked.connect(vm.plan_scan)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.viewer.annotations_changed.connect(self._on_marks_drawn)
        self._marks_timer.timeout.connect(self._save_marks)

    # ------------------------------------------------------------ capture

    def _on_still_clicked(self) -> None:
        frame = self.capture.still()
        if frame is None:
            self.notice.show_notice(self.tr("There is no video frame to capture yet."), "problem")
            return
        self.capture_panel.show_place_error("")
        part, side = self.capture_panel.place()
        self._strip_image = self.capture.latest_image()
        self._vm.capture_still(frame, part, side, self.capture_panel.burned_in.isChecked())

    def _on_clip_toggled(self, on: bool) -> None:
        panel = self.capture_panel
        if on:
            panel.show_place_error("")
            self.capture.start_clip()
            panel.clip_button.setText(self.tr("Stop recording (R)"))
            self.capture_panel.live.update()
            return
        panel.clip_button.setText(self.tr("Record clip (R)"))
        clip = self.capture.stop_clip()
        self.capture_panel.live.update()
        if clip is None:
            self.notice.show_notice(
                self.tr("The clip was too short to keep: no video arrived while recording."),
                "problem",
            )
            return
        part, side = panel.place()
        self._strip_image = self.capture.latest_image()
        seconds = clip.frames.shape[0] * clip.frame_time_ms / 1000
        self.notice.show_notice(
            self.tr("Keeping the {seconds:.1f} second clip…").format(seconds=seconds)
            + (
                self.tr(" It stopped at the longest clip the app keeps.")
                if clip.stopped_at_limit
                else ""
            )
        )
        self._vm.capture_clip(
            clip.frames, clip.frame_time_ms, part, side, panel.burned_in.isChecked()
        )

    def _on_vm_captured(self, instance: InstanceView) -> None:
        self.capture_panel.add_to_strip(self._strip_image, instance_words(instance), instance)
        self.notice.show_notice(
            self.tr("Kept in the record: {what}.").format(what=instance_words(instance)), "success"
        )

    def _on_strip_item(self, item: QListWidgetItem) -> None:
        instance = item.data(Qt.ItemDataRole.UserRole)
        if instance is not None:
            self.save_marks_now()  # the marks drawn so far stay on the image they are on
            self._vm.open_image(instance)

    def _ask_import(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import an image or clip"),
            "",
            self.tr(
                "Images and clips (*.dcm *.dicom *.png *.jpg *.jpeg *.mp4 *.mov);;All files (*)"
            ),
        )
        return path

    def _on_import_clicked(self) -> None:
        path = self.choose_import()
        if path:
            part, side = self.capture_panel.place()
            self._vm.import_path(path, part, side)

    # ------------------------------------------------------------ studies

    def _on_vm_studies_loaded(self, studies: list[StudyView]) -> None:
        current = self._current_study()
        # A study asked for by name (once), else the one selected before the list was read.
        current_id = self._vm.focus_study_id or (current.id if current is not None else None)
        self._vm.focus_study_id = None
        self.studies.clear()
        select: QTreeWidgetItem | None = None
        for study in studies:
            when = study.started_at.astimezone()
            count = len(study.instances)
            top = QTreeWidgetItem(
                [
                    f"{formatting.clinical_date(when.date())} {when:%H:%M} · "
                    + (self.tr("1 image") if count == 1 else self.tr("{n} images").format(n=count))
                ]
            )
            top.setData(0, Qt.ItemDataRole.UserRole, study)
            top.setToolTip(
                0,
                f"{study.description}\n{PACS_WORDS.get(study.pacs_state, study.pacs_state)}",
            )
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for instance in study.instances:
                child = QTreeWidgetItem([instance_words(instance)])
                child.setData(0, Qt.ItemDataRole.UserRole, instance)
                top.addChild(child)
            if not study.instances:
                waiting = QTreeWidgetItem([self.tr("No images yet")])
                waiting.setDisabled(True)
                top.addChild(waiting)
            self.studies.addTopLevelItem(top)
            top.setExpanded(True)
            if select is None or study.id == current_id:
                select = top
        if select is not None:
            self.studies.setCurrentItem(select)
        self._show_study(self._current_study())

    def _current_study(self) -> StudyView | None:
        item = self.studies.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        study = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return study if isinstance(study, StudyView) else None

    def _on_study_item_changed(self, *_items: object) -> None:
        self._show_study(self._current_study())

    def _on_study_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        value = item.data(0, Qt.ItemDataRole.UserRole)
        # Reports kept as DICOM have no pixels to show: they open on the report page.
        if isinstance(value, InstanceView) and value.frames > 0:
            self.save_marks_now()  # the marks drawn so far stay on the image they are on
            self._vm.open_image(value)

    def _show_study(self, study: StudyView | None) -> None:
        if study is None:
            self.pacs_state.setText(self.tr("No imaging for this patient yet."))
            self.send_button.setEnabled(False)
            self.teaching_button.setEnabled(False)
            self.report_button.setEnabled(False)
            self.educational.setEnabled(False)
            self.educational.setChecked(False)
            return
        words = PACS_WORDS.get(study.pacs_state, study.pacs_state)
        if study.pacs_state == "archived" and study.archived_at is not None:
            when = study.archived_at.astimezone()
            words += f" ({formatting.clinical_date(when.date())} {when:%H:%M})"
        elif study.pacs_state == "waiting" and study.pacs_attempts:
            words += self.tr(" · tried {count} time(s), trying again").format(
                count=study.pacs_attempts
            )
        if study.pacs_error and study.pacs_state in ("waiting", "stopped"):
            # What the PACS said (or why nothing was sent), in the imaging domain's words.
            words += "\n" + errors.message_for(ClinicError(study.pacs_error))
        merged_away = {study.patient_id, study.pacs_patient_id} - {None, self._vm.patient_id}
        if study.pacs_patient_id in merged_away:
            words += "\n" + self.tr(
                "Made under a registration since merged into this record. The PACS holds it "
                "under the name and NHS number it was first sent with, and what is added to it "
                "goes the same way, so it stays one patient's there. Ask the PACS team to "
                "merge the two patients in the PACS."
            )
        elif merged_away:
            words += "\n" + self.tr(
                "Made under a registration since merged into this record. It goes to the "
                "PACS under this record's name and NHS number."
            )
        self.pacs_state.setText(words)
        self.send_button.setEnabled(
            study.pacs_state in ("not_sent", "stopped", "waiting") and bool(study.instances)
        )
        self.send_button.setText(
            self.tr("Try the PACS again now")
            if study.pacs_state == "waiting"
            else self.tr("Send study to PACS")
        )
        self.teaching_button.setEnabled(bool(study.instances))
        self.report_button.setEnabled(bool(study.instances))
        self.educational.setChecked(study.purpose == "educational")
        self.educational.setEnabled(study.pacs_state in ("not_sent", "educational", "stopped"))

    def _on_send_clicked(self) -> None:
        study = self._current_study()
        if study is not None:
            self._vm.send_to_pacs(study.id)

    def _on_educational_clicked(self, checked: bool) -> None:
        study = self._current_study()
        if study is not None:
            self._vm.set_educational(study.id, checked)

    def _on_report_clicked(self) -> None:
        study = self._current_study()
        if study is not None:
            self.report_requested.emit(study.id)

    def _on_teaching_clicked(self) -> None:
        study = self._current_study()
        if study is not None:
            self._vm.teaching_copy(study.id)

    def _on_vm_teaching_copy_ready(self, copy: TeachingCopy) -> None:
        if copy.pixels_may_identify and not self.confirm(
            self.tr(
                "These pictures may show the patient's name or other details, written into "
                "the image by the scanner. The copy removes the patient's details from the "
                "DICOM data only.\n\nBefore sharing it, look at every image and crop or "
                "mask any text that could identify the patient. Save the copy?"
            )
        ):
            return
        folder = self.choose_folder()
        if not folder:
            return
        for name, data in copy.files:
            (Path(folder) / name).write_bytes(data)
        saved = self.tr("Saved {count} de-identified image(s) as {pseudonym}.").format(
            count=len(copy.files) - copy.reports, pseudonym=copy.pseudonym
        )
        if copy.reports:
            saved += " " + self.tr(
                "The report is included without its free text, names and dates: add your own "
                "teaching notes."
            )
        self.notice.show_notice(saved, "success")

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.warning(
            self,
            self.tr("Teaching copy"),
            question,
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Save

    def _ask_folder(self) -> str:
        return QFileDialog.getExistingDirectory(self, self.tr("Save the teaching copy in"))

    # ------------------------------------------------------------ viewer

    def _on_vm_image_loaded(self, loaded: LoadedImage) -> None:
        instance, data, marks = loaded
        self.save_marks_now()  # any still waiting belong to the image going off the viewer
        self.tabs.setCurrentWidget(self.viewer)
        self._in_viewer = instance.id
        self.viewer.show_object(data)
        self.viewer.set_annotations(marks)
        self._marks_timer.stop()  # its own marks, as stored: nothing to save
        self._marks_for = None

    def save_marks_now(self) -> None:
        """Save marks still waiting for the pause after drawing (locking, quitting)."""
        if self._marks_timer.isActive():
            self._marks_timer.stop()
            self._save_marks()

    def _on_marks_drawn(self) -> None:
        """Marks changed on the image in the viewer: saved on it once the drawing pauses."""
        if self._in_viewer is None:
            return
        self._marks_for = self._in_viewer
        self._marks_timer.start()

    def _save_marks(self) -> None:
        # Onto the image they were drawn on, whichever is chosen or on its way meanwhile.
        drawn_on, self._marks_for = self._marks_for, None
        if drawn_on is not None and drawn_on == self._in_viewer:
            self._vm.save_marks(drawn_on, self.viewer.annotations())

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.import_button.setEnabled(not busy)
        self.capture_panel.still_button.setEnabled(not busy)

    def reset(self) -> None:
        """Clear what was on show (switching user)."""
        # Saved before this (the screen's save_now); no image is in the viewer any more.
        self._marks_timer.stop()
        self._in_viewer = self._marks_for = None
        self.studies.clear()
        self.capture_panel.strip.clear()
        self.viewer.clear()
        self.notice.hide_notice()
