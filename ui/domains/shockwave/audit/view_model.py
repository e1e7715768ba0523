"""The shockwave audit over a range of months: read, laid out as a table, saved as CSV.

One row per figure (per indication: courses closed, the mean change in pain, each
questionnaire's mean change), one column per whom it counts: the whole service and each
clinician for the service lead, the clinician alone otherwise. Neither the table nor the CSV
names a patient (the core's figures hold none).
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
    from clinic_app.domains.shockwave.figures import (
        IndicationFigures,
        MeanChange,
        ShockwaveAudit,
        ShockwaveFigures,
    )


def _tr(text: str) -> str:
    return QCoreApplication.translate("ShockwaveAudit", text)


#: How many months the audit shows at first, this month included.
DEFAULT_MONTHS = 12


class ShockwaveAuditSource(Protocol):
    """The part of the shockwave service this screen uses."""

    def audit(self, actor: CurrentUser, first: date, last: date) -> ShockwaveAudit: ...


def months_before(month: date, months: int) -> date:
    """The first of the month ``months`` before ``month``'s."""
    index = month.year * 12 + month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _change(change: MeanChange | None) -> str:
    if change is None or change.mean is None:
        return _tr("none recorded")
    courses = (
        _tr("1 course") if change.courses == 1 else _tr("{n} courses").format(n=change.courses)
    )
    return _tr("{mean:+.1f} over {courses}").format(mean=change.mean, courses=courses)


def table(audit: ShockwaveAudit) -> tuple[list[str], list[list[str]]]:
    """The headings and rows of the audit: one row per figure, one column per whom."""
    columns: list[ShockwaveFigures] = (
        [audit.overall, *audit.clinicians] if audit.everyone else [audit.overall]
    )
    period = _tr("{first} to {last}").format(
        first=audit.first.strftime("%b %Y"), last=audit.last.strftime("%b %Y")
    )
    headings = [_tr("Figure, {period}").format(period=period)] + [
        _tr("The whole service") if figures.clinician_id is None else figures.name
        for figures in columns
    ]

    def of(figures: ShockwaveFigures, indication: str) -> IndicationFigures | None:
        return next((i for i in figures.indications if i.indication == indication), None)

    rows = [[_tr("Courses closed, every indication")] + [str(f.closed) for f in columns]]
    titles: dict[str, str] = {}
    questionnaires: dict[str, dict[str, str]] = {}
    for figures in columns:
        for found in figures.indications:
            titles.setdefault(found.indication, found.title or found.indication)
            for change in found.questionnaires:
                questionnaires.setdefault(found.indication, {}).setdefault(
                    change.questionnaire_id, change.title or change.questionnaire_id
                )
    for indication, title in titles.items():
        rows.append(
            [_tr("{indication}: courses closed").format(indication=title)]
            + [str(i.closed if (i := of(f, indication)) else 0) for f in columns]
        )
        rows.append(
            [_tr("{indication}: mean change in pain (0 to 10)").format(indication=title)]
            + [_change(i.pain if (i := of(f, indication)) else None) for f in columns]
        )
        for questionnaire, name in questionnaires.get(indication, {}).items():

            def score(
                figures: ShockwaveFigures,
                questionnaire: str = questionnaire,
                indication: str = indication,
            ) -> str:
                found = of(figures, indication)
                change = next(
                    (
                        q.change
                        for q in (found.questionnaires if found else ())
                        if q.questionnaire_id == questionnaire
                    ),
                    None,
                )
                return _change(change)

            rows.append(
                [
                    _tr("{indication}: mean change in {questionnaire} total").format(
                        indication=title, questionnaire=name
                    )
                ]
                + [score(f) for f in columns]
            )
    return headings, rows


def write_csv(path: Path, headings: list[str], rows: list[list[str]]) -> None:
    """Save the table as CSV (UTF-8 with a byte-order mark, which spreadsheets read)."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(headings)
        writer.writerows(rows)


class ShockwaveAuditViewModel(QObject):
    """Reads the audit over the chosen months; lays it out; saves it as CSV."""

    loaded = Signal()
    problem = Signal(str)

    def __init__(
        self,
        shockwave: ShockwaveAuditSource,
        *,
        runner: TaskRunner,
        session: UserSession,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._shockwave = shockwave
        self._runner = runner
        self._session = session
        self._today = today
        self.last = today().replace(day=1)
        self.first = months_before(self.last, DEFAULT_MONTHS - 1)
        self.audit: ShockwaveAudit | None = None

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
        shockwave, first, last = self._shockwave, self.first, self.last
        self._runner.run_store(
            lambda: shockwave.audit(actor, first, last),
            on_done=self._on_loaded,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
            supersede="shockwave_audit",
        )

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The table shown (and saved): empty until read."""
        return ([], []) if self.audit is None else table(self.audit)

    def file_name(self) -> str:
        """The name suggested for the CSV: what and which months, no person."""
        return f"shockwave-audit_{self.first:%Y-%m}_to_{self.last:%Y-%m}.csv"

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

    def _on_loaded(self, audit: ShockwaveAudit) -> None:
        if (audit.first, audit.last) != (self.first, self.last):
            return  # months since left
        self.audit = audit
        self.loaded.emit()
