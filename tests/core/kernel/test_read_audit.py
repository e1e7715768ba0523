"""Every read of clinical content writes an audit entry, and none can be forgotten silently.

The source of every service is walked: a public method that opens a unit of work and writes
no audit entry (itself or through a private helper of its class) must be named, with its
reason, in ``kernel.read_audit.NOT_AUDITED``. The clinical reads listed there are then used as
a clinician would, on the real store, and each must leave its entry naming the patient.
"""

from __future__ import annotations

import ast
import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.read_audit import CLINICAL_READS, NOT_AUDITED
from clinic_app.people.model import Patient

ROOT = Path(__file__).resolve().parents[3] / "clinic_app"


@dataclass(frozen=True)
class Method:
    name: str
    modes: frozenset[str]
    audits: bool


def _calls(fn: ast.FunctionDef) -> list[ast.Call]:
    return [node for node in ast.walk(fn) if isinstance(node, ast.Call)]


def _opens(fn: ast.FunctionDef) -> set[str]:
    modes = set()
    for call in _calls(fn):
        if isinstance(call.func, ast.Attribute) and call.func.attr == "_uow":
            mode = next((k.value for k in call.keywords if k.arg == "mode"), None)
            modes.add(ast.unparse(mode).rsplit(".", 1)[-1] if mode is not None else "WRITE")
    return modes


def _audits_directly(fn: ast.FunctionDef) -> bool:
    return any(
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "audit"
        and ast.unparse(call.func.value) == "self._uow"
        for call in _calls(fn)
    )


def _helpers(fn: ast.FunctionDef) -> set[str]:
    return {
        call.func.attr
        for call in _calls(fn)
        if isinstance(call.func, ast.Attribute)
        and ast.unparse(call.func.value) == "self"
        and call.func.attr.startswith("_")
    }


def _service_methods() -> dict[str, Method]:
    found: dict[str, Method] = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            functions = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}

            def audits(name: str, seen: set[str], functions=functions) -> bool:
                fn = functions.get(name)
                if fn is None or name in seen:
                    return False
                seen.add(name)
                return _audits_directly(fn) or any(audits(h, seen) for h in _helpers(fn))

            for name, fn in functions.items():
                modes = _opens(fn)
                if name.startswith("_") or not modes:
                    continue
                found[f"{module}:{cls.name}.{name}"] = Method(
                    name=name, modes=frozenset(modes), audits=audits(name, set())
                )
    return found


METHODS = _service_methods()


def test_the_walk_finds_the_services() -> None:
    # If the walk stopped seeing units of work, every other check here would pass vacuously.
    assert len(METHODS) > 60
    assert METHODS["clinic_app.people.patients:PatientService.open"].audits


def test_every_method_without_an_audit_entry_is_named_with_its_reason() -> None:
    unexplained = sorted(
        name for name, method in METHODS.items() if not method.audits and name not in NOT_AUDITED
    )
    assert unexplained == [], (
        "These open a unit of work and write no audit entry. Audit them, or name them in "
        "clinic_app/kernel/read_audit.py NOT_AUDITED with the reason."
    )


def test_nothing_named_as_unaudited_writes_an_entry_or_is_gone() -> None:
    stale = sorted(name for name in NOT_AUDITED if name not in METHODS or METHODS[name].audits)
    assert stale == []


def test_every_clinical_read_is_an_audited_read_that_writes_its_entry() -> None:
    assert not set(CLINICAL_READS) & set(NOT_AUDITED)
    for name in CLINICAL_READS:
        assert name in METHODS, f"{name} is not a service method any more"
        method = METHODS[name]
        assert method.audits, name
        assert "READ" not in method.modes, f"{name} reads in a unit of work that cannot audit"


def test_every_registered_name_imports() -> None:
    for name in [*CLINICAL_READS, *NOT_AUDITED]:
        module, _, qualified = name.partition(":")
        cls, _, method = qualified.partition(".")
        assert callable(getattr(getattr(importlib.import_module(module), cls), method)), name


# Used as a clinician would: each leaves its entry naming the patient ---------------------

Use = Callable[[Services, CurrentUser, uuid.UUID], object]

USES: dict[str, Use] = {
    "clinic_app.people.referrals:ReferralService.for_patient": (
        lambda s, a, p: s.referrals.for_patient(a, p)
    ),
    "clinic_app.records.timeline_service:TimelineService.for_patient": (
        lambda s, a, p: s.timeline.for_patient(a, p)
    ),
    "clinic_app.domains.imaging.service.images:ImagingService.studies": (
        lambda s, a, p: s.imaging.studies(a, p)
    ),
    "clinic_app.domains.reports.service:ReportService.final_reports": (
        lambda s, a, p: s.reports.final_reports(a, p)
    ),
    "clinic_app.domains.red_flags.service:RedFlagService.screenings": (
        lambda s, a, p: s.red_flags.screenings(a, p)
    ),
    "clinic_app.domains.red_flags.service:RedFlagService.actions": (
        lambda s, a, p: s.red_flags.actions(a, p)
    ),
    "clinic_app.domains.questionnaires.service:QuestionnaireService.history": (
        lambda s, a, p: s.questionnaires.history(a, p, s.questionnaires.catalogue()[0][0])
    ),
    "clinic_app.people.patients:PatientService.open": lambda s, a, p: s.patients.open(a, p),
}


def _last(services: Services) -> AuditEntry:
    with services.context.store.sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    return entry


@pytest.mark.parametrize("name", sorted(USES))
def test_reading_writes_the_registered_entry(demo: Services, name: str) -> None:
    clinician = demo.auth.login("clinician", demo_password("clinician"))
    with demo.context.store.sessions() as session:
        patient_id = session.scalars(select(Patient.id).order_by(Patient.id)).first()
    assert patient_id is not None
    before = _last(demo).seq
    USES[name](demo, clinician, patient_id)
    entry = _last(demo)
    assert entry.seq > before
    assert entry.action == CLINICAL_READS[name]
    assert entry.patient_id == patient_id
    assert entry.user_id == clinician.id


def test_the_orphan_list_is_audited_without_a_patient(demo: Services) -> None:
    sonographer = demo.auth.login("sonographer", demo_password("sonographer"))
    before = _last(demo).seq
    demo.imaging.orphans(sonographer)
    entry = _last(demo)
    assert entry.seq == before + 1
    assert (
        entry.action
        == CLINICAL_READS["clinic_app.domains.imaging.service.images:ImagingService.orphans"]
    )
    assert entry.user_id == sonographer.id
