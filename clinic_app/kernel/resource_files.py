"""Reading the JSON documents shipped in the ``resources`` package."""

from __future__ import annotations

import json
from importlib import resources

from clinic_app.kernel.errors import ClinicError


def read_json(folder: str, name: str) -> object:
    """Decode ``resources/<folder>/<name>.json``.

    Raises:
        ClinicError: ``content.invalid`` (params ``file``, ``reason`` and, for bad JSON,
            ``line``) when the file is missing, is not UTF-8 or is not JSON.
    """
    file = f"{name}.json"
    path = resources.files("resources") / folder / file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ClinicError("content.invalid", file=file, reason="missing") from error
    except UnicodeDecodeError as error:
        raise ClinicError("content.invalid", file=file, reason="not_utf8") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ClinicError(
            "content.invalid", file=file, reason="not_json", line=error.lineno
        ) from error
