"""Point-of-care ultrasound: capture, import, scanners, the viewer's data and the PACS."""
