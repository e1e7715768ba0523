"""The service's pack codes: which GTIN on a pack is which product of the formulary.

The shipped formulary names no GTINs, and none is invented: the service lead adds the code
of each pack the service stocks (scanned from the pack, or its 14 digits typed), and a
clinician's scan of that pack then names the product on the injection form. Writing the
list needs ``pack_code.manage`` here and on the server; anyone signed in reads it (it holds
no patient data). A code names one product: one already linked elsewhere is refused.
"""

from __future__ import annotations

import builtins
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.injections.content import injection_content
from clinic_app.domains.injections.model import PackCode
from clinic_app.domains.injections.pack import gtin_entered
from clinic_app.domains.injections.views import PackCodeView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.uow import Context, Mode, UnitOfWork


def pack_code_view(row: PackCode) -> PackCodeView:
    """The read model of one pack code."""
    return PackCodeView(
        id=row.id, gtin=row.gtin, product_id=row.product_id, row_version=row.row_version
    )


def _listed(session: Session, gtin: str) -> builtins.list[PackCode]:
    return list(
        session.scalars(
            select(PackCode).where(PackCode.gtin == gtin, PackCode.deleted.is_(False))
        ).all()
    )


class PackCodeService:
    """The pack codes: read by every clinician, kept by the service lead (audited)."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def list(self, actor: CurrentUser) -> builtins.list[PackCodeView]:
        """Every pack code in the list, by product and then code."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            rows = session.scalars(
                select(PackCode)
                .where(PackCode.deleted.is_(False))
                .order_by(PackCode.product_id, PackCode.gtin, PackCode.id)
            ).all()
            return [pack_code_view(row) for row in rows]

    def add(self, actor: CurrentUser, product_id: str, code: str) -> PackCodeView:
        """Link a pack's code to a product of the formulary.

        Args:
            actor: the service lead.
            product_id: the formulary product the pack is.
            code: what the field holds: the pack's whole code as scanned, its linear
                barcode, or the GTIN's 14 digits typed.

        Raises:
            PermissionDenied: ``permission.denied`` without ``pack_code.manage``.
            ValidationError: ``pack_code.unknown_product`` (field ``product``);
                ``pack_code.not_a_code``, ``pack_code.bad_check_digit``,
                ``pack_code.already_listed`` (this product has it already) or
                ``pack_code.other_product`` (with ``product``, the name of the product
                that has it), all on the field ``code``.
        """
        with self._uow(actor, Action.PACK_CODE_MANAGE) as session:
            product = injection_content().formulary.product(product_id)
            if product is None:
                raise ValidationError("pack_code.unknown_product", field="product")
            gtin = gtin_entered(code)
            for row in _listed(session, gtin):
                if row.product_id == product_id:
                    raise ValidationError("pack_code.already_listed", field="code", gtin=gtin)
                other = injection_content().formulary.product(row.product_id)
                raise ValidationError(
                    "pack_code.other_product",
                    field="code",
                    gtin=gtin,
                    product=other.name if other is not None else row.product_id,
                )
            added = PackCode(gtin=gtin, product_id=product_id)
            session.add(added)
            session.flush()
            self._audit(session, actor, "pack_code.add", added)
            return pack_code_view(added)

    def remove(self, actor: CurrentUser, code_id: uuid.UUID) -> None:
        """Take a pack code off the list (a tombstone: the removal syncs).

        Raises:
            PermissionDenied: ``permission.denied`` without ``pack_code.manage``.
            NotFound: ``pack_code.not_found`` (already removed, or never listed).
        """
        with self._uow(actor, Action.PACK_CODE_MANAGE) as session:
            row = session.get(PackCode, code_id)
            if row is None or row.deleted:
                raise NotFound("pack_code.not_found")
            row.tombstone()
            session.flush()
            self._audit(session, actor, "pack_code.remove", row)

    def _audit(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: PackCode
    ) -> None:
        self._uow.audit(session, actor, action, entity=PackCode.__tablename__, entity_id=row.id)
