"""The service figures dashboard, read for the user: the whole service's, and their own.

The service lead reads the whole service's figures from the server; a clinician reads their
own beside the service's. Offline (no server, or the user never signed in online here) a
clinician's own figures are read from this laptop and a sentence says the service's need a
connection. Every read runs on the task runner, never on the window's thread. Exports use
the figures with small numbers suppressed (``clinic_app.figures.suppression``, the rule the
server applies to ``export=1``), and say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from clinic_app.figures.results import NOT_RECORDED, FigureRow, Figures
from clinic_app.figures.service import MeasureInfo, catalogue
from clinic_app.figures.suppression import suppress
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from clinic_app.people.sync_service import FiguresAsked
from ui.common import errors
from ui.common.figure_chart import ChartData, ChartKind, ChartSeries
from ui.common.month_table import months_before, write_csv
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.figures.dashboard.reading import (
    Answer,
    FiguresServer,
    LocalFigures,
    Pair,
    latest_row,
    read_offline,
    read_online,
)
from ui.domains.figures.dashboard.whose import Whose

#: How many months the trend shows, the last whole month included.
TREND_MONTHS = 12


def _tr(text: str) -> str:
    return QCoreApplication.translate("ServiceFigures", text)


def breakdown_words(name: str) -> str:
    """A breakdown's name in words."""
    words = {
        "all": _tr("No breakdown (all together)"),
        "month": _tr("Month"),
        "site": _tr("Site"),
        "clinician": _tr("Clinician"),
        "condition": _tr("Condition"),
        "age_band": _tr("Age band"),
        "sex": _tr("Sex"),
        "ethnicity": _tr("Ethnicity"),
        "deprivation": _tr("Deprivation decile"),
        "priority": _tr("Referral priority"),
        "target": _tr("Injection target"),
        "indication": _tr("Indication"),
        "score_group": _tr("Risk group"),
    }
    return words.get(name, name.replace("_", " ").capitalize())


def axis_words(unit: str) -> str:
    """The value axis's name with its unit."""
    return {
        "share": _tr("Percentage (%)"),
        "count": _tr("Number"),
        "days": _tr("Days"),
        "points": _tr("Points"),
    }.get(unit, unit)


def in_axis_unit(unit: str, value: float) -> float:
    """A figure in its chart's unit (a share as a percentage)."""
    return value * 100 if unit == "share" else value


def value_words(unit: str, value: float) -> str:
    """A figure as written: "62%", "14", "4.5 days", "6.2 points"."""
    if unit == "share":
        percent = value * 100
        return f"{percent:.0f}%" if abs(percent - round(percent)) < 0.05 else f"{percent:.1f}%"
    if unit == "count":
        return f"{value:.0f}"
    if unit == "days":
        return _tr("{n} days").format(n=f"{value:g}")
    return _tr("{n} points").format(n=f"{value:.1f}")


def status_words(status: str) -> str:
    """A row's status where it has no figure, in words."""
    return {
        NOT_RECORDED: _tr("not recorded yet"),
        "no data": _tr("no data"),
        "too few": _tr("too few to give a share"),
    }.get(status, status)


def shown(unit: str, row: FigureRow | None) -> str:
    """A row's figure as written, or why there is none (never 0 for "not recorded yet")."""
    if row is None:
        return ""
    if row.status == NOT_RECORDED:
        return status_words(NOT_RECORDED)
    if isinstance(row.value, str):
        return row.value  # suppressed: "<5"
    if row.value is None:
        return status_words(row.status)
    return value_words(unit, float(row.value))


def plotted(unit: str, row: FigureRow) -> float | None:
    """A row's figure in the chart's unit; None when it is not a number (never drawn as 0)."""
    if isinstance(row.value, (int, float)) and row.status != NOT_RECORDED:
        return in_axis_unit(unit, float(row.value))
    return None


def target_words(measure: MeasureInfo, *, short: bool = False) -> str:
    """The measure's target: "Target: at least 75%" ("at least 75%" when ``short``).

    "" where no document sets one.
    """
    if measure.target_value is None:
        return ""
    value = value_words(measure.unit, measure.target_value)
    if measure.target_direction == "at_most":
        words = _tr("at most {value}") if short else _tr("Target: at most {value}")
    else:
        words = _tr("at least {value}") if short else _tr("Target: at least {value}")
    return words.format(value=value)


def month_words(month: date) -> str:
    """A month in words ("December 2026")."""
    return month.strftime("%B %Y")


