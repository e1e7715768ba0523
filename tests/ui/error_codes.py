"""The error codes the app raises, read from its sources with ``ast``, and whose words they are."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from clinic_app.kernel import errors as core_errors
from clinic_app.kernel.errors import ClinicError

ROOT = Path(__file__).resolve().parents[2]
COMMON = "ui.common.words"
"""The table for codes of the kernel, the record kernel and the app's composition."""

# Raised only on the sync server (a device sees them as a refused or odd sync answer) or
# printed by the command line, which has its own words: no screen shows these.
_NOT_ON_A_SCREEN = ("clinic_app/server/", "clinic_app/cli.py")
_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_ERROR_KINDS = frozenset(
    name
    for name, value in vars(core_errors).items()
    if isinstance(value, type) and issubclass(value, ClinicError)
)
# A record type declares its codes as data: a lifecycle step's ``refused`` code (its sixth
# argument), the lifecycle's codes for who may not take a step, the code for an empty
# required section (``clinic_app.records.lifecycle`` and ``.registry``).
_CODE_KEYWORDS = frozenset(
    {"refused", "not_author", "own_record", "not_named_reviewer", "required_code"}
)
_STEP_REFUSED = 5

# Where a code is raised, lowest layer first, as the import-linter layers have them: a code
# raised in two layers is worded once, by the lower one (the higher one builds on it).
_LAYERS = (
    "clinic_app/kernel/",
    "clinic_app/sync/",
    "clinic_app/people/",
    "clinic_app/records/",
    "clinic_app/domains/",
    "clinic_app/domains/reports/",
    "clinic_app/",
    "ui/",
)


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _prefix_helpers(tree: ast.Module) -> dict[str, str]:
    """Functions like ``_error(code)`` that raise ``ValidationError(f"nhs_number.{code}")``."""
    helpers: dict[str, str] = {}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or not function.args.args:
            continue
        param = function.args.args[0].arg
        for call in ast.walk(function):
            if not (isinstance(call, ast.Call) and _called(call) in _ERROR_KINDS and call.args):
                continue
            parts = call.args[0].values if isinstance(call.args[0], ast.JoinedStr) else []
            if (
                len(parts) == 2
                and _text(parts[0])
                and isinstance(parts[1], ast.FormattedValue)
                and isinstance(parts[1].value, ast.Name)
                and parts[1].value.id == param
            ):
                helpers[function.name] = _text(parts[0]) or ""
    return helpers


def _declared(call: ast.Call) -> set[str]:
    """Codes a record type declares as data in ``call`` (see ``_CODE_KEYWORDS``)."""
    given = [item.value for item in call.keywords if item.arg in _CODE_KEYWORDS]
    if _called(call) == "Step" and len(call.args) > _STEP_REFUSED:
        given.append(call.args[_STEP_REFUSED])
    return {code for node in given if (code := _text(node)) and _CODE.match(code)}


def codes_in(tree: ast.Module) -> set[str]:
    """Codes given to an error, to a prefixing helper, to ``collector.add(code, field)``,
    appended to a list of problems, stored against a field (``errors[field] = code``) or
    declared by a record type."""
    helpers = _prefix_helpers(tree)
    codes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            codes |= _declared(node)
        if isinstance(node, ast.Call) and node.args and (first := _text(node.args[0])):
            name = _called(node)
            if name in _ERROR_KINDS:
                codes.add(first)
            elif name in helpers:
                codes.add(helpers[name] + first)
            elif name in {"add", "append"} and _CODE.match(first):
                codes.add(first)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            value = _text(node.value)
            if value and _CODE.match(value):
                codes.add(value)
    return codes


def _raised_in(folder: str, skip: tuple[str, ...] = ()) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        place = path.relative_to(ROOT).as_posix()
        if place.startswith(skip):
            continue
        for code in codes_in(ast.parse(path.read_text(encoding="utf-8"))):
            found.setdefault(code, []).append(place)
    return found


def core_codes() -> dict[str, list[str]]:
    """Every error code raised in ``clinic_app`` that a screen can meet, with where."""
    return _raised_in("clinic_app", _NOT_ON_A_SCREEN)


def ui_codes() -> dict[str, list[str]]:
    """Codes the UI raises itself (a form checked before a round trip), with where."""
    return _raised_in("ui", ("ui/common/",))


def table_for(place: str) -> str:
    """The word table for a code raised at ``place`` (a path from the project's root).

    ``clinic_app/domains/<domain>/``, ``clinic_app/<domain>/`` and ``ui/domains/<domain>/``
    belong to ``ui.domains.<domain>.words`` when the UI has that domain; everything else
    (the kernel, the record kernel, the composition, the shell) to ``ui.common.words``.
    """
    parts = place.split("/")
    if parts[:2] in (["clinic_app", "domains"], ["ui", "domains"]) and len(parts) > 3:
        domain = parts[2]
    elif parts[0] == "clinic_app" and len(parts) > 2:
        domain = parts[1]
    else:
        return COMMON
    if (ROOT / "ui" / "domains" / domain).is_dir():
        return f"ui.domains.{domain}.words"
    return COMMON


def _layer(place: str) -> int:
    """The rank of the longest layer prefix ``place`` starts with."""
    matching = [prefix for prefix in _LAYERS if place.startswith(prefix)]
    return _LAYERS.index(max(matching, key=len))


def owners(raised: dict[str, list[str]]) -> dict[str, set[str]]:
    """For each code, the table(s) of the lowest layer raising it (two means peers raise it)."""
    result: dict[str, set[str]] = {}
    for code, places in raised.items():
        lowest = min(_layer(place) for place in places)
        result[code] = {table_for(p) for p in places if _layer(p) == lowest}
    return result
