"""Use cases: one call is one thing a user does, in one transaction, permission-checked.

The screens import only the small read models of ``clinic_app.services.types``. The services
themselves (and SQLAlchemy with them) load when something first asks for ``Services``,
``SYSTEM`` or ``AppConfig``, so the app's sign-in window can show while the store is still
being opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clinic_app.services.base import SYSTEM, AppConfig
    from clinic_app.services.container import Services

__all__ = ["SYSTEM", "AppConfig", "Services"]


def __getattr__(name: str) -> Any:
    if name in ("SYSTEM", "AppConfig"):
        from clinic_app.services import base  # noqa: PLC0415 - loaded on first use

        return getattr(base, name)
    if name == "Services":
        from clinic_app.services.container import Services  # noqa: PLC0415

        return Services
    raise AttributeError(name)