def short_month(key: str | None, label: str) -> str:
    """A month's label on a trend's axis ("Jan 27")."""
    if key is None or len(key) != len("2027-01"):
        return label
    return date.fromisoformat(f"{key}-01").strftime("%b %y")


@dataclass(frozen=True)
class MeasureLine:
    """One line of the list of measures, worded."""

    measure: MeasureInfo
    service: str
    own: str
    target: str

    @property
    def title(self) -> str:
        return self.measure.title

    @property
    def target_short(self) -> str:
        """The target as the list's narrow column writes it ("at least 75%")."""
        return target_words(self.measure, short=True)


SUPPRESSED_NOTE = (
    "Small numbers suppressed: counts from 1 to 4 are shown as <5, and any figure made from them."
)


class ServiceFiguresViewModel(QObject):
    """The measures, the chosen measure's trend and breakdown, and their exports."""

    measures_changed = Signal()
    charts_changed = Signal()
    note_changed = Signal(str)
    problem = Signal(str)

    def __init__(
        self,
        local: LocalFigures,
        server: FiguresServer,
        *,
        runner: TaskRunner,
        session: UserSession,
        whose: Callable[[CurrentUser], Whose],
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._local = local
        self._server = server
        self._runner = runner
        self._session = session
        #: The clinic's day (tests set it): the trend ends with the month before its month.
        self.today = today
        self._whose = whose
        self.measures: tuple[MeasureInfo, ...] = catalogue()
        self.lines: list[MeasureLine] = []
        self.chosen: MeasureInfo | None = None
        self.breakdown = "month"
        self.trend: Pair | None = None
        self.by_breakdown: Pair | None = None
        self.note = ""
        self._access: Any = None
        self._answer: Answer | None = None
        self._epoch = 0

    @property
    def shows_own(self) -> bool:
        """True for a clinician: their own figures are shown beside the service's."""
        user = self._session.user
        return user is not None and self._whose(user).own

    @property
    def shows_service(self) -> bool:
        """True once the whole service's figures were read (from the server)."""
        answer = self._answer
        return answer is not None and any(pair.service is not None for pair in answer.pairs)

    # ------------------------------------------------------------------ months

    @property
    def last(self) -> date:
        """The last whole month."""
        return months_before(self.today().replace(day=1), 1)

    @property
    def first(self) -> date:
        return months_before(self.last, TREND_MONTHS - 1)

    def period_words(self) -> str:
        return _tr("{first} to {last}").format(
            first=month_words(self.first), last=month_words(self.last)
        )

    # ------------------------------------------------------------------ reading

    def load(self) -> None:
        """Read every recorded measure's last 12 months (the list, and the first's charts)."""
        user = self._session.user
        if user is None:
            return
        self._epoch += 1
        epoch = self._epoch
        server = self._server

        def reached(access: Any) -> None:
            if epoch != self._epoch:
                return
            self._access = access
            self._read(self._list_asked(), self._on_list, epoch)

        self._runner.run_store(
            lambda: server.server_for_figures(user),
            on_done=reached,
            on_failed=lambda error: self._failed(error, epoch),
            supersede="service_figures",
        )

    def _list_asked(self) -> tuple[FiguresAsked, ...]:
        return tuple(
            FiguresAsked(m.id, self.first, self.last, "month") for m in self.measures if m.recorded
        )

    def _read(
        self, asked: tuple[FiguresAsked, ...], done: Callable[[Answer], None], epoch: int
    ) -> None:
        """Read from the server when it can be reached, else this laptop's own figures."""
        user = self._session.require_user()
        whose = self._whose(user)
        local, server, access = self._local, self._server, self._access

        def offline() -> None:
            self._runner.run_store(
                lambda: read_offline(local, user, whose, asked),
                on_done=lambda answer: done(answer) if epoch == self._epoch else None,
                on_failed=lambda error: self._failed(error, epoch),
            )

        def failed_online(error: BaseException) -> None:
            if epoch != self._epoch:
                return
            if isinstance(error, ClinicError) and error.code == "sync.unreachable":
                self._access = None  # read the laptop's own from now on
                offline()
            else:
                self._failed(error, epoch)

        if access is None:
            offline()
            return
        self._runner.run_io(
            lambda: read_online(server, access, whose, asked),
            on_done=lambda answer: done(answer) if epoch == self._epoch else None,
            on_failed=failed_online,
        )

    def _failed(self, error: BaseException, epoch: int) -> None:
        if epoch == self._epoch:
            self.problem.emit(errors.explain(error))

    def _on_list(self, answer: Answer) -> None:
        self._answer = answer
        by_id = dict(zip((a.measure for a in self._list_asked()), answer.pairs, strict=False))
        self.lines = [self._line(m, by_id.get(m.id)) for m in self.measures]
        self._set_note(answer)
        self.measures_changed.emit()
        if self.chosen is None:
            first = next((m for m in self.measures if m.recorded), None)
            if first is not None:
                self.choose(first.id)
        else:
            self.choose(self.chosen.id, self.breakdown)

    def _line(self, measure: MeasureInfo, pair: Pair | None) -> MeasureLine:
        if not measure.recorded or pair is None:
            words = status_words(NOT_RECORDED) if not measure.recorded else ""
            return MeasureLine(measure, words, words, target_words(measure))
        return MeasureLine(
            measure,
            shown(measure.unit, latest_row(pair.service)) if pair.service else "",
            shown(measure.unit, latest_row(pair.own)) if pair.own else "",
            target_words(measure),
        )

    def _set_note(self, answer: Answer) -> None:
        user = self._session.user
        if user is None:
            return
        whose = self._whose(user)
        if not answer.online:
            if whose.own:
                note = _tr(
                    "These are your own figures, from this computer. The whole service's "
                    "figures need a connection to the service's server: connect, then sign "
                    "in again."
                )
            else:
                note = _tr(
                    "The whole service's figures need a connection to the service's server: "
                    "connect, then sign in again."
                )
        elif answer.service_refused:
            note = _tr(
                "These are your own figures. The server gives the whole service's figures "
                "to the service lead only."
            )
        elif whose.service:
            note = _tr("The whole service's figures, from the service's server.")
        else:
            note = _tr("Your own figures beside the whole service's, from the service's server.")
        self.note = note
        self.note_changed.emit(note)

    def breakdowns(self, measure: MeasureInfo) -> tuple[str, ...]:
        """The ways the signed-in user may break ``measure`` down, by month first.

        By clinician only for the service lead: a clinician's own figures have one clinician,
        and each colleague's are the lead's to read.
        """
        user = self._session.user
        lead = user is not None and self._whose(user).service
        named = [b for b in measure.breakdowns if b != "month" and (lead or b != "clinician")]
        first = ("month",) if "month" in measure.breakdowns else ()
        return (*first, *named, "all")

    def choose(self, measure_id: str, breakdown: str | None = None) -> None:
        """Show one measure's trend and its figures by ``breakdown`` (by month at first)."""
        measure = next((m for m in self.measures if m.id == measure_id), None)
        if measure is None:
            return
        if breakdown is None or breakdown not in self.breakdowns(measure):
            breakdown = "month" if "month" in measure.breakdowns else "all"
        self.chosen, self.breakdown = measure, breakdown
        answer = self._answer
        trend = None
        if answer is not None and measure.recorded:
            ids = [a.measure for a in self._list_asked()]
            if measure.id in ids:
                trend = answer.pairs[ids.index(measure.id)]
        self.trend = trend
        self.by_breakdown = trend if breakdown == "month" else None
        self.charts_changed.emit()
        if breakdown != "month" and measure.recorded:
            epoch = self._epoch
            self._read(
                (FiguresAsked(measure.id, self.first, self.last, breakdown),),
                lambda found: self._on_breakdown(measure.id, breakdown, found),
                epoch,
            )

    def choose_breakdown(self, breakdown: str) -> None:
        if self.chosen is not None:
            self.choose(self.chosen.id, breakdown)

    def _on_breakdown(self, measure_id: str, breakdown: str, answer: Answer) -> None:
        if self.chosen is None or (self.chosen.id, self.breakdown) != (measure_id, breakdown):
            return  # since left
        self.by_breakdown = answer.pairs[0]
        self.charts_changed.emit()

    def reset(self) -> None:
        self._epoch += 1
        self._access = None
        self._answer = None
        self.lines, self.chosen, self.trend, self.by_breakdown = [], None, None, None
        self.breakdown, self.note = "month", ""
        self.measures_changed.emit()
        self.charts_changed.emit()

    # ------------------------------------------------------------------ charts and tables

    def _series(self, pair: Pair, suppressed: bool) -> list[tuple[str, Figures, bool]]:
        found = []
        if pair.service is not None:
            found.append((_tr("The whole service"), pair.service, False))
        if pair.own is not None:
            found.append((_tr("Your own"), pair.own, True))
        if suppressed:
            found = [(name, suppress(figures), own) for name, figures, own in found]
        return found

    def chart(self, kind: ChartKind, *, suppressed: bool = False) -> ChartData | None:
        """The trend (``TREND``) or the breakdown (``BARS``) of the chosen measure."""
        measure = self.chosen
        if measure is None:
            return None
        pair = self.trend if kind is ChartKind.TREND else self.by_breakdown
        series = self._series(pair, suppressed) if pair is not None else []
        keys: list[tuple[str | None, str]] = []
        for _name, figures, _own in series:
            for row in figures.rows:
                if (row.key, row.label) not in keys:
                    keys.append((row.key, row.label))
        breakdown = "month" if kind is ChartKind.TREND else self.breakdown
        categories = tuple(
            short_month(key, label) if breakdown == "month" else label for key, label in keys
        )
        drawn = []
        for name, figures, own in series:
            rows = {(row.key, row.label): row for row in figures.rows}
            drawn.append(
                ChartSeries(
                    name=name,
                    values=tuple(
                        plotted(measure.unit, rows[k]) if k in rows else None for k in keys
                    ),
                    shown=tuple(shown(measure.unit, rows.get(k)) for k in keys),
                    own=own,
                )
            )
        if kind is ChartKind.TREND:
            title = _tr("{measure}: by month, {period}")
        else:
            title = _tr("{measure}: by {breakdown}, {period}")
        target = measure.target_value
        return ChartData(
            kind=kind,
            title=title.format(
                measure=measure.title,
                breakdown=breakdown_words(breakdown).lower(),
                period=self.period_words(),
            ),
            categories=categories,
            series=tuple(drawn),
            axis=axis_words(measure.unit),
            category_axis=breakdown_words(breakdown),
            target=None if target is None else in_axis_unit(measure.unit, target),
            target_words=target_words(measure),
            note=_tr(SUPPRESSED_NOTE) if suppressed else "",
            empty=(
                status_words(NOT_RECORDED).capitalize() + "."
                if not measure.recorded
                else _tr("Reading the figures…")
                if pair is None
                else _tr("No figures for these months.")
            ),
            top=100.0 if measure.unit == "share" else None,
        )

    def table(
        self, kind: ChartKind, *, suppressed: bool = True
    ) -> tuple[list[str], list[list[str]]]:
        """The chart's figures as a table: one row per month or breakdown value."""
        measure = self.chosen
        pair = self.trend if kind is ChartKind.TREND else self.by_breakdown
        if measure is None or pair is None:
            return [], []
        series = self._series(pair, suppressed)
        breakdown = "month" if kind is ChartKind.TREND else self.breakdown
        headings = [breakdown_words(breakdown)]
        for name, _figures, _own in series:
            headings += [
                _tr("{whose}: counted").format(whose=name),
                _tr("{whose}: out of").format(whose=name),
                _tr("{whose}: figure").format(whose=name),
            ]
        keys: list[tuple[str | None, str]] = []
        for _name, figures, _own in series:
            keys += [(r.key, r.label) for r in figures.rows if (r.key, r.label) not in keys]
        rows = []
        for key in keys:
            cells = [key[1]]
            for _name, figures, _own in series:
                row = next((r for r in figures.rows if (r.key, r.label) == key), None)
                cells += [
                    "" if row is None or row.numerator is None else str(row.numerator),
                    "" if row is None or row.denominator is None else str(row.denominator),
                    shown(measure.unit, row),
                ]
            rows.append(cells)
        return headings, rows

    def file_name(self, kind: ChartKind, suffix: str) -> str:
        """A name for an export: the measure, the breakdown and the months; no person."""
        measure = self.chosen.id if self.chosen else "figures"
        breakdown = "month" if kind is ChartKind.TREND else self.breakdown
        return f"{measure}_by_{breakdown}_{self.first:%Y-%m}_to_{self.last:%Y-%m}.{suffix}"

    def save_table(self, kind: ChartKind, path: Path) -> Path | None:
        """Save a chart's table, small numbers suppressed, as CSV; the path saved at."""
        headings, rows = self.table(kind, suppressed=True)
        if not headings or self.chosen is None:
            return None
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        about = [[self.chosen.title], [self.period_words()], [_tr(SUPPRESSED_NOTE)]]
        if self.chosen.target_value is not None:
            about.append([target_words(self.chosen) + ". " + (self.chosen.target_source or "")])
        width = len(headings)
        padded = [cells + [""] * (width - len(cells)) for cells in about]
        try:
            write_csv(path, headings, [*rows, [""] * width, *padded])
        except OSError:
            self.problem.emit(_tr("The file could not be saved there. Choose another place."))
            return None
        return path
