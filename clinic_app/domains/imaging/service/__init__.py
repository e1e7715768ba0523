"""Imaging use cases: images in the record, scanners, the PACS queue, teaching copies."""
