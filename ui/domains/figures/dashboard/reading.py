"""The service's figures as the dashboard reads them: from the server, or this laptop's own.

The server answers JSON (``clinic_app.server.figures_routes``); this module turns it back
into the figures' own types, and reads a measure for a user either way: the whole service's
(and the user's own) from the server when this laptop reaches it and the user signed in
online here, else the clinician's own from this laptop's store. No Qt here: the view model
runs these on the task runner (the server's calls on the I/O pool, the store's on its worker).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from clinic_app.figures.results import FigureRow, Figures
from clinic_app.figures.service import MeasureInfo
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import PermissionDenied
from clinic_app.people.sync_service import FiguresAsked
from ui.domains.figures.dashboard.whose import Whose


class LocalFigures(Protocol):
    """The part of ``FiguresService`` (``services.figures``) the dashboard uses."""

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
    ) -> Figures: ...


class FiguresServer(Protocol):
    """The part of ``SyncService`` (``services.sync``) that reads figures from the server."""

    def server_for_figures(self, actor: CurrentUser) -> Any: ...

    def server_figures(
        self,
        access: Any,
        asked: Sequence[FiguresAsked],
        *,
        scope: str = "service",
        export: bool = False,
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Pair:
    """The whole service's figures and the user's own, for one ``FiguresAsked`` (None: not read)."""

    service: Figures | None
    own: Figures | None


@dataclass(frozen=True)
class Answer:
    """What a read found: the figures, and why the service's are missing when they are.

    Attributes:
        pairs: one per measure asked, in the order asked.
        online: True when read from the server.
        service_refused: the server does not give this user the whole service's figures.
    """

    pairs: tuple[Pair, ...]
    online: bool
    service_refused: bool = False


def read_online(
    server: FiguresServer,
    access: Any,
    whose: Whose,
    asked: tuple[FiguresAsked, ...],
    *,
    export: bool = False,
) -> Answer:
    """Each asked measure's figures from the server: the service's, and the user's own.

    A user whom the server refuses the whole service's figures (``figures.not_allowed``)
    is refused at the first measure; their own are still read. One connection for each.
    """
    service: list[Figures | None] = [None] * len(asked)
    refused = False
    try:
        bodies = server.server_figures(access, asked, scope="service", export=export)
        service = [Figures.from_json(body) for body in bodies]
    except PermissionDenied:
        refused = True  # the whole service's are the service lead's
    own: list[Figures | None] = [None] * len(asked)
    if whose.own:
        bodies = server.server_figures(access, asked, scope="own", export=export)
        own = [Figures.from_json(body) for body in bodies]
    pairs = tuple(Pair(s, o) for s, o in zip(service, own, strict=True))
    return Answer(pairs, online=True, service_refused=refused and not whose.service)


def read_offline(
    local: LocalFigures,
    actor: CurrentUser,
    whose: Whose,
    asked: tuple[FiguresAsked, ...],
    *,
    export: bool = False,
) -> Answer:
    """Each asked measure's figures from this laptop: the clinician's own only."""
    pairs = []
    for item in asked:
        own = (
            local.figures(actor, item.measure, item.first, item.last, item.breakdown, export=export)
            if whose.own
            else None
        )
        pairs.append(Pair(None, own))
    return Answer(tuple(pairs), online=False)


def latest_row(figures: Figures | None) -> FigureRow | None:
    """The last month's row of figures broken down by month (None: none read)."""
    if figures is None or not figures.rows:
        return None
    return figures.rows[-1]


def measure_ids(measures: tuple[MeasureInfo, ...]) -> tuple[str, ...]:
    """The ids of measures the app records (the rest are "not recorded yet": never asked)."""
    return tuple(measure.id for measure in measures if measure.recorded)
