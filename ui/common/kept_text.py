"""Text typed into a form that the form cannot read yet, kept through leaving the patient.

Forms such as the shockwave course keep their drafts as records, whose fields are typed: a
pain score of "7/10" or a review date of "01/06/27" cannot go into them, so the field is shown
with its problem and the record keeps no value. Without more, that text was gone once the
clinician opened another patient. ``KeptText`` keeps it, as typed, in the signed-in user's
drafts (one per patient and kind of form), and puts it back when the form shows that patient's
record again, into the same fields if they are still empty, where its problem is shown again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLineEdit, QWidget

from ui.common.drafts import DraftStore, FormDraft
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

#: What a form's text is put back with: the texts by field, for the record shown.
PutBack = Callable[[dict[str, Any]], None]
#: A form's fields whose text may not be readable, by the key their problem is shown under
#: (a time typed as a day and an hour is one field of two boxes).
Edits = Mapping[str, tuple[QLineEdit, ...]]


def texts_of(edits: Edits, keys: Iterable[str]) -> dict[str, Any]:
    """The text of each of ``keys`` (the fields that cannot be read), as typed."""
    texts: dict[str, Any] = {}
    for key in keys:
        boxes = edits.get(key)
        if boxes:
            parts = [box.text() for box in boxes]
            texts[key] = parts[0] if len(parts) == 1 else parts
    return texts


def put_texts(edits: Edits, texts: Mapping[str, Any], within: QWidget) -> set[str]:
    """Each text kept back into its field when that field is empty and shown; those put.

    A field that holds something now (the record has a value there) keeps it: kept text never
    replaces what the record says.
    """
    put: set[str] = set()
    for key, text in texts.items():
        boxes = edits.get(key)
        parts = [text] if isinstance(text, str) else text
        if not boxes or not isinstance(parts, list) or len(parts) != len(boxes):
            continue
        if not all(isinstance(part, str) for part in parts):
            continue
        if any(box.text().strip() for box in boxes):
            continue
        if not all(box.isVisibleTo(within) and box.isEnabled() for box in boxes):
            continue  # its part is not shown now
        if any(box.isReadOnly() for box in boxes):
            continue
        for box, part in zip(boxes, parts, strict=True):
            box.setText(part)
        put.add(key)
    return put


class KeptText(QObject):
    """The unreadable text of one kind of form, per patient, as the user who typed it.

    The screen calls :meth:`opening` as it opens a patient's form, then :meth:`save_now` on
    leaving, locking and switching user. The form calls :meth:`shown` each time it has filled
    itself from a record (the text kept for the patient is read and, if it was typed in that
    record, handed to ``put_back``), :meth:`keep` whenever what it cannot read changes, and
    :meth:`leave` once it is emptied.

    Text is put back only into the record it was typed in. Text typed into a record not
    saved yet goes back into a new form, or into the record the form opens by itself (the
    user's own draft, saved as they left), never into one named from the timeline.
    """

    def __init__(
        self,
        drafts: DraftStore,
        runner: TaskRunner,
        session: UserSession,
        kind: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._draft = FormDraft(
            drafts, runner, session, kind, ignore_for_blank=frozenset({"record"}), parent=self
        )
        self._draft.restored.connect(self._on_restored)
        #: The record the form shows (None: a new one), and whether it was named to open.
        self._shown: str | None = None
        self._named = False
        #: What is kept, and the record it was typed in (None: not saved then).
        self._texts: dict[str, Any] = {}
        self._typed_in: str | None = None
        self._put_back: PutBack | None = None

    @property
    def texts(self) -> dict[str, Any]:
        """What is kept for the patient shown (a copy)."""
        return dict(self._texts)

    def opening(self, *, named: bool) -> None:
        """The form is opened on a record named (from the timeline), or on the one it picks."""
        self._named = named

    def shown(self, patient_id: uuid.UUID, record_id: uuid.UUID | None, put_back: PutBack) -> None:
        """The form shows ``patient_id``'s record ``record_id`` (None: not saved yet).

        For another patient than before, the last one's text is written and theirs is read;
        for the same one (the form filled again) what is kept is handed back at once.
        """
        self._put_back = put_back
        self._shown = str(record_id) if record_id is not None else None
        if self._draft.move_to(str(patient_id)):
            self._texts, self._typed_in = {}, None
            return  # read now: handed back when it comes
        if self._texts and self._fits(self._typed_in):
            put_back(dict(self._texts))

    def keep(self, texts: Mapping[str, Any], record_id: uuid.UUID | None = None) -> None:
        """What the form cannot read now, as typed, by field (empty: nothing), and where."""
        if self._draft.key is None:
            return
        typed_in = str(record_id) if record_id is not None else self._shown
        if dict(texts) == self._texts and typed_in == self._typed_in:
            return
        self._texts, self._typed_in = dict(texts), typed_in
        self._draft.update({"record": typed_in, "texts": self._texts})

    def save_now(self) -> None:
        """Write what is kept now (leaving, locking, switching user)."""
        self._draft.save_now()

    def leave(self) -> None:
        """The form is emptied: what is kept is written, then nothing is held in memory."""
        self._draft.move_to(None)
        self._texts, self._typed_in = {}, None
        self._shown, self._named = None, False
        self._put_back = None

    def _fits(self, typed_in: str | None) -> bool:
        """Whether text typed in record ``typed_in`` belongs in the record shown."""
        if typed_in is not None:
            return typed_in == self._shown
        return self._shown is None or not self._named

    def _on_restored(self, payload: dict[str, Any]) -> None:
        texts = payload.get("texts")
        record = payload.get("record")
        if not isinstance(texts, dict) or not texts:
            return
        typed_in = record if isinstance(record, str) else None
        if not self._fits(typed_in):
            return  # typed in another of the patient's records: left in the drafts for it
        self._texts, self._typed_in = dict(texts), typed_in
        if self._put_back is not None:
            self._put_back(dict(texts))


__all__ = ["Edits", "KeptText", "PutBack", "put_texts", "texts_of"]
