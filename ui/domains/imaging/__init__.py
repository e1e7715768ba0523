"""Imaging screens: capture and viewing, images waiting for a patient, DICOM settings."""
