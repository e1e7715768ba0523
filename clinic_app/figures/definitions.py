"""The measures, read from resources/measures/ and checked: what each counts, and how.

A measure names a fact source (or several, whose rows are taken together) and declares its
figure as data: a count of rows, a share of rows (numerator over denominator), a mean of a
column, or the median of the days between two columns. Filters are small: a column equal to
a value, in a list, present, at least or below a number (or a named threshold), and the
working days or calendar days from one column to another at most a number. Numbers that are
service rules (the MSK-HQ's minimal important change, the days a letter may take) are named
thresholds in the same file, each with its source.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as SchemaError

from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.resource_files import read_json

FOLDER = "measures"

#: The breakdowns every measure may offer: by month, and by who and where, and by the
#: patient's age band, sex, ethnicity and deprivation decile. A measure may offer its fact
#: source's own code columns too (a priority, an injection's target).
STANDARD_BREAKDOWNS: tuple[str, ...] = (
    "all",
    "month",
    "site",
    "clinician",
    "condition",
    "age_band",
    "sex",
    "ethnicity",
    "deprivation",
)


class Kind(StrEnum):
    """How a measure's figure is made from its rows."""

    COUNT = "count"
    SHARE = "share"
    MEAN = "mean"
    MEDIAN_DAYS = "median_days"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThresholdRef(_Model):
    """A number kept as a named threshold of the file."""

    threshold: str


Number = float | ThresholdRef
Scalar = str | bool | int | float


class Threshold(_Model):
    """A number a measure uses, with its source (and, when unconfirmed, what to verify)."""

    value: float
    unit: str
    source: str = Field(min_length=10)
    verify: str | None = None


class Between(_Model):
    """The days from one column to another, at most a number."""

    from_: str = Field(alias="from")
    to: str
    at_most: Number


class Filter(_Model):
    """One condition on a fact row; exactly one of its forms is given."""

    column: str | None = None
    is_: Scalar | None = Field(default=None, alias="is")
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    present: bool | None = None
    at_least: Number | None = None
    below: Number | None = None
    working_days: Between | None = None
    days: Between | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Filter:
        forms = [
            self.is_ is not None,
            self.in_ is not None,
            self.present is not None,
            self.at_least is not None,
            self.below is not None,
            self.working_days is not None,
            self.days is not None,
        ]
        if sum(forms) != 1:
            raise ValueError("a filter has exactly one form")
        on_column = any(forms[:5])
        if on_column != (self.column is not None):
            raise ValueError("a column filter names its column; a days filter does not")
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        """The fact columns the filter reads."""
        between = self.working_days or self.days
        if between is not None:
            return (between.from_, between.to)
        return (self.column,) if self.column is not None else ()


class Target(_Model):
    """What the figure should reach, and the clause that says so."""

    value: float
    direction: Literal["at_least", "at_most"]
    source: str = Field(min_length=10)


