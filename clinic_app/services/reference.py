"""Reference lists for drop-downs, as choices the UI can show."""

from __future__ import annotations

from clinic_app.content.reference import code_list
from clinic_app.services.types import Choice


class ReferenceService:
    """Read-only, cached lookups from the validated files in resources/."""

    def choices(self, list_name: str) -> list[Choice]:
        """The codes of ``list_name`` with their labels, in the file's order."""
        return [Choice(code.code, code.label) for code in code_list(list_name).codes]

    def label(self, list_name: str, code: str) -> str:
        """The label of ``code``, or the code itself when the list no longer has it."""
        return code_list(list_name).label_for(code) or code
