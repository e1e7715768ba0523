"""What de-identification does to each DICOM attribute (PS3.15 Table E.1-1), as data."""
