"""The register of patient group directions: kept by the service lead, read by clinicians.

A PGD names the drugs and targets it covers, the practitioners authorised under it and the
dates it is valid between. The register holds each PGD at its current version: a new version
is an edit that changes ``version`` (an injection names the version it was given under, so a
later edit shows as ``pgd.version_changed`` on a draft still open). Writing it needs
``pgd.manage`` here and on the server, so a clinician's device can never widen its own
authority.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.model import PatientGroupDirection
from clinic_app.domains.injections.rules import PgdTerms
from clinic_app.domains.injections.views import PgdInput, PgdView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import Context, Mode, UnitOfWork

NAME_MAX = 200
VERSION_MAX = 20


def pgd_view(row: PatientGroupDirection) -> PgdView:
    """The read model of one PGD."""
    return PgdView(
        id=row.id,
        name=row.name,
        version=row.version,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        drugs=tuple(row.drugs),
        targets=tuple(row.targets),
        practitioners=tuple(uuid.UUID(p) for p in row.practitioners),
        row_version=row.row_version,
    )


def pgd_terms(row: PatientGroupDirection) -> PgdTerms:
    """A stored PGD as the authority check reads it."""
    return PgdTerms(
        id=row.id,
        name=row.name,
        version=row.version,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        drugs=frozenset(row.drugs),
        targets=frozenset(row.targets),
        practitioners=frozenset(uuid.UUID(p) for p in row.practitioners),
    )


def _words(data: PgdInput) -> tuple[str, str, list[ValidationError]]:
    errors: list[ValidationError] = []
    name = " ".join(data.name.split())
    version = data.version.strip()
    if not name:
        errors.append(ValidationError("pgd.name_required", field="name"))
    elif len(name) > NAME_MAX:
        errors.append(ValidationError("text.too_long", field="name", max_length=NAME_MAX))
    if not version:
        errors.append(ValidationError("pgd.version_required", field="version"))
    elif len(version) > VERSION_MAX:
        errors.append(ValidationError("text.too_long", field="version", max_length=VERSION_MAX))
    return name, version, errors


def _checked(session: Session, data: PgdInput) -> dict[str, object]:
    content = injection_content()
    name, version, errors = _words(data)
    if data.valid_to < data.valid_from:
        errors.append(ValidationError("pgd.dates_reversed", field="valid_to"))
    for drug in data.drugs:
        if content.formulary.product(drug) is None:
            errors.append(ValidationError("pgd.unknown_drug", field="drugs", product=drug))
    for target in data.targets:
        if content.targets.target(target) is None:
            errors.append(ValidationError("pgd.unknown_target", field="targets", target=target))
    if not data.drugs:
        errors.append(ValidationError("pgd.no_drugs", field="drugs"))
    if not data.targets:
        errors.append(ValidationError("pgd.no_targets", field="targets"))
    known = set(
        session.scalars(
            select(User.id).where(User.id.in_(list(data.practitioners)), User.deleted.is_(False))
        )
    )
    for person in data.practitioners:
        if person not in known:
            errors.append(ValidationError("pgd.unknown_practitioner", field="practitioners"))
    if errors:
        raise FormErrors(errors)
    return {
        "name": name,
        "version": version,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "drugs": list(dict.fromkeys(data.drugs)),
        "targets": list(dict.fromkeys(data.targets)),
        "practitioners": [str(p) for p in dict.fromkeys(data.practitioners)],
    }


class PgdService:
    """The PGD register: listed for every clinician, changed by the service lead (audited)."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def list(self, actor: CurrentUser, on: date | None = None) -> builtins.list[PgdView]:
        """Every PGD of the register by name, or only those valid on ``on``.

        The register holds no patient data: anyone signed in may read it.
        """
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            rows = session.scalars(
                select(PatientGroupDirection)
                .where(PatientGroupDirection.deleted.is_(False))
                .order_by(PatientGroupDirection.name, PatientGroupDirection.id)
            ).all()
            views = [pgd_view(row) for row in rows]
        return [v for v in views if on is None or v.valid_on(on)]

    def add(self, actor: CurrentUser, data: PgdInput) -> PgdView:
        """Add a PGD to the register.

        Raises:
            PermissionDenied: ``permission.denied`` without ``pgd.manage``.
            FormErrors: ``pgd.name_required``, ``pgd.version_required``,
                ``pgd.dates_reversed``, ``pgd.unknown_drug``, ``pgd.unknown_target``,
                ``pgd.no_drugs``, ``pgd.no_targets``, ``pgd.unknown_practitioner``,
                ``text.too_long``.
        """
        with self._uow(actor, Action.PGD_MANAGE) as session:
            row = PatientGroupDirection(**_checked(session, data))
            session.add(row)
            session.flush()
            self._audit(session, actor, "pgd.add", row)
            return pgd_view(row)

    def update(self, actor: CurrentUser, pgd_id: uuid.UUID, data: PgdInput) -> PgdView:
        """Change a PGD (a new version is an edit with a new ``version``).

        Raises:
            NotFound: ``pgd.not_found``.
            PermissionDenied, FormErrors: as :meth:`add`.
        """
        with self._uow(actor, Action.PGD_MANAGE) as session:
            row = session.get(PatientGroupDirection, pgd_id)
            if row is None or row.deleted:
                raise NotFound("pgd.not_found")
            for name, value in _checked(session, data).items():
                setattr(row, name, value)
            session.flush()
            self._audit(session, actor, "pgd.update", row)
            return pgd_view(row)

    def _audit(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: PatientGroupDirection
    ) -> None:
        self._uow.audit(
            session,
            actor,
            action,
            entity=PatientGroupDirection.__tablename__,
            entity_id=row.id,
        )
