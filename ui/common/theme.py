"""A calm NHS-like look: blue accents, pale grey surfaces, readable type, visible focus."""

from __future__ import annotations

from importlib.resources import files

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QColor, QFont, QGradient, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

# NHS identity colours (NHS England brand guidelines).
NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_BLACK = "#212B32"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_PALE_GREY = "#E8EDEE"
NHS_BORDER_GREY = "#D8DDE0"
NHS_BACKGROUND = "#F0F4F5"
NHS_WHITE = "#FFFFFF"
NHS_RED = "#D5281B"
NHS_GREEN = "#007F3B"
NHS_WARM_YELLOW = "#FFB81C"
NHS_FOCUS_YELLOW = "#FFEB3B"
NHS_PURPLE = "#330072"
NHS_PALE_BLUE = "#E8F1FA"
NHS_PALE_RED = "#FBEAE8"

NHS_INPUT_BORDER = "#4C6272"

BASE_POINT_SIZE = 10.5


def _icon(name: str) -> str:
    """Where a small icon of the theme lives, written the way a style sheet url() wants it."""
    return str(files("ui.common").joinpath(name)).replace("\\", "/")


CHECK_ICON = _icon("check.svg")
ARROW_ICON = _icon("chevron-down.svg")
ARROW_DISABLED_ICON = _icon("chevron-down-disabled.svg")

