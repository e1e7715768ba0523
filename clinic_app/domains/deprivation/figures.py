"""A patient's area deprivation for the figures: one lookup, and a join for one SQL statement.

The decile is the English Index of Multiple Deprivation's: 1 is the most deprived 10% of
LSOAs in England, 10 the least. A postcode's LSOA is taken from the census the imported index
is published on (2011 LSOAs for IoD2019, 2021 LSOAs for IoD2025), so the two codes of the same
name are never mixed. A postcode outside England, not in the lookup, or with no index imported
has no decile (None): the figures show it as "not known", never as a decile.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from clinic_app.domains.deprivation.model import DeprivationLsoa, DeprivationPostcode
from clinic_app.domains.deprivation.rules import normalise_postcode

__all__ = ["decile_for", "imd_decile", "normalise_postcode", "postcode_deciles"]


def _lsoa_matches() -> Any:
    return or_(
        and_(
            DeprivationLsoa.lsoa_vintage == "2011",
            DeprivationLsoa.lsoa_code == DeprivationPostcode.lsoa11,
        ),
        and_(
            DeprivationLsoa.lsoa_vintage == "2021",
            DeprivationLsoa.lsoa_code == DeprivationPostcode.lsoa21,
        ),
    )


def postcode_deciles() -> Select[str, int]:
    """Every known postcode with its decile: columns ``postcode`` and ``imd_decile``.

    Join it to a table of patients on their (normalised) postcode, as a subquery, to group
    figures by decile in the same statement::

        deciles = postcode_deciles().subquery()
        select(deciles.c.imd_decile, func.count()).select_from(Patient).outerjoin(
            deciles, deciles.c.postcode == Patient.postcode
        ).group_by(deciles.c.imd_decile)
    """
    return select(
        DeprivationPostcode.postcode.label("postcode"),
        DeprivationLsoa.decile.label("imd_decile"),
    ).join(DeprivationLsoa, _lsoa_matches())


def decile_for(postcode: Any) -> Any:
    """The decile of ``postcode`` (a column or expression holding normalised postcodes).

    A correlated scalar subquery, NULL when there is none: usable as a column, in a
    ``GROUP BY`` or a ``WHERE`` of the caller's statement, on SQLite and PostgreSQL alike.
    """
    return (
        select(DeprivationLsoa.decile)
        .select_from(DeprivationPostcode)
        .join(DeprivationLsoa, _lsoa_matches())
        .where(DeprivationPostcode.postcode == postcode)
        .limit(1)
        .scalar_subquery()
    )


def imd_decile(session: Session, postcode: str | None) -> int | None:
    """The IMD decile of the area ``postcode`` lies in, or None when it is not known.

    ``postcode`` may be written any way (case, spaces); one not shaped like a UK postcode has
    no decile.
    """
    normal = normalise_postcode(postcode)
    if normal is None:
        return None
    found = session.execute(
        postcode_deciles().where(DeprivationPostcode.postcode == normal)
    ).first()
    return int(found.imd_decile) if found is not None else None
