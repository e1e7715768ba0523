"""Every folder of code is a package, so imports, import-linter contracts and tools all see it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE_ROOTS = ("clinic_app", "ui", "tests")


def _folders_missing_init() -> list[str]:
    missing = []
    for root in CODE_ROOTS:
        for folder in sorted({path.parent for path in (ROOT / root).rglob("*.py")}):
            if "__pycache__" in folder.parts:
                continue
            if not (folder / "__init__.py").is_file():
                missing.append(folder.relative_to(ROOT).as_posix())
    return missing


def test_every_folder_with_python_files_has_an_init() -> None:
    # A folder without one is a namespace package: it imports, but import-linter's
    # contracts skip it, so a screen there could import another screen unseen.
    missing = _folders_missing_init()

    assert not missing, "folders of Python files without an __init__.py: " + ", ".join(missing)


def test_the_check_looks_where_the_code_is() -> None:
    for root in CODE_ROOTS:
        assert (ROOT / root / "__init__.py").is_file()
    assert (ROOT / "clinic_app" / "kernel" / "migrations" / "versions" / "__init__.py").is_file()