# Point sizes only, never pixels, so text follows the screen's scale factor.
STYLE_SHEET = f"""
QMainWindow, QWidget#workspace, QWidget#loginPage, QScrollArea > QWidget > QWidget {{
    background: {NHS_BACKGROUND};
}}
QWidget {{
    color: {NHS_BLACK};
}}
QLabel[role="title"] {{ font-size: 17pt; font-weight: 700; color: {NHS_BLACK}; }}
QLabel[role="heading"] {{ font-size: 13pt; font-weight: 700; color: {NHS_BLACK}; }}
QLabel[role="subheading"] {{ font-size: 11pt; font-weight: 700; color: {NHS_DARK_GREY}; }}
QLabel[role="hint"] {{ color: {NHS_DARK_GREY}; }}
QLabel[role="fieldLabel"] {{ font-weight: 600; }}
QLabel[role="fieldError"] {{ color: {NHS_RED}; font-weight: 600; }}
QLabel[role="brand"] {{
    background: {NHS_BLUE}; color: {NHS_WHITE}; font-weight: 700; font-size: 12pt;
    padding: 2px 8px;
}}

QFrame[role="card"] {{
    background: {NHS_WHITE};
    border: 1px solid {NHS_BORDER_GREY};
    border-radius: 6px;
}}
QFrame[role="card"] QLabel, QFrame[role="card"] QCheckBox, QFrame[role="card"] QRadioButton {{
    background: transparent;
}}
QFrame[role="banner"] {{
    background: {NHS_WHITE};
    border: 1px solid {NHS_BORDER_GREY};
    border-top: 4px solid {NHS_BLUE};
    border-radius: 4px;
}}
QFrame[role="banner"] QLabel {{ background: transparent; }}
QLabel[role="bannerName"] {{ font-size: 15pt; font-weight: 700; }}
QLabel[role="bannerKey"] {{ color: {NHS_DARK_GREY}; }}
QLabel[role="bannerValue"] {{ font-weight: 700; }}

QLabel[role="chip"] {{
    border-radius: 10px; padding: 2px 10px; font-weight: 700;
}}
QLabel[role="chip"][chip="allergy"] {{ background: {NHS_RED}; color: {NHS_WHITE}; }}
QLabel[role="chip"][chip="safeguarding"] {{ background: {NHS_PURPLE}; color: {NHS_WHITE}; }}
QLabel[role="chip"][chip="clinical"] {{ background: {NHS_WARM_YELLOW}; color: {NHS_BLACK}; }}
QLabel[role="chip"][chip="communication"] {{ background: {NHS_PALE_BLUE}; color: {NHS_DARK_BLUE};
    border: 1px solid {NHS_BLUE}; }}
QLabel[role="chip"][chip="access"] {{ background: {NHS_PALE_GREY}; color: {NHS_BLACK};
    border: 1px solid {NHS_MID_GREY}; }}
QLabel[role="chip"][chip="none"] {{ color: {NHS_DARK_GREY}; padding: 2px 0; }}

QFrame[role="notice"] {{
    background: {NHS_PALE_BLUE}; border: 1px solid {NHS_BORDER_GREY};
    border-left: 6px solid {NHS_BLUE}; border-radius: 2px;
}}
QFrame[role="notice"][tone="problem"] {{
    background: {NHS_PALE_RED}; border-left: 6px solid {NHS_RED};
}}
QFrame[role="notice"][tone="success"] {{ border-left: 6px solid {NHS_GREEN}; }}
QFrame[role="notice"] QLabel {{ background: transparent; }}

QLineEdit, QPlainTextEdit, QComboBox, QDateEdit {{
    background: {NHS_WHITE};
    border: 2px solid {NHS_INPUT_BORDER};
    border-radius: 3px;
    padding: 4px 6px;
    selection-background-color: {NHS_BLUE};
    selection-color: {NHS_WHITE};
}}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QDateEdit:focus {{
    border: 3px solid {NHS_BLACK};
    padding: 3px 5px;
    background: #FFFDF0;
}}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"],
QDateEdit[invalid="true"] {{
    border-color: {NHS_RED};
}}
QLineEdit:disabled, QComboBox:disabled, QPlainTextEdit:disabled, QSpinBox:disabled {{
    background: {NHS_PALE_GREY}; color: {NHS_MID_GREY}; border-color: {NHS_BORDER_GREY};
}}
QLineEdit#searchBox {{ font-size: 12pt; padding: 6px 8px; }}
QLineEdit#searchBox:focus {{ padding: 5px 7px; }}
QComboBox::drop-down, QDateEdit::drop-down {{
    subcontrol-origin: padding; subcontrol-position: center right; width: 26px; border: none;
}}
QComboBox::down-arrow, QDateEdit::down-arrow {{
    image: url("{ARROW_ICON}"); width: 14px; height: 14px;
}}
QComboBox::down-arrow:disabled, QDateEdit::down-arrow:disabled {{
    image: url("{ARROW_DISABLED_ICON}");
}}
QComboBox QAbstractItemView {{
    background: {NHS_WHITE}; selection-background-color: {NHS_BLUE};
    selection-color: {NHS_WHITE}; border: 1px solid {NHS_MID_GREY};
}}

QPushButton {{
    background: {NHS_WHITE};
    color: {NHS_BLUE};
    border: 2px solid {NHS_BLUE};
    border-radius: 4px;
    padding: 5px 16px;
    font-weight: 600;
}}
QPushButton:hover {{ background: {NHS_PALE_BLUE}; }}
QPushButton:pressed {{ background: #D2E3F5; }}
QPushButton[variant="primary"] {{
    background: {NHS_BLUE}; color: {NHS_WHITE}; border: 2px solid {NHS_BLUE};
}}
QPushButton[variant="primary"]:hover {{ background: #004C93; border-color: #004C93; }}
QPushButton[variant="primary"]:pressed {{ background: {NHS_DARK_BLUE}; }}
QPushButton:focus, QPushButton[variant="primary"]:focus {{
    background: {NHS_FOCUS_YELLOW}; color: {NHS_BLACK}; border: 2px solid {NHS_BLACK};
}}
QPushButton:disabled {{
    background: {NHS_PALE_GREY}; color: {NHS_MID_GREY}; border-color: {NHS_BORDER_GREY};
}}
QPushButton[variant="link"] {{
    background: transparent; border: 2px solid transparent; padding: 2px 4px;
    text-decoration: underline;
}}
QPushButton[variant="link"]:focus {{ background: {NHS_FOCUS_YELLOW}; border-color: {NHS_BLACK}; }}

QCheckBox, QRadioButton {{ spacing: 8px; padding: 3px 4px; }}
QCheckBox:focus, QRadioButton:focus {{
    background: {NHS_FOCUS_YELLOW}; border-radius: 3px;
}}
QCheckBox::indicator, QRadioButton::indicator {{
    width: 16px; height: 16px; background: {NHS_WHITE}; border: 2px solid {NHS_INPUT_BORDER};
}}
QCheckBox::indicator {{ border-radius: 2px; }}
QRadioButton::indicator {{ border-radius: 10px; }}
QCheckBox::indicator:checked {{
    background: {NHS_BLUE}; border-color: {NHS_BLUE}; image: url("{CHECK_ICON}");
}}
QRadioButton::indicator:checked {{
    border-color: {NHS_BLUE};
    background: qradialgradient(cx: 0.5, cy: 0.5, radius: 0.5, fx: 0.5, fy: 0.5,
        stop: 0 {NHS_BLUE}, stop: 0.55 {NHS_BLUE}, stop: 0.62 {NHS_WHITE}, stop: 1 {NHS_WHITE});
}}
QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{
    border-color: {NHS_BORDER_GREY}; background: {NHS_PALE_GREY};
}}
/* A read-only answer must still be read: checked stays plainly checked, in dark grey. */
QCheckBox::indicator:checked:disabled {{
    background: {NHS_DARK_GREY}; border-color: {NHS_DARK_GREY}; image: url("{CHECK_ICON}");
}}
QRadioButton::indicator:checked:disabled {{
    border-color: {NHS_DARK_GREY};
    background: qradialgradient(cx: 0.5, cy: 0.5, radius: 0.5, fx: 0.5, fy: 0.5,
        stop: 0 {NHS_DARK_GREY}, stop: 0.55 {NHS_DARK_GREY}, stop: 0.62 {NHS_PALE_GREY},
        stop: 1 {NHS_PALE_GREY});
}}

QTableView {{
    background: {NHS_WHITE};
    alternate-background-color: #F7F9FA;
    border: 1px solid {NHS_BORDER_GREY};
    gridline-color: {NHS_BORDER_GREY};
    selection-background-color: {NHS_BLUE};
    selection-color: {NHS_WHITE};
}}
QTableView:focus {{ border: 2px solid {NHS_BLACK}; }}
QTableView::item {{ padding: 4px 3px; }}
QTableView#dayList::item {{ padding: 4px; }}
QHeaderView::section {{
    background: {NHS_PALE_GREY};
    color: {NHS_BLACK};
    font-weight: 700;
    border: none;
    border-bottom: 2px solid {NHS_BORDER_GREY};
    border-right: 1px solid {NHS_BORDER_GREY};
    padding: 5px 4px;
}}

QScrollArea {{ border: none; background: transparent; }}
QScrollBar:vertical {{ background: transparent; width: 12px; margin: 0; }}
QScrollBar:horizontal {{ background: transparent; height: 12px; margin: 0; }}
QScrollBar::handle {{ background: #AEB7BD; border-radius: 4px; margin: 2px; }}
QScrollBar::handle:vertical {{ min-height: 32px; }}
QScrollBar::handle:horizontal {{ min-width: 32px; }}
QScrollBar::handle:hover {{ background: {NHS_MID_GREY}; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; border: none; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
QSplitter::handle {{ background: {NHS_BORDER_GREY}; }}

QMenuBar {{ background: {NHS_WHITE}; border-bottom: 1px solid {NHS_BORDER_GREY}; }}
QMenuBar::item {{ padding: 4px 10px; background: transparent; }}
QMenuBar::item:selected {{ background: {NHS_PALE_BLUE}; color: {NHS_DARK_BLUE}; }}
QMenu {{ background: {NHS_WHITE}; border: 1px solid {NHS_MID_GREY}; }}
QMenu::item {{ padding: 5px 24px 5px 16px; }}
QMenu::item:selected {{ background: {NHS_BLUE}; color: {NHS_WHITE}; }}
QMenu::item:disabled {{ color: {NHS_MID_GREY}; }}

QStatusBar {{ background: {NHS_PALE_GREY}; border-top: 1px solid {NHS_BORDER_GREY}; }}
QStatusBar QLabel {{ color: {NHS_BLACK}; padding: 0 10px; }}
QStatusBar::item {{ border: none; }}
QLabel[role="syncState"] {{ font-weight: 700; color: {NHS_DARK_GREY}; }}

QToolTip {{ background: {NHS_BLACK}; color: {NHS_WHITE}; border: none; padding: 4px; }}
"""


