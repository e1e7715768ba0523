"""The image viewer's buttons, frame slider and the words it shows under the image."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.imaging.dicom.measure import Calibration, Measurement
from ui.common import theme
from ui.common.viewer_overlay import ViewerTool
from ui.common.widgets import FlowLayout, repolish

STYLE = f"""
QPushButton[viewerButton="true"] {{ padding: 3px 10px; }}
QPushButton[viewerButton="true"]:checked {{
    background: {theme.NHS_BLUE}; color: {theme.NHS_WHITE}; border-color: {theme.NHS_BLUE};
}}
QPushButton[viewerButton="true"]:checked:focus {{
    background: {theme.NHS_FOCUS_YELLOW}; color: {theme.NHS_BLACK};
    border: 2px solid {theme.NHS_BLACK}; text-decoration: underline;
}}
QSlider:focus {{ background: {theme.NHS_FOCUS_YELLOW}; }}
QLabel#viewerCalibration {{ font-weight: 700; color: {theme.NHS_DARK_GREY}; }}
QLabel#viewerCalibration[calibrated="true"] {{ color: {theme.NHS_GREEN}; }}
QLabel#viewerMeasurement {{ font-weight: 700; font-size: 11.5pt; }}
QLabel#viewerRefusal {{ color: {theme.NHS_RED}; font-weight: 600; }}
"""


def _tr(text: str) -> str:
    return QCoreApplication.translate("ImageViewer", text)


def calibration_words(calibration: Calibration) -> str:
    """What the viewer says, permanently, about how distances can be measured on an image."""
    if calibration.source == "us_regions" and calibration.calibrated:
        return _tr("Calibrated (ultrasound regions)")
    if calibration.source == "pixel_spacing" and calibration.calibrated:
        return _tr("Calibrated (pixel spacing)")
    return _tr("Uncalibrated: distances in pixels only")


def refusal_words(status: str) -> str:
    """Why a line was not measured, in words for a clinician ("" when it was measured)."""
    words = {
        "outside_regions": _tr(
            "No distance shown: an end of the line is outside the scanned picture, where "
            "the image has no scale. Measure inside the ultrasound picture."
        ),
        "different_scale": _tr(
            "No distance shown: the two ends are in parts of the image with different "
            "scales, so any number would be wrong. Measure within one part of the image."
        ),
        "across_regions": _tr(
            "No distance shown: the line runs from one view of the image into another. "
            "Measure within one view."
        ),
    }
    return words.get(status, "")


def measurement_words(measurement: Measurement) -> str:
    """A measured length as shown: mm to one decimal, or pixels marked uncalibrated."""
    if measurement.status == "mm" and measurement.mm is not None:
        return _tr("{mm} mm").format(mm=f"{measurement.mm:.1f}")
    if measurement.status == "uncalibrated":
        return _tr("{pixels} pixels (uncalibrated)").format(pixels=f"{measurement.pixels:.0f}")
    return ""


def rate_words(frame_time_ms: float) -> str:
    """Frames per second, whole when it is close to whole: "25", "12.5"."""
    rate = 1000.0 / frame_time_ms
    return f"{rate:.0f}" if abs(rate - round(rate)) < 0.05 else f"{rate:.1f}"


def _button(text: str, name: str, *, checkable: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setProperty("viewerButton", "true")
    button.setAccessibleName(name)
    button.setToolTip(name)
    button.setCheckable(checkable)
    button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return button


def _named_label(name: str) -> QLabel:
    widget = QLabel()
    widget.setObjectName(name)
    return widget


class ViewerControls:
    """Lays out a viewer around its image: tools above; playback and what was measured below.

    Holds the widgets and writes the words; the viewer connects their signals.
    """

    def __init__(self, owner: QWidget, canvas: QWidget) -> None:
        owner.setStyleSheet(STYLE)
        self.tool_group = QButtonGroup(owner)
        self.tool_group.setExclusive(True)
        toolbar = self._toolbar()
        playbar = self._playbar()

        self.calibration_label = _named_label("viewerCalibration")
        self.view_label = _named_label("viewerView")
        self.view_label.setProperty("role", "hint")
        info = QHBoxLayout()
        info.addWidget(self.calibration_label)
        info.addStretch(1)
        info.addWidget(self.view_label)
        self.measurement_label = _named_label("viewerMeasurement")
        self.measurement_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refusal_label = _named_label("viewerRefusal")
        self.refusal_label.setWordWrap(True)

        layout = QVBoxLayout(owner)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(toolbar)
        layout.addWidget(canvas, 1)
        layout.addLayout(playbar)
        layout.addLayout(info)
        layout.addWidget(self.measurement_label)
        layout.addWidget(self.refusal_label)
        self.show_result("", "")

    def _toolbar(self) -> QWidget:
        self.tool_buttons: dict[ViewerTool, QPushButton] = {
            ViewerTool.MEASURE: _button(
                _tr("Measure (M)"), _tr("Measure distance"), checkable=True
            ),
            ViewerTool.ARROW: _button(_tr("Arrow (A)"), _tr("Draw an arrow"), checkable=True),
            ViewerTool.TEXT: _button(_tr("Label (T)"), _tr("Add a text label"), checkable=True),
            ViewerTool.PAN: _button(_tr("Pan (P)"), _tr("Move the image"), checkable=True),
            ViewerTool.WINDOW: _button(
                _tr("Window/Level (W)"), _tr("Brightness and contrast"), checkable=True
            ),
        }
        toolbar = QWidget()
        toolbar.setObjectName("viewerToolbar")
        flow = FlowLayout(toolbar, spacing=6)
        for button in self.tool_buttons.values():
            self.tool_group.addButton(button)
            flow.addWidget(button)
        self.tool_buttons[ViewerTool.MEASURE].setChecked(True)
        # A thin rule between the tools (what a drag does) and the actions (done at once).
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.VLine)
        rule.setStyleSheet(f"color: {theme.NHS_BORDER_GREY};")
        rule.setFixedSize(10, self.tool_buttons[ViewerTool.MEASURE].sizeHint().height())
        flow.addWidget(rule)
        self.zoom_out_button = _button(_tr("Zoom out (-)"), _tr("Zoom out"))
        self.zoom_in_button = _button(_tr("Zoom in (+)"), _tr("Zoom in"))
        self.fit_button = _button(_tr("Fit (F)"), _tr("Fit the image to the space"))
        self.reset_button = _button(_tr("Reset (R)"), _tr("Reset zoom and window"))
        self.delete_button = _button(_tr("Remove mark (Del)"), _tr("Remove a mark"))
        for button in (*self.view_buttons(), self.delete_button):
            flow.addWidget(button)
        return toolbar

    def _playbar(self) -> QHBoxLayout:
        self.play_button = _button(_tr("Pause (Space)"), _tr("Play or pause the clip"))
        # Wide enough for either word, so the slider does not jump when it changes.
        self.play_button.setMinimumWidth(self.play_button.sizeHint().width())
        self.play_button.setText(_tr("Play (Space)"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName(_tr("Frame"))
        self.slider.setPageStep(10)
        self.frame_label = _named_label("viewerFrame")
        playbar = QHBoxLayout()
        playbar.addWidget(self.play_button)
        playbar.addWidget(self.slider, 1)
        playbar.addWidget(self.frame_label)
        return playbar

    def view_buttons(self) -> tuple[QPushButton, ...]:
        return (self.zoom_out_button, self.zoom_in_button, self.fit_button, self.reset_button)

    def show_state(self, *, has_image: bool, is_clip: bool) -> None:
        """Offer only what makes sense: tools with an image, playback for a clip."""
        for button in (*self.tool_buttons.values(), *self.view_buttons()):
            button.setEnabled(has_image)
        for widget in (self.play_button, self.slider):
            widget.setVisible(is_clip)
            widget.setEnabled(is_clip)

    def show_playing(self, playing: bool) -> None:
        self.play_button.setText(_tr("Pause (Space)") if playing else _tr("Play (Space)"))

    def show_calibration(self, calibration: Calibration | None) -> None:
        """The permanent words on calibration ("" with no image)."""
        if calibration is None:
            self.calibration_label.setText("")
            return
        self.calibration_label.setText(calibration_words(calibration))
        self.calibration_label.setProperty(
            "calibrated", "true" if calibration.calibrated else "false"
        )
        repolish(self.calibration_label)

    def show_position(
        self, index: int, count: int, frame_time_ms: float, *, stored: bool = True
    ) -> None:
        """The frame counter ("Frame 12 of 300 · 25 fps") and the slider.

        ``stored`` is False when the clip gave no timing and plays at a default rate.
        """
        if count == 0:
            self.frame_label.setText("")
            return
        if count == 1:
            self.frame_label.setText(_tr("Still image"))
            return
        rate = (_tr("{fps} fps") if stored else _tr("{fps} fps (timing not stored)")).format(
            fps=rate_words(frame_time_ms)
        )
        self.frame_label.setText(
            _tr("Frame {number} of {count} · {rate}").format(
                number=index + 1, count=count, rate=rate
            )
        )
        self.slider.blockSignals(True)
        self.slider.setRange(0, count - 1)
        self.slider.setValue(index)
        self.slider.blockSignals(False)

    def show_view(self, zoom: float | None, window: tuple[float, float] | None) -> None:
        """Zoom and window as numbers, for a clinician who wants to know ("" with no image)."""
        if zoom is None:
            self.view_label.setText("")
            return
        parts = [_tr("Zoom {percent}%").format(percent=f"{zoom * 100:.0f}")]
        if window is not None:
            centre, width = window
            parts.append(
                _tr("Window {width} / level {centre}").format(
                    width=f"{width:.0f}", centre=f"{centre:.0f}"
                )
            )
        self.view_label.setText(" · ".join(parts))

    def show_result(self, measurement: str, refusal: str) -> None:
        """The last length measured, or why none is shown."""
        self.measurement_label.setText(
            _tr("Distance: {length}").format(length=measurement) if measurement else ""
        )
        self.refusal_label.setText(refusal)
        self.measurement_label.setVisible(bool(measurement))
        self.refusal_label.setVisible(bool(refusal))
