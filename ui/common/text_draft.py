"""One box of words about one record, such as an addendum being written, kept as its writer's draft.

An addendum is typed under a signed record and added with a password. Until it is added it is
the writer's draft of that record: it stays with that record through opening another patient,
locking and switching user, and is never shown under another record, patient or user. The box
is emptied whenever the record it is about changes, and filled again from the draft kept for
the new one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QPlainTextEdit

from ui.common.drafts import DraftStore, FormDraft
from ui.common.screen import ShellContext
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class TextDraft(QObject):
    """The words in ``box`` as the signed-in user's draft of the record shown.

    The form calls :meth:`about` whenever the record shown changes (None: no record, or one the
    box is not for), :meth:`save_now` on leaving, locking and switching user, and :meth:`done`
    once the words are added to the record.
    """

    def __init__(
        self,
        drafts: DraftStore,
        runner: TaskRunner,
        session: UserSession,
        kind: str,
        *,
        box: QPlainTextEdit,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._box = box
        self._draft = FormDraft(drafts, runner, session, kind, parent=self)
        self._draft.restored.connect(self._on_restored)
        self._filling = False
        box.textChanged.connect(self._on_typed)

    @property
    def key(self) -> str | None:
        return self._draft.key

    def about(self, key: str | None) -> None:
        """The box is now about record ``key``: the last one's words kept, then emptied."""
        if key == self._draft.key:
            return
        self._draft.move_to(None)  # the last record's words written, then forgotten
        self._fill("")
        self._draft.move_to(key)

    def about_record(self, record: object, *, signed: bool) -> None:
        """The box is about ``record`` (anything with an ``id``) when it is signed, else none."""
        record_id = getattr(record, "id", None)
        self.about(str(record_id) if signed and record_id is not None else None)

    def save_now(self) -> None:
        """Write the words now (leaving, locking, switching user)."""
        self._draft.save_now()

    def done(self) -> None:
        """The words were added to the record: nothing of them is kept any more."""
        self._draft.discard()
        self._fill("")

    def _fill(self, text: str) -> None:
        self._filling = True
        try:
            self._box.setPlainText(text)
        finally:
            self._filling = False

    def _on_typed(self) -> None:
        if not self._filling and self._draft.key is not None:
            self._draft.update({"text": self._box.toPlainText()})

    def _on_restored(self, payload: dict[str, Any]) -> None:
        text = payload.get("text")
        # Words typed since the record was opened are never replaced by older ones.
        if isinstance(text, str) and not self._box.toPlainText().strip():
            self._fill(text)


def addendum_draft(context: ShellContext, kind: str, box: QPlainTextEdit) -> TextDraft:
    """The addendum being written in ``box``: its writer's draft of the signed record shown."""
    return TextDraft(
        context.services.drafts,
        context.runner,
        context.session,
        kind,
        box=box,
        parent=context.owner,
    )


__all__ = ["TextDraft", "addendum_draft"]
