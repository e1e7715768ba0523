"""The figures as a user asks for them: the service's for its lead, a clinician's own.

On a laptop the store holds the clinician's own work (and what synced to it), so a
clinician's figures there are their own, offline. The whole service's figures are read on
the server, where every laptop's records meet (``clinic_app.server.figures_routes``).
Counts and rates only: no patient is read into the result, so nothing is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clinic_app.figures.definitions import measure_file
from clinic_app.figures.engine import Request, compute
from clinic_app.figures.results import Figures
from clinic_app.figures.suppression import suppress
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action, allows
from clinic_app.kernel.uow import Context, Mode, UnitOfWork
from clinic_app.records.registry import fact_sources


@dataclass(frozen=True)
class MeasureInfo:
    """What a dashboard lists about a measure.

    Attributes:
        id: its stable name.
        title: how a user sees it named.
        description: what it counts, in plain words.
        unit: ``share`` (values 0 to 1), ``count``, ``days`` or ``points``.
        kind: ``count``, ``share``, ``mean`` or ``median_days``.
        breakdowns: how its figures may be broken down (``all`` always too).
        recorded: False while the app records none of its inputs ("not recorded yet").
        target_value, target_direction, target_source: its target, None where no document
            sets one.
    """

    id: str
    title: str
    description: str
    unit: str
    kind: str
    breakdowns: tuple[str, ...]
    recorded: bool
    target_value: float | None = None
    target_direction: str | None = None
    target_source: str | None = None


def catalogue() -> tuple[MeasureInfo, ...]:
    """Every measure, in the order of the file."""
    offered = fact_sources()
    return tuple(
        MeasureInfo(
            id=measure.id,
            title=measure.title,
            description=measure.description,
            unit=measure.unit,
            kind=measure.kind.value,
            breakdowns=measure.breakdowns,
            recorded=all(name in offered for name in measure.sources),
            target_value=measure.target.value if measure.target else None,
            target_direction=measure.target.direction if measure.target else None,
            target_source=measure.target.source if measure.target else None,
        )
        for measure in measure_file().measures
    )


class FiguresService:
    """Reading a measure's figures from this store."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    @staticmethod
    def measures() -> tuple[MeasureInfo, ...]:
        """Every measure a dashboard can show (no store is read)."""
        return catalogue()

    def figures(
        self,
        actor: CurrentUser,
        measure: str,
        first: date,
        last: date,
        breakdown: str = "all",
        *,
        everyone: bool = False,
        export: bool = False,
    ) -> Figures:
        """A measure's figures over the months ``first`` to ``last``, broken down.

        The actor's own (the facts they are the clinician of) unless ``everyone``, which
        needs the service lead's permission; ``export`` suppresses small numbers, as for
        anything that leaves the service.

        Raises:
            PermissionDenied: ``permission.denied`` for the service's figures without the
                permission, or for one's own without clinical work.
            ClinicError: ``figures.unknown_measure`` or ``figures.unknown_breakdown``.
        """
        action = Action.FIGURES_SERVICE if everyone else Action.FIGURES_OWN
        request = Request(measure, first, last, breakdown, None if everyone else actor.id)
        with self._uow(actor, action, mode=Mode.READ) as session:
            found = compute(session, request)
        return suppress(found) if export else found


def may_see_service(actor: CurrentUser) -> bool:
    """True when the actor may see the whole service's figures (the service lead)."""
    return allows(actor.role, Action.FIGURES_SERVICE)
