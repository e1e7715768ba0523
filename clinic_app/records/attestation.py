"""The sentence a signer is shown and agrees to: the record type's own, or the service's."""

from __future__ import annotations

from sqlalchemy.orm import Session

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