def base_font() -> QFont:
    """The application font: the platform's UI family at a readable point size."""
    font = QApplication.font()
    font.setPointSizeF(BASE_POINT_SIZE)
    return font


def palette() -> QPalette:
    """A palette to match the style sheet, for the parts the style sheet does not reach."""
    colours = QPalette()
    colours.setColor(QPalette.ColorRole.Window, QColor(NHS_BACKGROUND))
    colours.setColor(QPalette.ColorRole.WindowText, QColor(NHS_BLACK))
    colours.setColor(QPalette.ColorRole.Base, QColor(NHS_WHITE))
    colours.setColor(QPalette.ColorRole.AlternateBase, QColor("#F7F9FA"))
    colours.setColor(QPalette.ColorRole.Text, QColor(NHS_BLACK))
    colours.setColor(QPalette.ColorRole.Button, QColor(NHS_WHITE))
    colours.setColor(QPalette.ColorRole.ButtonText, QColor(NHS_BLUE))
    colours.setColor(QPalette.ColorRole.Highlight, QColor(NHS_BLUE))
    colours.setColor(QPalette.ColorRole.HighlightedText, QColor(NHS_WHITE))
    colours.setColor(QPalette.ColorRole.Link, QColor(NHS_BLUE))
    colours.setColor(QPalette.ColorRole.ToolTipBase, QColor(NHS_BLACK))
    colours.setColor(QPalette.ColorRole.ToolTipText, QColor(NHS_WHITE))
    colours.setColor(QPalette.ColorRole.PlaceholderText, QColor(NHS_MID_GREY))
    return colours


def apply_theme(app: QApplication) -> None:
    """Give the whole application the clinic look."""
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(palette())
    app.setFont(base_font())
    app.setStyleSheet(STYLE_SHEET)


DRAWING_TYPES = (QByteArray, QGradient)
"""Named here so that PySide loads them (and makes their enum types) as the app starts.

PySide loads a Qt class the first time it is named. Painting and sizing a table's cells name
these two on the way, a few milliseconds each, which would otherwise fall on the first sight
of the day list after sign-in.
"""
