"""One measure, a range of months and a breakdown, compiled into one SQL statement and run.

The statement takes the rows of the measure's fact source(s) (each a select a record type
offers), keeps those whose ``at`` day falls in the months, groups them by the breakdown and
aggregates them as the measure declares. It is the same statement on SQLite and PostgreSQL
but for the expressions of ``dialect``; working days are counted against a calendar carried
in the statement (``calendar``). A measure whose fact source no record type offers has the
status "not recorded yet", never 0.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from clinic_app.figures.breakdowns import Grouping, grouping
from clinic_app.figures.calendar import calendar_table
from clinic_app.figures.definitions import (
    STANDARD_BREAKDOWNS,
    Filter,
    Kind,
    MeasureDefinition,
    MeasureFile,
    measure_file,
)
from clinic_app.figures.dialect import day_of, day_within, days_between
from clinic_app.figures.results import (
    NOT_RECORDED,
    Figures,
    TargetView,
)
from clinic_app.figures.rows import month_start, next_month, overall_status, result_rows
from clinic_app.kernel.errors import ClinicError
from clinic_app.records.offers import STANDARD_FACT_COLUMNS, FactSource
from clinic_app.records.registry import fact_sources

#: Days of calendar kept after the last month, so a clock started late in it can stop.
_CALENDAR_AFTER = timedelta(days=92)


@dataclass(frozen=True)
class Request:
    """What is asked: a measure over whole months, broken down, for whom.

    Attributes:
        measure: the measure's id.
        first, last: any days in the first and last months (in order).
        breakdown: ``all``, ``month``, another standard breakdown or one the measure offers.
        clinician_id: only this clinician's facts (None: the whole service's).
    """

    measure: str
    first: date
    last: date
    breakdown: str = "all"
    clinician_id: uuid.UUID | None = None


class _Statement:
    """Builds the statement of one request (see the module)."""

    def __init__(
        self,
        definitions: MeasureFile,
        measure: MeasureDefinition,
        sources: Mapping[str, FactSource],
        dialect: str,
        request: Request,
    ) -> None:
        self.definitions = definitions
        self.measure = measure
        self.dialect = dialect
        self.request = request
        self.first = month_start(request.first)
        self.end = next_month(request.last)  # excluded
        self.facts = _facts(measure, sources, request.breakdown)
        self.at_day = day_of(dialect, self.facts.c.at)
        self.joins: list[tuple[Any, Any]] = []
        self._calendar: Any = None

    # ------------------------------------------------------------ conditions

    def _days(self, between: Any, *, working: bool) -> Any:
        start = day_of(self.dialect, self.facts.c[between.from_])
        stop = day_of(self.dialect, self.facts.c[between.to])
        if not working:
            return days_between(self.dialect, start, stop)
        if self._calendar is None:
            self._calendar = calendar_table(
                self.first - timedelta(days=7), self.end + _CALENDAR_AFTER, "working_day"
            )
        index = len(self.joins)
        opened = self._calendar.alias(f"clock_start_{index}")
        closed = self._calendar.alias(f"clock_stop_{index}")
        self.joins += [(opened, opened.c.day == start), (closed, closed.c.day == stop)]
        return closed.c.n - opened.c.n

    def condition(self, rule: Filter) -> Any:
        """One filter as SQL."""
        number = self.definitions.threshold
        for between, working in ((rule.working_days, True), (rule.days, False)):
            if between is not None:
                return self._days(between, working=working) <= number(between.at_most)
        column = self.facts.c[rule.column]
        if rule.is_ is not None:
            return column == rule.is_
        if rule.in_ is not None:
            return column.in_(rule.in_)
        if rule.present is not None:
            return column.is_not(None) if rule.present else column.is_(None)
        if rule.at_least is not None:
            return column >= number(rule.at_least)
        assert rule.below is not None  # one form is given (checked on load)
        return column < number(rule.below)

    def conditions(self, rules: tuple[Filter, ...]) -> Any:
        """Every filter of a list at once (true for none)."""
        return and_(true(), *(self.condition(rule) for rule in rules))

    # ------------------------------------------------------------ statement

    def statement(self) -> Select[Any]:
        """The one statement: (key, label, numerator, denominator, value) per group.

        The rows kept are first given their breakdown key and what each counts for, in a
        subquery; the groups are made over its columns (grouping by an expression with
        bound values would not match itself on PostgreSQL).
        """
        group = grouping(self.request.breakdown, self.facts, self.dialect, self.at_day)
        kept = day_within(self.facts.c.at, self.first, self.end)
        if self.request.clinician_id is not None:
            kept.append(self.facts.c.clinician_id == self.request.clinician_id)
        kept.append(self.conditions(self.measure.denominator))
        kind = self.measure.kind
        if kind is Kind.SHARE:
            counted: Any = case((self.conditions(self.measure.numerator), 1), else_=0)
        else:
            counted = literal(1)
        if kind is Kind.MEAN:
            value: Any = cast(self.facts.c[self.measure.column], Float)
            kept.append(self.facts.c[self.measure.column].is_not(None))
        elif kind is Kind.MEDIAN_DAYS:
            assert self.measure.from_ is not None
            assert self.measure.to is not None
            start = day_of(self.dialect, self.facts.c[self.measure.from_])
            stop = day_of(self.dialect, self.facts.c[self.measure.to])
            value = days_between(self.dialect, start, stop)
            kept += [self.facts.c[self.measure.from_].is_not(None)]
            kept += [self.facts.c[self.measure.to].is_not(None)]
        else:
            value = cast(null(), Float)
        key = group.key if group else _none()
        label = group.label if group and group.label is not None else _none()
        rows = (
            select(
                key.label("key"),
                label.label("label"),
                counted.label("counted"),
                value.label("value"),
            )
            .select_from(self._from(group))
            .where(*kept)
            .subquery("kept")
        )
        if kind is Kind.MEDIAN_DAYS:
            return self._median(rows, grouped=group is not None)
        heads = _heads(rows, grouped=group is not None)
        statement = select(
            *heads,
            func.coalesce(func.sum(rows.c.counted), 0).label("numerator"),
            func.count().label("denominator"),
            func.avg(rows.c.value).label("value"),
        )
        if group is not None:
            statement = statement.group_by(rows.c.key, rows.c.label)
        return statement

    def _from(self, group: Grouping | None) -> Any:
        joined: Any = self.facts
        seen: set[Any] = set()
        for table, on in [*(group.joins if group else ()), *self.joins]:
            if table in seen:
                continue
            seen.add(table)
            joined = joined.outerjoin(table, on)
        return joined

    @staticmethod
    def _median(rows: Any, *, grouped: bool) -> Select[Any]:
        """The median of the kept rows' days per group: the middle one, or the two's mean."""
        partition = [rows.c.key, rows.c.label] if grouped else None
        ranked = select(
            rows.c.key,
            rows.c.label,
            rows.c.value,
            func.row_number().over(partition_by=partition, order_by=rows.c.value).label("place"),
            func.count().over(partition_by=partition).label("rows"),
        ).subquery("ranked")
        middle = or_(
            ranked.c.place == (ranked.c.rows + 1) // 2,
            ranked.c.place == (ranked.c.rows + 2) // 2,
        )
        statement = select(
            *_heads(ranked, grouped=grouped),
            func.max(ranked.c.rows).label("numerator"),
            func.max(ranked.c.rows).label("denominator"),
            func.avg(cast(ranked.c.value, Float)).label("value"),
        ).where(middle)
        if grouped:
            statement = statement.group_by(ranked.c.key, ranked.c.label)
        return statement


def _heads(rows: Any, *, grouped: bool) -> tuple[Any, Any]:
    """The key and label of a group (NULL for the one row of ``all``, which has no group)."""
    if grouped:
        return rows.c.key, rows.c.label
    return _none().label("key"), _none().label("label")


def _none() -> Any:
    return cast(null(), String())


def _facts(measure: MeasureDefinition, sources: Mapping[str, FactSource], breakdown: str) -> Any:
    """The rows of the measure's sources taken together, with the columns it reads."""
    wanted = list(STANDARD_FACT_COLUMNS) + list(measure.columns)
    if breakdown not in STANDARD_BREAKDOWNS and breakdown not in wanted:
        wanted.append(breakdown)
    selects = []
    for name in measure.sources:
        offered = sources[name].select().subquery(name)
        missing = [column for column in wanted if column not in offered.c]
        if missing:
            raise ClinicError(
                "content.invalid",
                file="measures.json",
                reason=f"{measure.id} reads {missing[0]}, which {name} does not offer",
            )
        selects.append(select(*(offered.c[column].label(column) for column in wanted)))
    together = selects[0] if len(selects) == 1 else union_all(*selects)
    return together.subquery("facts")


