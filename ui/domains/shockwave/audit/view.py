"""The shockwave audit on screen: the months chosen, the table, and "Export as CSV…"."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from ui.common.month_table import MonthTableView, MonthTableWords
from ui.domains.shockwave.audit.view_model import ShockwaveAuditViewModel


def _tr(text: str) -> str:
    return QCoreApplication.translate("ShockwaveAuditView", text)


def _words() -> MonthTableWords:
    return MonthTableWords(
        heading=_tr("Shockwave (ESWT) audit"),
        explanation=_tr(
            "Counts and rates only: no patient is named, numbered or identified in "
            "these figures or in the saved file. A course counts in the month it was "
            "closed; a change is after minus before (below zero: less pain, a lower "
            "total), over the courses with both scores recorded."
        ),
        table_name=_tr("Shockwave figures"),
        save_title=_tr("Save the shockwave audit as CSV"),
        everyone=_tr("Everyone's closed courses, and each clinician's."),
        own=_tr("Your own closed courses."),
    )


class ShockwaveAuditView(MonthTableView):
    """The chosen months' shockwave figures for whom the user may see, and their export."""

    def __init__(self, view_model: ShockwaveAuditViewModel, parent: QWidget | None = None) -> None:
        super().__init__(view_model, _words(), parent)
