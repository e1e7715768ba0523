"""The shockwave audit over a range of months: read, laid out as a table, saved as CSV.

One row per figure (per indication: courses closed, the mean change in pain, each
questionnaire's mean change), one column per whom it counts: the whole service and each
clinician for the service lead, the clinician alone otherwise. Neither the table nor the CSV
names a patient (the core's figures hold none).
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
    from clinic_app.domains.shockwave.figures import (
        IndicationFigures,
        MeanChange,
        ShockwaveAudit,
        ShockwaveFigures,
    )


def _tr(text: str) -> str:
    return QCoreApplication.translate("ShockwaveAudit", text)


class ShockwaveAuditSource(Protocol):
    """The part of the shockwave service this screen uses."""

    def audit(self, actor: CurrentUser, first: date, last: date) -> ShockwaveAudit: ...


def _change(change: MeanChange | None) -> str:
    if change is None or change.mean is None:
        return _tr("none recorded")
    courses = (
        _tr("1 course") if change.courses == 1 else _tr("{n} courses").format(n=change.courses)
    )
    return _tr("{mean:+.1f} over {courses}").format(mean=change.mean, courses=courses)


def table(audit: ShockwaveAudit) -> tuple[list[str], list[list[str]]]:
    """The headings and rows of the audit: one row per figure, one column per whom."""
    columns: list[ShockwaveFigures] = whom_columns(audit)
    headings = whom_headings(audit, columns)

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


class ShockwaveAuditViewModel(MonthTableViewModel):
    """Reads the audit over the chosen months; lays it out; saves it as CSV."""

    def __init__(
        self,
        shockwave: ShockwaveAuditSource,
        *,
        runner: TaskRunner,
        session: UserSession,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(
            shockwave.audit,
            table,
            "shockwave-audit",
            runner=runner,
            session=session,
            today=today,
            parent=parent,
        )
