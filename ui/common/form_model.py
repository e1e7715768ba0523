"""What every form's view model shares: drop-down lists, a kept draft, submitting, errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

from clinic_app.people.views import Choice
from ui.common import errors
from ui.common.drafts import DraftStore, FormDraft, ReferenceLists
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class DraftedFormViewModel(QObject):
    """A form whose typing is kept as a per-user draft and whose submit runs on the store.

    Subclasses build the service call in their ``submit`` and hand it to ``_submit``.
    """

    draft_restored = Signal(object)
    draft_saved = Signal()
    draft_failed = Signal(str)
    field_errors_changed = Signal(object)
    problem = Signal(str)
    saved = Signal(object)
    busy_changed = Signal(bool)
    form_reset = Signal()

    def __init__(
        self,
        reference: ReferenceLists,
        drafts: DraftStore,
        *,
        runner: TaskRunner,
        session: UserSession,
        draft_kind: str,
        list_names: Mapping[str, str],
        ignore_for_blank: frozenset[str] = frozenset(),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._reference = reference
        self._runner = runner
        self._session = session
        self._list_names = dict(list_names)
        self._lists: dict[str, list[Choice]] = {}
        self._busy = False
        self.draft = FormDraft(
            drafts, runner, session, draft_kind, ignore_for_blank=ignore_for_blank, parent=self
        )
        self.draft.restored.connect(self.draft_restored)
        self.draft.saved.connect(self.draft_saved)
        self.draft.failed.connect(self.draft_failed)

    @property
    def busy(self) -> bool:
        return self._busy

    def choices(self, field: str) -> list[Choice]:
        """The drop-down entries of ``field`` (cached reference data, cheap to call)."""
        list_name = self._list_names[field]
        if list_name not in self._lists:
            self._lists[list_name] = list(self._reference.choices(list_name))
        return list(self._lists[list_name])

    def form_changed(self, values: Mapping[str, object]) -> None:
        """Something was typed: keep it as a draft once typing pauses."""
        self.draft.update(values)

    def save_draft_now(self) -> None:
        self.draft.save_now()

    def clear_form(self) -> None:
        """Empty the form on purpose and forget its draft."""
        self.draft.discard()
        self.field_errors_changed.emit({})
        self.form_reset.emit()

    def _submit(self, work: Callable[[], Any]) -> None:
        """Run the service call on the store worker; ``saved`` or the problems follow."""
        self.field_errors_changed.emit({})
        self._set_busy(True)
        self._runner.run_store(work, on_done=self._on_submitted, on_failed=self._on_failed)

    def _on_submitted(self, result: object) -> None:
        self._set_busy(False)
        self.draft.discard()
        self.form_reset.emit()
        self.saved.emit(result)

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        by_field = errors.errors_by_field(error)
        self.field_errors_changed.emit(by_field)
        self.problem.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
