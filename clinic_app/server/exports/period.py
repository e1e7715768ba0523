"""The reporting period of a monthly extract, and the identifiers it sends."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from clinic_app.domains.appointments.rules import CLINIC_ZONE
from clinic_app.kernel.errors import ValidationError

_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_IDENTIFIER_LENGTH = 20


@dataclass(frozen=True)
class Month:
    """A calendar month in the clinic's own time, first and last day included."""

    first: date
    last: date

    @classmethod
    def parse(cls, text: str) -> Month:
        """The month written ``CCYY-MM``.

        Raises:
            ValidationError: ``export.bad_month`` (field ``month``).
        """
        match = _MONTH.fullmatch(text.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise ValidationError("export.bad_month", field="month")
        year, month = int(match.group(1)), int(match.group(2))
        return cls(date(year, month, 1), date(year, month, monthrange(year, month)[1]))

    @property
    def label(self) -> str:
        """``CCYY-MM``."""
        return self.first.strftime("%Y-%m")

    @property
    def starts(self) -> datetime:
        """Its first moment, in UTC (midnight in the clinic's time)."""
        return datetime.combine(self.first, time(), CLINIC_ZONE).astimezone(UTC)

    @property
    def ends(self) -> datetime:
        """The first moment after it, in UTC."""
        year, month = (
            (self.last.year + 1, 1)
            if self.last.month == 12
            else (
                self.last.year,
                self.last.month + 1,
            )
        )
        return datetime.combine(date(year, month, 1), time(), CLINIC_ZONE).astimezone(UTC)

    def holds(self, day: date) -> bool:
        """True for a day inside the month."""
        return self.first <= day <= self.last


def local(moment: datetime) -> datetime:
    """A stored moment in the clinic's own time (a naive one is read as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(CLINIC_ZONE)


def local_identifier(kind: str, row_id: uuid.UUID) -> str:
    """The identifier a row is sent under: 20 characters, the same in every month's extract.

    A row's own id is 36 characters, longer than the data set's identifiers allow; this is
    derived from it (so a resubmission names the same referral), and says nothing about it.
    """
    digest = hashlib.sha256(f"{kind}:{row_id}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:_IDENTIFIER_LENGTH]
