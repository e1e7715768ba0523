"""Scan reports: writing, review and verification."""