def figures_statement(
    request: Request,
    dialect: str,
    *,
    definitions: MeasureFile | None = None,
    sources: Mapping[str, FactSource] | None = None,
) -> Select[Any] | None:
    """The one statement of a request on ``dialect`` (None when it is not recorded yet).

    Raises:
        ClinicError: ``figures.unknown_measure``, ``figures.unknown_breakdown``, or
            ``content.invalid`` for a measure reading a column its source lacks.
    """
    definitions = definitions or measure_file()
    measure = definitions.measure(request.measure)
    if request.breakdown not in ("all", *measure.breakdowns):
        raise ClinicError(
            "figures.unknown_breakdown", measure=measure.id, breakdown=request.breakdown
        )
    offered = fact_sources() if sources is None else sources
    if any(name not in offered for name in measure.sources):
        return None
    return _Statement(definitions, measure, offered, dialect, request).statement()


def compute(
    reader: Session | Connection,
    request: Request,
    *,
    definitions: MeasureFile | None = None,
    sources: Mapping[str, FactSource] | None = None,
) -> Figures:
    """A request's figures, read from the store ``reader`` is open on (one statement).

    Raises:
        ClinicError: as :func:`figures_statement`.
    """
    definitions = definitions or measure_file()
    measure = definitions.measure(request.measure)
    first, last = sorted((month_start(request.first), month_start(request.last)))
    request = Request(request.measure, first, last, request.breakdown, request.clinician_id)
    bind = reader.get_bind() if isinstance(reader, Session) else reader
    statement = figures_statement(
        request, bind.dialect.name, definitions=definitions, sources=sources
    )
    if statement is None:
        found: list[Any] = []
    else:
        found = list(reader.execute(statement))
    rows = result_rows(
        definitions,
        measure,
        found,
        months_of=(first, last),
        breakdown=request.breakdown,
        recorded=statement is not None,
    )
    status = NOT_RECORDED if statement is None else overall_status(rows)
    target = measure.target
    return Figures(
        measure=measure.id,
        title=measure.title,
        unit=measure.unit,
        kind=measure.kind.value,
        first=first,
        last=last,
        breakdown=request.breakdown,
        clinician_id=request.clinician_id,
        status=status,
        rows=tuple(rows),
        target=(
            None if target is None else TargetView(target.value, target.direction, target.source)
        ),
    )
