"""The ESWT settings in force on this device: cited defaults, as the service set them.

The service sets them on the server (``settings set eswt_rules.<name> <value>``, see
``clinic_app.server.settings``); a device receives the ``service_setting`` row by sync and
reads it here. A stored value that no longer checks falls back to the shipped default.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic_app.domains.shockwave.content import SETTING, rules_with, shipped_rules
from clinic_app.domains.shockwave.rules import EswtRules
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.settings import ServiceSetting, setting_id


def rules_in_force(session: Session) -> EswtRules:
    """The shipped rules with the service's own values applied."""
    row = session.get(ServiceSetting, setting_id(SETTING))
    stored = row.value if row is not None and not row.deleted else {}
    try:
        return rules_with(stored)
    except ValidationError:
        return shipped_rules()
