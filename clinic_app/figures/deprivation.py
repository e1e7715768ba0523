"""A patient's deprivation decile (Index of Multiple Deprivation), for the figures' breakdown.

The one place the figures read deprivation: the postcode lookup the service lead imports
from the published files (postcode to LSOA to IMD decile, ``clinic_app.domains.deprivation``).
A postcode the lookup does not hold, or a store with no lookup imported (a laptop, unless its
administrator imported it there too), has no decile: the breakdown shows such patients as
"not recorded", never a made-up decile.
"""

from __future__ import annotations

from typing import Any

from clinic_app.domains.deprivation.figures import decile_for


def imd_decile_column(postcode: Any) -> Any:
    """The IMD decile (1 most deprived to 10 least) of the area of ``postcode``, or NULL.

    Args:
        postcode: the patient's postcode column, as the patient record keeps it (upper
            case, one space before the inward code, as the lookup keeps it too).
    """
    return decile_for(postcode)
