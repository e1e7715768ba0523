"""A patient's deprivation decile (Index of Multiple Deprivation), for the figures' breakdown.

The one place the figures read deprivation, so the postcode lookup (postcode to LSOA to IMD
decile, imported by the service lead from the published files) plugs in here. Until that
lookup is in the store, every patient's decile is NULL: the breakdown shows everyone as
"not recorded", never a made-up decile.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, cast, null


def imd_decile_column(postcode: Any) -> Any:
    """The IMD decile (1 most deprived to 10 least) of the area of ``postcode``, or NULL.

    Args:
        postcode: the patient's postcode column, as the patient record keeps it.
    """
    del postcode  # read once the postcode lookup is in the store
    return cast(null(), Integer)
