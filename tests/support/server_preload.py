"""Imported once by the test fork server (see ``sync_server``): work every server child shares.

Importing this module sets up what every ``onestop-server`` process would otherwise build
again on its first query: the ORM's mapper configuration across all record types. It changes
no behaviour; a child that has it simply starts sooner.
"""

from __future__ import annotations

from sqlalchemy.orm import configure_mappers

import clinic_app.schema
import clinic_app.server.app  # noqa: F401

configure_mappers()
