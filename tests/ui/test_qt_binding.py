"""The Qt binding itself must keep Python's reference counts straight, or the app crashes."""

from __future__ import annotations

import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Signal

EMITS = 200


class _Emitter(QObject):
    happened = Signal(object)


def test_emitting_a_signal_does_not_drop_references(qapp: object) -> None:
    emitter = _Emitter()
    emitter.happened.connect(lambda _value: None)
    before = sys.getrefcount(True)

    for _ in range(EMITS):
        emitter.happened.emit(None)

    lost = before - sys.getrefcount(True)
    # Losing one reference to True per emit ends in "bool_dealloc" and an abort. Seen with
    # PySide6 6.12.0 on Python 3.11 (from 3.12 True is immortal and the loss is harmless).
    assert lost < EMITS // 2, (
        f"PySide6 {pyside_version} on Python {sys.version_info[0]}.{sys.version_info[1]} drops "
        f"a reference to True on every Signal.emit(); use a PySide6 release without that bug"
    )
