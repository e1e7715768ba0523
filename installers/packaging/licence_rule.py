"""The licence rule: every component of a package is in the reviewed allowlist, none GPL-only.

The allowlist (installers/licences/allowlist.toml) gives each component an SPDX licence
expression and says where it was checked. A component passes when it has an entry, the entry
is not a refusal, and its expression offers at least one choice free of the GPL: a branch of
its ``OR`` whose terms are all non-GPL licences, or GPL with an exception that allows shipping
it inside other software (the GCC run-time library exception, PyInstaller's bootloader one).
LGPL is not GPL here.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

ALLOWLIST = Path(__file__).resolve().parents[1] / "licences" / "allowlist.toml"

#: Exceptions that let a GPL-licensed part be shipped inside software under other terms.
ACCEPTED_EXCEPTIONS = frozenset({"GCC-exception-3.1", "GCC-exception-2.0", "Bootloader-exception"})

_GPL = re.compile(r"^A?GPL-\d")
_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9.+:-]+")


@dataclass(frozen=True)
class Entry:
    """One reviewed line of the allowlist."""

    kind: str
    pattern: str
    licence: str
    checked: str
    refused: str = ""


#: What a finding is about: no entry names the component, its entry refuses it, or it is GPL-only.
UNKNOWN, REFUSED, GPL_ONLY = "unknown", "refused", "gpl-only"


@dataclass(frozen=True)
class Finding:
    """Why one component breaks the rule."""

    kind: str
    name: str
    reason: str
    cause: str = UNKNOWN

    def __str__(self) -> str:
        return f"{self.kind} {self.name}: {self.reason}"


def load_allowlist(path: Path = ALLOWLIST) -> list[Entry]:
    """The entries of an allowlist file, each kind's table in the order written."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for kind, table in data.items():
        for pattern, fields in table.items():
            entries.append(
                Entry(
                    kind=kind,
                    pattern=pattern,
                    licence=str(fields.get("licence", "")),
                    checked=str(fields.get("checked", "")),
                    refused=str(fields.get("refused", "")),
                )
            )
    return entries


def entry_for(entries: list[Entry], kind: str, name: str) -> Entry | None:
    """The entry naming ``name`` exactly, else the longest pattern matching it, else None."""
    matching = [
        entry
        for entry in entries
        if entry.kind == kind and fnmatch.fnmatchcase(name.lower(), entry.pattern.lower())
    ]
    if not matching:
        return None
    exact = [entry for entry in matching if entry.pattern.lower() == name.lower()]
    return exact[0] if exact else max(matching, key=lambda entry: len(entry.pattern))


def refusal_for(entries: list[Entry], kind: str, name: str) -> str:
    """Why ``name`` must not ship, from any entry matching it ("" when none refuses it).

    A refusal by pattern covers every name it matches, even one whose licence an exact entry
    gives (PyAV's libraries: each has its own licence, all are kept out of the app).
    """
    return next(
        (
            entry.refused
            for entry in entries
            if entry.refused
            and entry.kind == kind
            and fnmatch.fnmatchcase(name.lower(), entry.pattern.lower())
        ),
        "",
    )


def gpl_free_choice(expression: str) -> bool:
    """Whether an SPDX expression can be taken without a GPL-only licence.

    >>> gpl_free_choice("LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only")
    True
    >>> gpl_free_choice("GPL-3.0-or-later")
    False
    >>> gpl_free_choice("MIT AND GPL-2.0-or-later")
    False
    """
    tokens = _TOKEN.findall(expression)
    if not tokens:
        return False
    choices, rest = _or_choices(tokens)
    if rest:
        raise ValueError(f"not an SPDX expression: {expression!r}")
    return any(all(_term_free(term) for term in choice) for choice in choices)


def _or_choices(tokens: list[str]) -> tuple[list[list[str]], list[str]]:
    """The expression as a list of choices, each a list of terms that all apply (AND)."""
    choices: list[list[str]] = []
    current: list[list[str]] = [[]]
    while tokens and tokens[0] != ")":
        token = tokens.pop(0)
        if token.upper() == "OR":
            choices.extend(current)
            current = [[]]
        elif token.upper() == "AND":
            continue
        elif token == "(":
            inner, tokens = _or_choices(tokens)
            tokens = tokens[1:]  # the closing bracket
            current = [mine + theirs for mine in current for theirs in inner]
        elif token.upper() == "WITH" and tokens:
            exception = tokens.pop(0)
            current = [[*choice[:-1], f"{choice[-1]} WITH {exception}"] for choice in current]
        else:
            current = [[*choice, token] for choice in current]
    choices.extend(current)
    return choices, tokens


def _term_free(term: str) -> bool:
    licence, _, exception = term.partition(" WITH ")
    if not _GPL.match(licence):
        return True
    return exception in ACCEPTED_EXCEPTIONS


def check(components: list[tuple[str, str]], entries: list[Entry]) -> list[Finding]:
    """The findings for ``(kind, name)`` components: unknown, refused or GPL-only."""
    findings = []
    for kind, name in components:
        entry = entry_for(entries, kind, name)
        refused = refusal_for(entries, kind, name)
        if entry is None:
            findings.append(Finding(kind, name, "not in the allowlist (unknown licence)", UNKNOWN))
        elif refused:
            findings.append(Finding(kind, name, f"refused: {refused}", REFUSED))
        elif not gpl_free_choice(entry.licence):
            findings.append(Finding(kind, name, f"GPL-only ({entry.licence})", GPL_ONLY))
    return findings
