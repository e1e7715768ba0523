"""Every table and record type is loaded by ``clinic_app.schema``: none is left to chance."""

from __future__ import annotations

import ast
from pathlib import Path

from clinic_app import schema
from clinic_app.records.registry import record_types

ROOT = Path(__file__).resolve().parents[3]


def _modules_declaring(marker: str) -> set[str]:
    found = set()
    for path in (ROOT / "clinic_app").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == marker for target in node.targets
            ):
                found.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
            if (
                marker == "register"
                and isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "register"
            ):
                found.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def test_every_module_with_tables_is_in_the_schema() -> None:
    loaded = {module.__name__ for module in schema.MODEL_MODULES}

    assert _modules_declaring("__tablename__") <= loaded


def test_every_table_is_on_the_one_metadata() -> None:
    assert {"assessment", "scan_report", "patient", "app_user", "audit_entry"} <= set(
        schema.metadata.tables
    )


def test_every_record_type_is_registered_by_loading_the_schema() -> None:
    declaring = {
        name for name in _modules_declaring("register") if name.startswith("clinic_app.domains.")
    }
    loaded = {module.__name__ for module in schema.RECORD_MODULES}

    assert declaring <= loaded
    assert {"assessment", "scan_report"} <= set(record_types())
