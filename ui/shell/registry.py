"""Every screen and word table the domains declare, found by walking their folders, not a list."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import ui.domains
from ui.common import errors
from ui.common.screen import ScreenSpec
from ui.common.wording import WordTable

DECLARATIONS = "screens"
"""The module in each screen area that declares its screens as ``SCREENS``."""

WORDS = "words"
"""The module in each domain that words the error codes its core package raises, as ``WORDS``."""

PART_WORDS = "_words"
"""The end of the name of a module of a domain's words kept apart (``leaflet_words``): a part
of the domain's table, found the same way."""


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


def word_modules() -> list[str]:
    """The domains' word tables, by module name.

    A domain's ``words`` module, and any of its modules named ``<part>_words`` (words kept
    apart, part of the domain's table).

    Folders are walked, as for screens, so a new domain's words are found without a list.
    """
    return sorted(
        f"{ui.domains.__name__}.{domain.name}.{module.stem}"
        for root in ui.domains.__path__
        for domain in Path(root).iterdir()
        if domain.is_dir()
        for module in domain.glob("*.py")
        if module.stem == WORDS or module.stem.endswith(PART_WORDS)
    )


def discover_words(names: Iterable[str] | None = None) -> tuple[WordTable, ...]:
    """Every domain's word table (or those of the modules named).

    Raises:
        ValueError: a ``words`` module holds no ``WORDS`` table.
    """
    tables: list[WordTable] = []
    for name in names if names is not None else word_modules():
        module = importlib.import_module(name)
        table = getattr(module, "WORDS", None)
        if not isinstance(table, WordTable):
            raise ValueError(f"{name} holds no WORDS table")
        tables.append(table)
    return tuple(tables)


def register_words(names: Iterable[str] | None = None) -> None:
    """Give the error words every domain's table (safe to call again: nothing is doubled).

    Raises:
        ValueError: two tables word the same code.
    """
    errors.register_words(*discover_words(names))
