"""The theme keeps a read-only answer readable: a checked box or option stays visibly checked."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QRadioButton
from pytestqt.qtbot import QtBot

from ui.common.theme import apply_theme


def _indicator_darkness(qtbot: QtBot, button: QAbstractButton) -> float:
    """How dark the tick box or option circle is on average (0 white, 1 black)."""
    qtbot.addWidget(button)
    button.resize(200, 30)
    button.show()
    QApplication.processEvents()
    image = button.grab().toImage()
    # The indicator sits at the left, after the padding: about 20 px square, 4 px in.
    middle = image.height() // 2
    pixels = [
        QColor(image.pixel(x, y)).lightnessF()
        for x in range(8, 21)
        for y in range(middle - 5, middle + 6)
    ]
    return 1 - sum(pixels) / len(pixels)


def test_a_read_only_checked_answer_looks_checked_and_an_unchecked_one_does_not(
    qtbot: QtBot,
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    for kind in (QRadioButton, QCheckBox):
        checked, unchecked = kind("Yes"), kind("No")
        checked.setChecked(True)
        for button in (checked, unchecked):
            button.setEnabled(False)
        dark = _indicator_darkness(qtbot, checked)
        light = _indicator_darkness(qtbot, unchecked)
        assert dark > 0.3, (kind.__name__, dark)
        assert light < 0.2, (kind.__name__, light)
