"""The register of shockwave devices: kept by the service lead, read by clinicians.

Each device has its make, model, serial, whether it is radial or focused, and the day it was
last serviced; it is overdue the day after its last service plus the service's interval
(``eswt_rules.device_service_interval_months``), which no source gives for every device: until
the service sets it, a device with a service date has no due date and says so. Writing it
needs ``eswt_device.manage`` here and on the server.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.shockwave.model import EswtDevice
from clinic_app.domains.shockwave.rules import (
    DEVICE_KINDS,
    DeviceFacts,
    EswtRules,
    device_overdue,
    service_due,
    service_unchecked,
)
from clinic_app.domains.shockwave.service.settings import rules_in_force
from clinic_app.domains.shockwave.views import DeviceInput, DeviceView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.uow import Context, Mode, UnitOfWork

NAME_MAX = 120
SERIAL_MAX = 60


def device_facts(row: EswtDevice) -> DeviceFacts:
    """A stored device as the checks read it."""
    return DeviceFacts(id=row.id, kind=row.kind, last_service_on=row.last_service_on)


def device_view(row: EswtDevice, rules: EswtRules, today: date) -> DeviceView:
    """The read model of one device, overdue or not on ``today``."""
    due = service_due(row.last_service_on, rules)
    return DeviceView(
        id=row.id,
        make=row.make,
        model=row.model,
        serial=row.serial,
        kind=row.kind,
        last_service_on=row.last_service_on,
        service_due_on=due,
        overdue=device_overdue(device_facts(row), today, rules),
        service_unchecked=service_unchecked(device_facts(row), rules),
        row_version=row.row_version,
    )


def _word(code: str, value: str, field: str, limit: int) -> tuple[str, list[ValidationError]]:
    words = " ".join(value.split())
    if not words:
        return words, [ValidationError(f"eswt_device.{code}", field=field)]
    if len(words) > limit:
        return words, [ValidationError("text.too_long", field=field, max_length=limit)]
    return words, []


def _checked(data: DeviceInput, today: date) -> dict[str, object]:
    make, errors = _word("make_required", data.make, "make", NAME_MAX)
    model, more = _word("model_required", data.model, "model", NAME_MAX)
    errors += more
    serial, more = _word("serial_required", data.serial, "serial", SERIAL_MAX)
    errors += more
    if data.kind not in DEVICE_KINDS:
        errors.append(ValidationError("eswt_device.unknown_kind", field="kind"))
    if data.last_service_on is not None and data.last_service_on > today:
        errors.append(ValidationError("eswt_device.service_in_future", field="last_service_on"))
    if errors:
        raise FormErrors(errors)
    return {
        "make": make,
        "model": model,
        "serial": serial,
        "kind": data.kind,
        "last_service_on": data.last_service_on,
    }


def _serial_taken(session: Session, serial: str, other: uuid.UUID | None) -> None:
    query = select(EswtDevice.id).where(EswtDevice.serial == serial, EswtDevice.deleted.is_(False))
    if other is not None:
        query = query.where(EswtDevice.id != other)
    if session.scalars(query).first() is not None:
        raise FormErrors([ValidationError("eswt_device.serial_taken", field="serial")])


class EswtDeviceService:
    """The device register: listed for every clinician, changed by the service lead (audited)."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def list(self, actor: CurrentUser) -> builtins.list[DeviceView]:
        """Every device of the register by make, model and serial (no patient data)."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            rules = rules_in_force(session)
            rows = session.scalars(
                select(EswtDevice)
                .where(EswtDevice.deleted.is_(False))
                .order_by(EswtDevice.make, EswtDevice.model, EswtDevice.serial, EswtDevice.id)
            ).all()
            return [device_view(row, rules, date.today()) for row in rows]

    def add(self, actor: CurrentUser, data: DeviceInput) -> DeviceView:
        """Add a device to the register.

        Raises:
            PermissionDenied: ``permission.denied`` without ``eswt_device.manage``.
            FormErrors: ``eswt_device.make_required``, ``eswt_device.model_required``,
                ``eswt_device.serial_required``, ``eswt_device.unknown_kind``,
                ``eswt_device.service_in_future``, ``eswt_device.serial_taken``,
                ``text.too_long``.
        """
        with self._uow(actor, Action.ESWT_DEVICE_MANAGE) as session:
            values = _checked(data, date.today())
            _serial_taken(session, str(values["serial"]), None)
            row = EswtDevice(**values)
            session.add(row)
            session.flush()
            self._audit(session, actor, "eswt_device.add", row)
            return device_view(row, rules_in_force(session), date.today())

    def update(self, actor: CurrentUser, device_id: uuid.UUID, data: DeviceInput) -> DeviceView:
        """Change a device (a new service date, say).

        Raises:
            NotFound: ``eswt_device.not_found``.
            PermissionDenied, FormErrors: as :meth:`add`.
        """
        with self._uow(actor, Action.ESWT_DEVICE_MANAGE) as session:
            row = session.get(EswtDevice, device_id)
            if row is None or row.deleted:
                raise NotFound("eswt_device.not_found")
            values = _checked(data, date.today())
            _serial_taken(session, str(values["serial"]), row.id)
            for name, value in values.items():
                setattr(row, name, value)
            session.flush()
            self._audit(session, actor, "eswt_device.update", row)
            return device_view(row, rules_in_force(session), date.today())

    def _audit(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: EswtDevice
    ) -> None:
        self._uow.audit(session, actor, action, entity=EswtDevice.__tablename__, entity_id=row.id)
