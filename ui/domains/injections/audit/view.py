"""The injections audit on screen: the months chosen, the table, and "Export as CSV…"."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from ui.common.month_table import MonthTableView, MonthTableWords
from ui.domains.injections.audit.view_model import InjectionAuditViewModel


def _tr(text: str) -> str:
    return QCoreApplication.translate("InjectionAuditView", text)


def _words() -> MonthTableWords:
    return MonthTableWords(
        heading=_tr("Injections audit"),
        explanation=_tr(
            "Counts and rates only: no patient is named, numbered or identified in "
            "these figures or in the saved file. A repeat injection is a signed "
            "injection whose repeat-too-soon or yearly-count warning was acknowledged."
        ),
        table_name=_tr("Injection figures"),
        save_title=_tr("Save the injections audit as CSV"),
        everyone=_tr("Everyone's injections, and each clinician's."),
        own=_tr("Your own injections."),
    )


class InjectionAuditView(MonthTableView):
    """The chosen months' injection figures for whom the user may see, and their export."""

    def __init__(self, view_model: InjectionAuditViewModel, parent: QWidget | None = None) -> None:
        super().__init__(view_model, _words(), parent)
