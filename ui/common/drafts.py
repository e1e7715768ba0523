"""Autosaving a form as a draft: after a pause in typing, on lock and on switching user."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import Choice, DiagnosisChoice
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

AUTOSAVE_MS = 3000


class DraftStore(Protocol):
    """The draft service: per-user drafts kept in the encrypted store."""

    def save(self, actor: CurrentUser, kind: str, key: str, payload: dict[str, Any]) -> None: ...

    def load(self, actor: CurrentUser, kind: str, key: str) -> dict[str, Any] | None: ...

    def discard(self, actor: CurrentUser, kind: str, key: str) -> None: ...


class ReferenceLists(Protocol):
    """Drop-down lists from the reference data (cheap, cached lookups)."""

    def choices(self, list_name: str) -> list[Choice]: ...

    def diagnoses(self, body_regions: Sequence[str] = ()) -> list[DiagnosisChoice]: ...


def is_blank(payload: Mapping[str, object], ignore: frozenset[str] = frozenset()) -> bool:
    """True when nothing in a form payload was filled in (defaults listed in ``ignore``)."""
    for name, value in payload.items():
        if name in ignore:
            continue
        if isinstance(value, str) and value.strip():
            return False
        if isinstance(value, bool) and value:
            return False
        if isinstance(value, list | tuple | dict) and value:
            return False
    return True


class FormDraft(QObject):
    """Keeps one form's draft in step with what is typed, as the user who typed it.

    ``update()`` is called on every edit; the draft is written once typing pauses for
    ``AUTOSAVE_MS``, and at once by ``save_now()`` (on lock, on switch user). A form that
    has been emptied has its draft discarded instead.
    """

    restored = Signal(object)
    saved = Signal()
    failed = Signal(str)

    def __init__(
        self,
        drafts: DraftStore,
        runner: TaskRunner,
        session: UserSession,
        kind: str,
        *,
        ignore_for_blank: frozenset[str] = frozenset(),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._drafts = drafts
        self._runner = runner
        self._session = session
        self.kind = kind
        self._key: str | None = None
        self._payload: dict[str, object] = {}
        self._dirty = False
        self._ignore = ignore_for_blank
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_now)

    @property
    def key(self) -> str | None:
        return self._key

    @property
    def dirty(self) -> bool:
        return self._dirty

    def set_key(self, key: str | None) -> None:
        """Which subject this draft is about (a patient id, or "new")."""
        self._key = key

    def move_to(self, key: str | None) -> bool:
        """Make the form about ``key``; False when it was already (nothing is done then).

        The last subject's typing is written first and dropped from memory, then ``key``'s
        draft is read (``restored`` follows if there is one).
        """
        if key == self._key:
            return False
        self.save_now()
        self.forget()
        self._key = key
        if key is not None:
            self.load()
        return True

    def update(self, payload: Mapping[str, object]) -> None:
        """The form changed: remember it and save once typing pauses."""
        self._payload = dict(payload)
        self._dirty = True
        self._timer.start()

    def save_now(self) -> None:
        """Write the draft now if anything changed since the last save."""
        self._timer.stop()
        user, key = self._session.user, self._key
        if not self._dirty or user is None or key is None:
            return
        self._dirty = False
        payload = dict(self._payload)
        if is_blank(payload, self._ignore):
            self._runner.run_store(
                lambda: self._drafts.discard(user, self.kind, key), on_failed=self._on_failed
            )
            return
        self._runner.run_store(
            lambda: self._drafts.save(user, self.kind, key, payload),
            on_done=self._on_saved,
            on_failed=self._on_failed,
        )

    def load(self) -> None:
        """Read the signed-in user's draft for the current key; emits ``restored`` if any."""
        user, key = self._session.user, self._key
        if user is None or key is None:
            return
        self._runner.run_store(
            lambda: self._drafts.load(user, self.kind, key),
            on_done=lambda payload: self._on_loaded(user, key, payload),
            on_failed=self._on_failed,
        )

    def discard(self) -> None:
        """Forget the draft (the form was saved, or deliberately cleared)."""
        self._timer.stop()
        self._dirty = False
        self._payload = {}
        user, key = self._session.user, self._key
        if user is None or key is None:
            return
        self._runner.run_store(
            lambda: self._drafts.discard(user, self.kind, key), on_failed=self._on_failed
        )

    def forget(self) -> None:
        """Drop what is held in memory without touching the store (after switching user)."""
        self._timer.stop()
        self._dirty = False
        self._payload = {}

    def _on_loaded(self, user: CurrentUser, key: str, payload: dict[str, object] | None) -> None:
        """A draft read, shown only to its user, for the same subject, if nothing was typed.

        What is typed meanwhile is never replaced by the older words read.
        """
        now = self._session.user
        if payload is None or key != self._key or now is None or now.id != user.id:
            return
        if self._dirty:
            return  # typed since it was asked for: the typing is what is kept from now on
        self._payload = dict(payload)
        self.restored.emit(dict(payload))

    def _on_saved(self, _result: None) -> None:
        self.saved.emit()

    def _on_failed(self, error: BaseException) -> None:
        # The words are shown beside the form; nothing typed is lost, so keep it dirty.
        self._dirty = True
        self.failed.emit(errors.explain(error))
