"""The row chosen in a list stays chosen when the list reads itself again.

After a sync round or a record signed elsewhere, the same record is found by what identifies
it, never whatever row is now first.

A list of patients re-read under the clinician's hand must not move their choice onto another
patient: "Open" then opens the record they chose, or, once it has left the list, nothing until
they choose again.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from PySide6.QtWidgets import QTableWidget


class ChosenRow:
    """Remembers the identity of each row shown, to choose the same one after a re-read."""

    def __init__(self, table: QTableWidget) -> None:
        self._table = table
        self._keys: list[Hashable] = []

    def chosen(self) -> Hashable | None:
        """What identifies the row chosen now (None: no row chosen)."""
        row = self._table.currentRow()
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def shown(self, keys: Sequence[Hashable], before: Hashable | None) -> bool:
        """The rows now shown (their keys, in order); ``before``, chosen earlier, chosen again.

        With nothing chosen before, the first row is chosen. Returns False when the row chosen
        before has left the list: then none is chosen.
        """
        self._keys = list(keys)
        if before is None:
            if self._keys:
                self._table.setCurrentCell(0, 0)
            return True
        if before in self._keys:
            self._table.setCurrentCell(self._keys.index(before), 0)
            return True
        self._table.setCurrentCell(-1, -1)
        self._table.clearSelection()
        return False


__all__ = ["ChosenRow"]
