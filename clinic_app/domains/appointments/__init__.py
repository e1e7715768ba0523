"""The clinic day: appointments, clinicians' regular sessions, attendances and care contacts."""
