"""The clinical-record kernel: record types, sections, lifecycle, seal, attestation, files.

Each domain declares its own record type (``clinic_app.domains.<domain>.record``) and registers
it on import; ``clinic_app.schema`` imports them all.
"""
