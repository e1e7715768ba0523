"""The injections audit over a range of months: read, laid out as a table, saved as CSV.

The table has one row per figure and one column per whom it counts: the whole service and
each clinician for the service lead, the clinician alone otherwise. The CSV holds the same
rows; neither names a patient (the core's figures hold none).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject

from clinic_app.kernel.current_user import CurrentUser
from ui.common.month_table import MonthTableViewModel, whom_columns, whom_headings
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

if TYPE_CHECKING:
    # Only named here: the figures module reads the store (SQLAlchemy), which the sign-in
    # window does not load.
    from clinic_app.domains.injections.figures import Count, InjectionAudit, InjectionFigures


def _tr(text: str) -> str:
    return QCoreApplication.translate("InjectionAudit", text)


class InjectionAuditSource(Protocol):
    """The part of the injections service this screen uses."""

    def audit(self, actor: CurrentUser, first: date, last: date) -> InjectionAudit: ...


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
    columns: list[InjectionFigures] = whom_columns(audit)
    headings = whom_headings(audit, columns)

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


class InjectionAuditViewModel(MonthTableViewModel):
    """Reads the audit over the chosen months; lays it out; saves it as CSV."""

    def __init__(
        self,
        injections: InjectionAuditSource,
        *,
        runner: TaskRunner,
        session: UserSession,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(
            injections.audit,
            table,
            "injections-audit",
            runner=runner,
            session=session,
            today=today,
            parent=parent,
        )
