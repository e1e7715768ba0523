"""Save-as-you-go and sign-with-password for a form of one patient's record.

A form's view model owns a ``DraftSaver``: it keeps what the model's saves, signs and answers
share. The autosave timer (the changes pause, then the draft is saved), whether a save is on its
way, what runs once it is back, the password of a sign waiting for it, whether the form is busy,
and the epoch that keeps a late answer off another patient's form.

The epoch is raised whenever the patient changes (``forget``). An answer guarded with ``guard``
is dropped once the epoch has moved on; a sign's answer guarded with ``guard_or`` is told, for
the patient it was asked for, through the model's "left behind" signal instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QTimer

from clinic_app.kernel.errors import NotFound
from ui.common import errors
from ui.common.epoch import Epoch

if TYPE_CHECKING:
    from ui.common.tasks import TaskRunner

_T = TypeVar("_T")


class DraftSaver:
    """The save, sign and patient-change state one view model shares between its commands.

    Args:
        owner: the view model (the timer's parent).
        save_now: the model's save of what is typed, run when the changes pause.
        on_busy: told when the form turns busy (a sign on its way) or free again.
        autosave_ms: how long the changes pause before the draft is saved.
    """

    def __init__(
        self,
        owner: QObject,
        *,
        save_now: Callable[[], None],
        on_busy: Callable[[bool], None],
        autosave_ms: int,
    ) -> None:
        self._save_now = save_now
        self._on_busy = on_busy
        #: A save is on its way to the store.
        self.saving = False
        #: What runs once the save on its way is back (a sign, an acknowledgement, ...).
        self.after_save: Callable[[], None] | None = None
        #: Told when what waits for the save is dropped because the patient changed (a
        #: print asked for is then said not to be made, never silently lost).
        self._on_dropped: Callable[[], None] | None = None
        #: The password of a sign waiting for a save on its way (None: no sign waiting).
        self.sign_waiting: str | None = None
        #: Raised whenever the patient changes: answers of an earlier epoch are dropped.
        self._epoch = Epoch()
        #: The view model is gone (its window shut while a save was on its way): the save is
        #: made all the same, and its answer has no form, nor anyone, left to go to.
        self._gone = False
        owner.destroyed.connect(self._owner_gone)
        self.busy = False
        self._timer = QTimer(owner)
        self._timer.setSingleShot(True)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(save_now)

    # ------------------------------------------------------------------ the timer

    def later(self) -> None:
        """Something was typed: saved once the changes pause (the pause starts again)."""
        self._timer.start()

    def stop(self) -> None:
        """No save waits for a pause any more (the save is made now, or not at all)."""
        self._timer.stop()

    # ------------------------------------------------------------------ answers

    def guard(self, then: Callable[[_T], object]) -> Callable[[_T], None]:
        """``then`` for an answer of this epoch; an answer after the patient changed is dropped."""
        return self._unless_gone(self._epoch.guard(then))

    def guard_or(
        self, then: Callable[[_T], object], late: Callable[[_T], object]
    ) -> Callable[[_T], None]:
        """``then`` for an answer of this epoch, else ``late`` (told for the patient left)."""
        return self._unless_gone(self._epoch.guard_or(then, late))

    def _unless_gone(self, answered: Callable[[_T], None]) -> Callable[[_T], None]:
        def delivered(value: _T) -> None:
            if not self._gone:
                answered(value)

        return delivered

    def _owner_gone(self) -> None:
        self._gone = True

    # ------------------------------------------------------------------ saving

    def then(
        self,
        action: Callable[[], None],
        *,
        unsaved: bool,
        dropped: Callable[[], None] | None = None,
    ) -> None:
        """Run ``action`` once the save is back when anything is ``unsaved``, else at once.

        ``dropped`` is told if the patient changes before then (``action`` never runs). What
        already waits for the save (a sign, then a print asked for) still runs, first.
        """
        if not unsaved:
            action()
            return
        earlier, earlier_dropped = self.after_save, self._on_dropped
        self.after_save = in_turn(earlier, action)
        self._on_dropped = earlier_dropped if dropped is None else in_turn(earlier_dropped, dropped)
        self._save_now()

    def follow_on(self, *, more_typed: bool) -> None:
        """A save is back: what was typed meanwhile is saved first, then what waits runs."""
        follow_on, self.after_save = self.after_save, None
        if more_typed:
            self.after_save = follow_on
            self._save_now()
            return
        self._on_dropped = None
        if follow_on is not None:
            follow_on()

    def save_failed(self) -> bool:
        """A save was refused: nothing waits for it any more.

        Returns whether a sign waited for it (refused with it). A print alone that waited
        is not a sign that failed: the refusal is said as the page's problem.
        """
        sign_waited = self.sign_waiting is not None and self.after_save is not None
        self.saving = False
        self.sign_waiting = None
        self._on_dropped = None
        self.after_save = None
        return sign_waited

    # ------------------------------------------------------------------ busy, and forgetting

    def set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self._on_busy(busy)

    def forget(self) -> None:
        """The patient changes: nothing waits or follows, and every answer on its way is late.

        What waited for a save and asked to be told if dropped (a print) is told now.
        """
        dropped, self._on_dropped = self._on_dropped, None
        if self.after_save is not None and dropped is not None:
            dropped()
        self._timer.stop()
        self._epoch.advance()
        self.saving = False
        self.after_save = None
        self.sign_waiting = None
        self.set_busy(False)


def in_turn(first: Callable[[], None] | None, then: Callable[[], None]) -> Callable[[], None]:
    """``first`` (when there is one), then ``then``: what waits for a save, added to."""
    if first is None:
        return then

    def both() -> None:
        first()
        then()

    return both


class MadeDraft:
    """The id of the draft a new record's first save made (None until the store makes it).

    A save queued behind that first one (the store's worker runs them in order) reads it
    here and goes to that draft, never to a second new one.
    """

    def __init__(self) -> None:
        self.id: uuid.UUID | None = None
        #: Why the last save was refused (None: it was taken): a sign queued behind it is not
        #: made on the words it had before.
        self.refusal: BaseException | None = None

    def sign_left_behind(
        self,
        runner: TaskRunner,
        existing: uuid.UUID | None,
        sign: Callable[[uuid.UUID], object],
        *,
        missing: str,
        patient_id: uuid.UUID,
        tell: Callable[[uuid.UUID, bool, str], None],
    ) -> None:
        """Sign the draft that the saves queued before this saved; ``tell`` how it went.

        ``tell`` is given ``patient_id``, whether it was signed, and the words why not. The
        store's worker takes work in order, so this runs after those saves: the draft is
        ``existing``, or the one the first of them made. It is refused if the last of them
        was (never signed on words older than those typed), or with ``missing`` (a not-found
        code) if no draft was ever made.
        """

        def finish() -> object:
            if self.refusal is not None:
                raise self.refusal
            record_id = existing or self.id
            if record_id is None:
                raise NotFound(missing)
            return sign(record_id)

        runner.run_store(
            finish,
            on_done=lambda _signed: tell(patient_id, True, ""),
            on_failed=lambda error: tell(patient_id, False, errors.explain(error)),
        )


__all__ = ["DraftSaver", "MadeDraft", "in_turn"]
