"""The published reference tables: postcode to LSOA, LSOA to IMD decile, and what was imported.

They hold public data (ONS postcode lookups and the English Indices of Deprivation), no
patient's. They are not ``Syncable``: the postcode table has about 2.7 million rows and
changes each quarter, so each store that wants the figures imports the published files
itself (the server always; a laptop only if its own offline figures should show deprivation).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, utcnow


class DeprivationPostcode(Base):
    """One postcode and the LSOAs it lies in, as the ONS postcode lookup publishes them.

    A lookup built on the 2011 Census carries the 2011 LSOA (``lsoa11``); one built on the
    2021 Census the 2021 LSOA (``lsoa21``); the ONS Postcode Directory carries both.
    """

    __tablename__ = "deprivation_postcode"

    #: Upper case, one space before the inward code ("LS1 4AP").
    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)
    lsoa11: Mapped[str | None] = mapped_column(String(10), default=None)
    lsoa21: Mapped[str | None] = mapped_column(String(10), default=None)


class DeprivationLsoa(Base):
    """One English LSOA's Index of Multiple Deprivation decile (1 is the most deprived 10%)."""

    __tablename__ = "deprivation_lsoa"

    lsoa_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    #: The census whose LSOAs the index is published on: "2011" (IoD2019) or "2021".
    lsoa_vintage: Mapped[str] = mapped_column(String(4))
    decile: Mapped[int] = mapped_column(SmallInteger)
    #: The IMD rank (1 is the most deprived), when the file gives it.
    imd_rank: Mapped[int | None] = mapped_column(Integer, default=None)


class DeprivationImport(Base):
    """What each table was last filled from: the file's name, its edition, when and how much."""

    __tablename__ = "deprivation_import"

    #: ``postcodes`` or ``imd``.
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    #: E.g. "IoD2019" for the index, "lsoa11 lsoa21" for a postcode file with both columns.
    edition: Mapped[str] = mapped_column(String(40))
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(64), default="")
