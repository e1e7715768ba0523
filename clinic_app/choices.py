"""Reference lists for drop-downs, as choices the UI can show."""

from __future__ import annotations

from collections.abc import Sequence

from clinic_app.domains.assessments.content import chart_parts, working_diagnoses
from clinic_app.kernel.reference import code_list
from clinic_app.people.views import Choice, DiagnosisChoice


class ReferenceService:
    """Read-only, cached lookups from the validated files in resources/."""

    def choices(self, list_name: str) -> list[Choice]:
        """The codes of ``list_name`` with their labels, in the file's order."""
        return [Choice(code.code, code.label) for code in code_list(list_name).codes]

    def label(self, list_name: str, code: str) -> str:
        """The label of ``code``, or the code itself when the list no longer has it."""
        return code_list(list_name).label_for(code) or code

    def diagnoses(self, body_regions: Sequence[str] = ()) -> list[DiagnosisChoice]:
        """The curated working diagnoses, those linked to ``body_regions`` first.

        Args:
            body_regions: body chart region codes (``right_knee``); the side is ignored.
        """
        chosen = chart_parts(list(body_regions))
        return [
            DiagnosisChoice(
                code=d.code,
                label=d.label,
                snomed_ct_id=d.snomed_ct_id,
                suggested=bool(d.parts & chosen),
            )
            for d in working_diagnoses().for_regions(list(body_regions))
        ]
