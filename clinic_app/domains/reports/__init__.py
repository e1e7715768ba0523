"""Scan reports: written, reviewed, verified and signed; printed and kept as DICOM SR."""
