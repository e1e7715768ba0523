"""The whole shared schema: every table and record type of every domain, and their handlers.

A model module registers its tables when it is imported. Code that works on every table at
once (sync, the server, schema checks) imports this module first, so no table is missing
because no screen happened to load its domain yet.
"""

from __future__ import annotations

from clinic_app.domains.assessments import model as assessments
from clinic_app.domains.assessments import record as assessment_record
from clinic_app.domains.imaging import model as imaging
from clinic_app.domains.questionnaires import model as questionnaires
from clinic_app.domains.red_flags import model as red_flags
from clinic_app.domains.reports import handlers as scan_report_handlers
from clinic_app.domains.reports import model as reports
from clinic_app.domains.reports import record as scan_report_record
from clinic_app.domains.triage import model as triage
from clinic_app.kernel import attachments, audit_entry, local, outbox_entry, settings, staff
from clinic_app.kernel.base import Base
from clinic_app.people import care
from clinic_app.people import model as people
from clinic_app.sync import model as sync

MODEL_MODULES = (
    assessments,
    attachments,
    audit_entry,
    care,
    imaging,
    local,
    outbox_entry,
    people,
    questionnaires,
    red_flags,
    reports,
    settings,
    staff,
    sync,
    triage,
)
"""Every module that declares tables; a test checks none is left out."""

RECORD_MODULES = (assessment_record, scan_report_record)
"""Every module that declares a record type; importing it registers the type."""

HANDLER_MODULES = (scan_report_handlers,)
"""Every module that handles record events; importing it registers its handlers, so a record
signed through any service has its handlers run."""

metadata = Base.metadata
