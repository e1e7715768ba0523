"""The whole shared schema: every table, record type and record event handler, loaded first.

A model module registers its tables when it is imported, and a domain's ``record`` module
registers its record type. Code that works on every table at once (sync, the server, schema
checks) imports this module first, so no table or record type is missing because no screen
happened to load its domain yet. Domains are found by walking ``clinic_app.domains``: a new
domain needs no line here.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from types import ModuleType

from clinic_app import domains
from clinic_app.kernel import attachments, audit_entry, local, outbox_entry, settings, staff
from clinic_app.kernel.base import Base
from clinic_app.people import care, merge_rules
from clinic_app.people import handlers as people_handlers
from clinic_app.people import model as people
from clinic_app.sync import model as sync

#: The tables under the domains: the kernel's, people's and sync's own.
BASE_MODEL_MODULES: tuple[ModuleType, ...] = (
    attachments,
    audit_entry,
    care,
    local,
    outbox_entry,
    people,
    settings,
    staff,
    sync,
)


def _domain_modules(kind: str) -> tuple[ModuleType, ...]:
    found = []
    for info in sorted(pkgutil.iter_modules(domains.__path__), key=lambda i: i.name):
        name = f"{domains.__name__}.{info.name}.{kind}"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return tuple(found)


MODEL_MODULES: tuple[ModuleType, ...] = BASE_MODEL_MODULES + _domain_modules("model")
"""Every module that declares tables."""

RECORD_MODULES: tuple[ModuleType, ...] = _domain_modules("record")
"""Every module that declares a record type; importing it registered the type."""

HANDLER_MODULES: tuple[ModuleType, ...] = (
    people_handlers,
    merge_rules,
    *_domain_modules("handlers"),
)
"""Every module that handles record events; importing it registered its handlers, so a record
signed through any service has its handlers run, and the server checks every pushed row."""

TIMELINE_MODULES: tuple[ModuleType, ...] = _domain_modules("timeline")
"""Every module that registers a source of the patient's timeline (``records.timeline``)."""

metadata = Base.metadata
