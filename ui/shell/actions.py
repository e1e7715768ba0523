"""The window's actions, generated: one per declared screen, plus the window's own commands.

Whether an action is on is one expression over ``WindowFacts``: a screen's from its
declaration (who, whether it needs a patient), a command's from its own line below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from ui.common.screen import ScreenSpec, WindowFacts, WindowState

MENUS: tuple[tuple[str, str], ...] = (
    ("patient", "&Patient"),
    ("service", "Ser&vice"),
    ("session", "&Session"),
)
"""The menu bar, left to right: (id, title)."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("Screens", text)


@dataclass(frozen=True)
class Command:
    """One of the window's own actions (not a screen): save, lock, switch user, quit."""

    id: str
    title: str
    tip: str
    shortcut: str | QKeySequence.StandardKey
    menu: str
    group: int
    order: int
    enabled: Callable[[WindowFacts], bool]
    on_home: bool = True
    """Listed with its keys on the home page."""


COMMANDS: tuple[Command, ...] = (
    Command(
        "save",
        "&Save form",
        "Save the open form",
        "Ctrl+S",
        "patient",
        group=1,
        order=0,
        enabled=lambda facts: facts.working and facts.form_showing,
    ),
    Command(
        "lock",
        "&Lock",
        "Lock the screen, keeping your work",
        "Ctrl+L",
        "session",
        group=0,
        order=0,
        enabled=lambda facts: facts.working,
    ),
    Command(
        "switch_user",
        "S&witch user",
        "Save drafts and let someone else sign in",
        "Ctrl+Shift+S",
        "session",
        group=0,
        order=1,
        enabled=lambda facts: facts.state is not WindowState.SIGNED_OUT and not facts.handed_over,
    ),
    Command(
        "quit",
        "&Quit",
        "Close the app",
        QKeySequence.StandardKey.Quit,
        "session",
        group=1,
        order=0,
        enabled=lambda facts: not facts.handed_over,
        on_home=False,
    ),
)


@dataclass(frozen=True)
class _Entry:
    id: str
    menu: str
    group: int
    order: int
    enabled: Callable[[WindowFacts], bool]
    on_home: bool


class WindowActions:
    """The QActions of a window, its menus, and their enabling."""

    def __init__(
        self,
        window: QMainWindow,
        screens: Iterable[ScreenSpec],
        commands: Iterable[Command],
        trigger: Callable[[str], None],
    ) -> None:
        self._actions: dict[str, QAction] = {}
        self._entries: list[_Entry] = []
        for spec in screens:
            if spec.menu is None:
                continue
            self._add(window, spec.id, spec.title, spec.shortcut, spec.tip, trigger)
            self._entries.append(
                _Entry(
                    spec.id, spec.menu, spec.group, spec.order, spec.enabled, bool(spec.shortcut)
                )
            )
        for command in commands:
            self._add(window, command.id, command.title, command.shortcut, command.tip, trigger)
            self._entries.append(
                _Entry(
                    command.id,
                    command.menu,
                    command.group,
                    command.order,
                    command.enabled,
                    command.on_home,
                )
            )
        self._entries.sort(key=lambda entry: (entry.menu, entry.group, entry.order))
        self._fill_menus(window)

    def _add(  # noqa: PLR0917 - one action's parts, in the order a menu item reads
        self,
        window: QMainWindow,
        action_id: str,
        title: str,
        keys: str | QKeySequence.StandardKey,
        tip: str,
        trigger: Callable[[str], None],
    ) -> None:
        action = QAction(_tr(title), window)
        action.setObjectName(f"{action_id}_action")
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setStatusTip(_tr(tip))
        action.setToolTip(_tr(tip))
        action.triggered.connect(lambda _checked=False, which=action_id: trigger(which))
        window.addAction(action)
        self._actions[action_id] = action

    def _fill_menus(self, window: QMainWindow) -> None:
        known = {menu_id for menu_id, _title in MENUS}
        strays = {entry.menu for entry in self._entries} - known
        if strays:
            raise ValueError(f"screens declared in menus that do not exist: {sorted(strays)}")
        menu_bar = window.menuBar()
        for menu_id, title in MENUS:
            menu: QMenu = menu_bar.addMenu(_tr(title))
            menu.setObjectName(f"{menu_id}_menu")
            group: int | None = None
            for entry in self._in_menu(menu_id):
                if group is not None and entry.group != group:
                    menu.addSeparator()
                group = entry.group
                menu.addAction(self._actions[entry.id])

    def _in_menu(self, menu_id: str) -> list[_Entry]:
        return [entry for entry in self._entries if entry.menu == menu_id]

    def action(self, action_id: str) -> QAction:
        """The action of a screen (by its id) or of a command (``save``, ``lock`` ...)."""
        return self._actions[action_id]

    def ids(self) -> list[str]:
        """Every action's id, in menu order."""
        return [entry.id for menu_id, _title in MENUS for entry in self._in_menu(menu_id)]

    def update(self, facts: WindowFacts) -> None:
        """Turn every action on or off by its expression."""
        for entry in self._entries:
            self._actions[entry.id].setEnabled(entry.enabled(facts))

    def expected(self, facts: WindowFacts) -> dict[str, bool]:
        """What ``update`` would set, by action id (for checks and tests)."""
        return {entry.id: entry.enabled(facts) for entry in self._entries}

    def shortcut_list(self) -> list[tuple[str, str]]:
        """(keys, what for) of every action the home page lists, in menu order."""
        native = QKeySequence.SequenceFormat.NativeText
        listed = {entry.id for entry in self._entries if entry.on_home}
        return [
            (
                self._actions[action_id].shortcut().toString(native),
                self._actions[action_id].statusTip(),
            )
            for action_id in self.ids()
            if action_id in listed
        ]
