"""The example note's table (file 2 of 4)."""

from __future__ import annotations

from clinic_app.kernel.base import Base, Syncable
from clinic_app.kernel.signed import Signable
from clinic_app.records.sections_record import SectionsRecordColumns


class ExampleNote(SectionsRecordColumns, Signable, Syncable, Base):
    """A short signed note about one contact with a patient."""

    __tablename__ = "example_note"
