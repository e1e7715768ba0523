"""The sentence a signer is shown and agrees to: the record type's own, or the service's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.records.registry import RecordType


def attestation(session: Session | None, record_type: RecordType, step: str) -> str:
    """The sentence shown for ``step`` (``sign``, ``verify``) of a record of ``record_type``.

    A service words its own in the record type's attestation setting; otherwise the record
    type's default.

    Raises:
        KeyError: for a step the record type has no sentence for.
    """
    key = record_type.attestation_setting
    if session is not None and key is not None:
        row = session.get(ServiceSetting, setting_id(key))
        if row is not None and not row.deleted and str(row.value.get(step) or "").strip():
            return str(row.value[step]).strip()
    return record_type.attestations[step]


#: The longest sentence a service may word for itself.
MAX_ATTESTATION = 600


def changed_attestations(
    stored: Mapping[str, Any], changes: Mapping[str, str | None]
) -> dict[str, str]:
    """The attestation setting's value after ``changes`` (by step; "" puts the default back).

    The one check of a change, wherever it is made (a device or the server's
    ``settings set``): spaces are collapsed, and a sentence is at most
    :data:`MAX_ATTESTATION` characters.

    Raises:
        ValidationError: ``text.too_long`` (field: the step).
    """
    value = {str(k): str(v) for k, v in stored.items()}
    for step, given in changes.items():
        if given is None:
            continue
        words = " ".join(given.split())
        if len(words) > MAX_ATTESTATION:
            raise ValidationError("text.too_long", field=step, max_length=MAX_ATTESTATION)
        if words:
            value[step] = words
        else:
            value.pop(step, None)
    return value
