"""The clinical-record kernel: record types, their lifecycle, and files kept with the record."""
