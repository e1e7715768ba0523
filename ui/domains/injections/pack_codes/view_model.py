"""The pack codes as the service lead keeps them: each product's codes, added and removed."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.views import PackCodeView
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.common.wording import tr


class PackCodeKeeper(Protocol):
    """The part of the pack code service this screen uses."""

    def list(self, actor: CurrentUser) -> Sequence[PackCodeView]: ...

    def add(self, actor: CurrentUser, product_id: str, code: str) -> PackCodeView: ...

    def remove(self, actor: CurrentUser, code_id: uuid.UUID) -> None: ...


@dataclass(frozen=True)
class Line:
    """One line of the list: a product and one of its codes (None: it has none yet)."""

    product_id: str
    product: str
    code: PackCodeView | None


def product_choices() -> list[tuple[str, str]]:
    """The formulary's products as (id, name), in the formulary's order."""
    return [(p.id, p.name) for p in injection_content().formulary.products]


class PackCodesViewModel(QObject):
    """Reads the list; adds one code or removes one at a time."""

    loaded = Signal()
    added = Signal(object)
    """The code just added (a ``PackCodeView``)."""
    removed = Signal(object)
    """The code just removed (a ``PackCodeView``, as it was)."""
    field_errors_changed = Signal(object)
    """Words for each field a refused code names, by field (empty once added)."""
    problem = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self,
        pack_codes: PackCodeKeeper,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pack_codes = pack_codes
        self._runner = runner
        self._session = session
        self._products = dict(product_choices())
        self.codes: tuple[PackCodeView, ...] = ()
        self.busy = False

    @property
    def products(self) -> list[tuple[str, str]]:
        """The formulary's products as (id, name)."""
        return list(self._products.items())

    def product_name(self, product_id: str) -> str:
        """A product's name; one no longer in the formulary is said to be so."""
        return self._products.get(product_id) or tr(
            "A product no longer in the formulary ({id})"
        ).format(id=product_id)

    def lines(self) -> list[Line]:
        """Every product in the formulary's order, each with its codes (or none yet).

        A code whose product has left the formulary is listed last, so it can be removed.
        """
        found: list[Line] = []
        for product_id, name in self._products.items():
            codes = [code for code in self.codes if code.product_id == product_id]
            found += [Line(product_id, name, code) for code in codes] or [
                Line(product_id, name, None)
            ]
        found += [
            Line(code.product_id, self.product_name(code.product_id), code)
            for code in self.codes
            if code.product_id not in self._products
        ]
        return found

    # ---------------------------------------------------------------- reading

    def load(self) -> None:
        """Read the list afresh."""
        actor = self._session.user
        if actor is None:
            return
        pack_codes = self._pack_codes
        self._runner.run_store(
            lambda: tuple(pack_codes.list(actor)),
            on_done=self._on_loaded,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
            supersede="pack_codes",
        )

    def reset(self) -> None:
        self.codes = ()
        self._set_busy(False)
        self.field_errors_changed.emit({})
        self.loaded.emit()

    # ---------------------------------------------------------------- changing

    def add(self, product_id: str | None, code: str) -> None:
        """Link the code in ``code`` (scanned or typed) to the product; refusals by field."""
        actor = self._session.user
        if actor is None or self.busy:
            return
        if product_id is None:
            self.field_errors_changed.emit({"product": tr("Choose the product the pack is.")})
            return
        pack_codes = self._pack_codes
        self._set_busy(True)
        self._runner.run_store(
            lambda: pack_codes.add(actor, product_id, code),
            on_done=self._on_added,
            on_failed=self._on_failed,
        )

    def remove(self, code: PackCodeView) -> None:
        """Take one code off the list."""
        actor = self._session.user
        if actor is None or self.busy:
            return
        pack_codes = self._pack_codes
        self._set_busy(True)
        work: Callable[[], None] = lambda: pack_codes.remove(actor, code.id)  # noqa: E731
        self._runner.run_store(
            work, on_done=lambda _none: self._on_removed(code), on_failed=self._on_failed
        )

    def _on_added(self, code: PackCodeView) -> None:
        self._set_busy(False)
        self.field_errors_changed.emit({})
        self.added.emit(code)
        self.load()

    def _on_removed(self, code: PackCodeView) -> None:
        self._set_busy(False)
        self.removed.emit(code)
        self.load()

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        by_field = errors.field_messages(error)
        self.field_errors_changed.emit(by_field)
        if not by_field:
            self.problem.emit(errors.explain(error))
            self.load()

    def _on_loaded(self, codes: tuple[PackCodeView, ...]) -> None:
        self.codes = codes
        self.loaded.emit()

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)
