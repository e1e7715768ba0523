"""What keeps a late answer off the screen of a patient (or user) it was not asked for.

Store and I/O work answers on the UI thread whenever it is done. A screen raises its epoch
whenever what it shows is dropped (the patient changed, the user switched, a newer request
replaced this one); an answer asked for in an earlier epoch is then dropped, or handed to
``late`` to say what became of the patient left behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")


class Epoch:
    """A counter of what a screen has dropped; answers are guarded by the value they began in."""

    def __init__(self) -> None:
        self.value = 0

    def advance(self) -> None:
        """Everything asked for until now is late."""
        self.value += 1

    def guard(self, then: Callable[[_T], object]) -> Callable[[_T], None]:
        """``then`` for an answer of this epoch; an answer after the epoch moved is dropped."""
        began = self.value

        def answered(value: _T) -> None:
            if began == self.value:
                then(value)

        return answered

    def guard_or(
        self, then: Callable[[_T], object], late: Callable[[_T], object]
    ) -> Callable[[_T], None]:
        """``then`` for an answer of this epoch, else ``late`` (told of the patient left)."""
        began = self.value

        def answered(value: _T) -> None:
            if began == self.value:
                then(value)
            else:
                late(value)

        return answered
