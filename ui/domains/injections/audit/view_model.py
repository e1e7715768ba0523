"""The injections audit over a range of months: read, laid out as a table, saved as CSV.

The table has one row per figure and one column per whom it counts: the whole service and
each clinician for the service lead, the clinician alone otherwise. The CSV holds the same
rows; neither names a patient (the core's figures hold none).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

if TYPE_CHECKING:
    # Only named here: the figures module reads the store (SQLAlchemy), which the sign-in
    # window does not load.
    from clinic_app.domains.injections.figures import Count, InjectionAudit, InjectionFigures


def _tr(text: str) -> str:
    return QCoreApplication.translate("InjectionAudit", text)


#: How many months the audit shows at first, this month included.
DEFAULT_MONTHS = 12


class InjectionAuditSource(Protocol):
    """The part of the injections service this screen uses."""

    def audit(self, actor: CurrentUser, first: date, last: date) -> InjectionAudit: ...


def months_before(month: date, months: int) -> date:
    """The first of the month ``months`` before ``month``'s."""
    index = month.year * 12 + month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _guidance_words(key: str) -> str:
    return {
        "landmark": _tr("Landmark guided"),
        "ultrasound": _tr("Ultrasound guided"),
    }.get(key, _tr("Not recorded"))


def _authority_words(count: Count) -> str:
    if count.label:
        return _tr("Under the PGD {name}").format(name=count.label)
    return {
        "psd": _tr("Patient-specific direction"),
        "prescriber": _tr("Prescribed"),
    }.get(count.key, _tr("Not recorded"))


def _rate(part: int, whole: int) -> str:
    if whole == 0:
        return _tr("none signed")
    return _tr("{part} of {whole} ({share}%)").format(
        part=part, whole=whole, share=round(part / whole * 100)
    )


def table(audit: InjectionAudit) -> tuple[list[str], list[list[str]]]:
    """The headings and rows of the audit: one row per figure, one column per whom."""
    columns: list[InjectionFigures] = (
        [audit.overall, *audit.clinicians] if audit.everyone else [audit.overall]
    )
    period = _tr("{first} to {last}").format(
        first=audit.first.strftime("%b %Y"), last=audit.last.strftime("%b %Y")
    )
    headings = [_tr("Figure, {period}").format(period=period)] + [
        _tr("The whole service") if figures.clinician_id is None else figures.name
        for figures in columns
    ]

    def lines(
        part: Callable[[InjectionFigures], tuple[Count, ...]],
        words: Callable[[Count], str],
        heading: str,
    ) -> list[list[str]]:
        found: dict[str, str] = {}
        for figures in columns:
            for count in part(figures):
                found.setdefault(count.key, words(count))
        return [
            [heading.format(what=text)]
            + [
                str(next((c.count for c in part(figures) if c.key == key), 0))
                for figures in columns
            ]
            for key, text in found.items()
        ]

    rows = [[_tr("Injections signed")] + [str(f.signed) for f in columns]]
    rows += lines(
        lambda f: f.by_target,
        lambda c: c.label or c.key or _tr("Not recorded"),
        _tr("Target: {what}"),
    )
    rows += lines(
        lambda f: f.by_guidance, lambda c: _guidance_words(c.key), _tr("Guidance: {what}")
    )
    rows += lines(lambda f: f.by_authority, _authority_words, _tr("Authority: {what}"))
    rows.append(
        [_tr("Immediate reaction recorded")]
        + [_rate(f.immediate_reactions, f.signed) for f in columns]
    )
    rows.append(
        [_tr("Added to later by a signed addendum (injections)")]
        + [_rate(f.with_addenda, f.signed) for f in columns]
    )
    rows.append([_tr("Addenda written")] + [str(f.addenda) for f in columns])
    rows.append(
        [_tr("Repeat injections (a repeat-too-soon or yearly-count warning acknowledged)")]
        + [_rate(f.repeats, f.signed) for f in columns]
    )
    return headings, rows


def write_csv(path: Path, headings: list[str], rows: list[list[str]]) -> None:
    """Save the table as CSV (UTF-8 with a byte-order mark, which spreadsheets read)."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(headings)
        writer.writerows(rows)


class InjectionAuditViewModel(QObject):
    """Reads the audit over the chosen months; lays it out; saves it as CSV."""

    loaded = Signal()
    problem = Signal(str)

    def __init__(
        self,
        injections: InjectionAuditSource,
        *,
        runner: TaskRunner,
        session: UserSession,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._injections = injections
        self._runner = runner
        self._session = session
        self._today = today
        self.last = today().replace(day=1)
        self.first = months_before(self.last, DEFAULT_MONTHS - 1)
        self.audit: InjectionAudit | None = None

    @property
    def this_month(self) -> date:
        return self._today().replace(day=1)

    def choose(self, first: date, last: date) -> None:
        """Show the months ``first`` to ``last`` (in either order; none still to come)."""
        first, last = sorted((first.replace(day=1), last.replace(day=1)))
        self.first, self.last = min(first, self.this_month), min(last, self.this_month)
        self.load()

    def load(self) -> None:
        """Read the chosen months' figures afresh."""
        actor = self._session.user
        if actor is None:
            return
        injections, first, last = self._injections, self.first, self.last
        self._runner.run_store(
            lambda: injections.audit(actor, first, last),
            on_done=self._on_loaded,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
            supersede="injection_audit",
        )

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The table shown (and saved): empty until read."""
        return ([], []) if self.audit is None else table(self.audit)

    def file_name(self) -> str:
        """The name suggested for the CSV: what and which months, no person."""
        return f"injection-audit_{self.first:%Y-%m}_to_{self.last:%Y-%m}.csv"

    def save_csv(self, path: Path) -> Path | None:
        """Save the table shown at ``path`` (".csv" added if missing); the path saved at.

        None when nothing is read yet or the file could not be written (``problem`` says so).
        """
        if self.audit is None:
            return None
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        headings, rows = table(self.audit)
        try:
            write_csv(path, headings, rows)
        except OSError:
            self.problem.emit(_tr("The file could not be saved there. Choose another place."))
            return None
        return path

    def reset(self) -> None:
        self.audit = None
        self.last = self.this_month
        self.first = months_before(self.last, DEFAULT_MONTHS - 1)
        self.loaded.emit()

    def _on_loaded(self, audit: InjectionAudit) -> None:
        if (audit.first, audit.last) != (self.first, self.last):
            return  # months since left
        self.audit = audit
        self.loaded.emit()