class MeasureDefinition(_Model):
    """One measure, as the file declares it.

    Attributes:
        id: its stable name.
        title: how a user sees it named.
        description: what it counts, in plain words.
        source: the fact source (or sources) its rows come from.
        kind: count, share, mean or median days.
        unit: "share" (a fraction 0 to 1), "count", "days" or "points".
        denominator: the rows counted (every row of the month when empty).
        numerator: of those, the rows a share counts (shares only).
        column: the column a mean is taken of (means only).
        from_, to: the columns a median of days runs between (median days only).
        min_denominator: below this many rows a share is not given ("too few").
        breakdowns: how its figures may be broken down.
        target: what the figure should reach, or None where no document sets one.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=3)
    description: str = Field(min_length=10)
    source: str | tuple[str, ...]
    kind: Kind
    unit: Literal["share", "count", "days", "points"]
    denominator: tuple[Filter, ...] = ()
    numerator: tuple[Filter, ...] = ()
    column: str | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    min_denominator: ThresholdRef | None = None
    breakdowns: tuple[str, ...] = ("month",)
    target: Target | None

    @model_validator(mode="after")
    def _kind_fields(self) -> MeasureDefinition:
        if (self.kind is Kind.SHARE) != bool(self.numerator):
            raise ValueError("a share, and only a share, has a numerator")
        if (self.kind is Kind.MEAN) != (self.column is not None):
            raise ValueError("a mean, and only a mean, names its column")
        if (self.kind is Kind.MEDIAN_DAYS) != (self.from_ is not None and self.to is not None):
            raise ValueError("a median of days, and only one, names its from and to")
        return self

    @property
    def sources(self) -> tuple[str, ...]:
        """The fact sources its rows come from."""
        return (self.source,) if isinstance(self.source, str) else self.source

    @property
    def columns(self) -> tuple[str, ...]:
        """Every fact column it reads, beyond the standard ones."""
        found: list[str] = []
        for condition in (*self.denominator, *self.numerator):
            found.extend(condition.columns)
        found.extend(c for c in (self.column, self.from_, self.to) if c is not None)
        found.extend(b for b in self.breakdowns if b not in STANDARD_BREAKDOWNS)
        return tuple(dict.fromkeys(found))


class MeasureFile(_Model):
    """The file of measures."""

    version: str
    source: str
    licence: str
    notes: str = ""
    thresholds: dict[str, Threshold]
    measures: tuple[MeasureDefinition, ...]

    @model_validator(mode="after")
    def _references(self) -> MeasureFile:
        ids = [m.id for m in self.measures]
        if len(ids) != len(set(ids)):
            raise ValueError("two measures share an id")
        for measure in self.measures:
            for name in _threshold_names(measure):
                if name not in self.thresholds:
                    raise ValueError(f"{measure.id}: no threshold {name!r}")
        return self

    def threshold(self, number: Number) -> float:
        """The value of a number or of the threshold it names."""
        if isinstance(number, ThresholdRef):
            return self.thresholds[number.threshold].value
        return number

    def measure(self, measure_id: str) -> MeasureDefinition:
        """The measure with ``measure_id``.

        Raises:
            ClinicError: ``figures.unknown_measure`` for an id the file has no measure for.
        """
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise ClinicError("figures.unknown_measure", measure=measure_id)


def _threshold_names(measure: MeasureDefinition) -> list[str]:
    numbers: list[Number | None] = [
        measure.min_denominator,
    ]
    for condition in (*measure.denominator, *measure.numerator):
        numbers.extend((condition.at_least, condition.below))
        between = condition.working_days or condition.days
        if between is not None:
            numbers.append(between.at_most)
    return [n.threshold for n in numbers if isinstance(n, ThresholdRef)]


ModelT = TypeVar("ModelT", bound=_Model)


class Suppression(_Model):
    """The small-number rule for figures that leave the service."""

    version: str
    smallest_shown: Annotated[int, Field(ge=1)]
    shown_as: str
    source: str = Field(min_length=10)
    notes: str = ""


class AgeBands(_Model):
    """The age bands of the age breakdown."""

    version: str
    width: Annotated[int, Field(ge=1)]
    open_from: Annotated[int, Field(ge=1)]
    source: str = Field(min_length=10)
    notes: str = ""


def _parse(model: type[ModelT], name: str) -> ModelT:
    try:
        return model.model_validate(read_json(FOLDER, name))
    except SchemaError as error:
        raise ClinicError(
            "content.invalid", file=f"{name}.json", reason=str(error.errors()[0]["msg"])
        ) from error


@cache
def measure_file() -> MeasureFile:
    """The shipped measures (read once).

    Raises:
        ClinicError: ``content.invalid`` for a file that is missing or of the wrong shape.
    """
    return _parse(MeasureFile, "measures")


@cache
def suppression_rule() -> Suppression:
    """The shipped small-number rule (read once)."""
    return _parse(Suppression, "suppression")


@cache
def age_bands() -> AgeBands:
    """The shipped age bands (read once)."""
    return _parse(AgeBands, "age_bands")
