"""Every screen the domains declare, found by walking their packages (no list kept by hand)."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import ui.domains
from ui.common.screen import ScreenSpec

DECLARATIONS = "screens"
"""The module in each screen area that declares its screens as ``SCREENS``."""


def areas() -> list[str]:
    """The screen areas that declare screens (``ui.domains.<domain>.<area>``), by module name.

    Folders are walked rather than packages listed, so an area whose ``__init__.py`` was
    forgotten is found all the same.
    """
    return sorted(
        f"{ui.domains.__name__}.{domain.name}.{folder.name}"
        for root in ui.domains.__path__
        for domain in Path(root).iterdir()
        if domain.is_dir()
        for folder in domain.iterdir()
        if (folder / f"{DECLARATIONS}.py").is_file()
    )


def _declarations(area: str) -> ModuleType:
    return importlib.import_module(f"{area}.{DECLARATIONS}")


def discover(names: Iterable[str] | None = None) -> tuple[ScreenSpec, ...]:
    """Every declared screen, from every area (or from the areas named).

    Raises:
        ValueError: two screens share an id, or a ``screens`` module declares no ``SCREENS``.
    """
    found: dict[str, ScreenSpec] = {}
    for area in names if names is not None else areas():
        module = _declarations(area)
        declared = getattr(module, "SCREENS", None)
        if not isinstance(declared, tuple):
            raise ValueError(f"{module.__name__} declares no SCREENS tuple")
        for spec in declared:
            if not isinstance(spec, ScreenSpec):
                raise ValueError(f"{module.__name__}.SCREENS holds {spec!r}, not a ScreenSpec")
            if spec.id in found:
                raise ValueError(f"two screens are declared with the id {spec.id!r}")
            found[spec.id] = spec
    return tuple(found.values())
