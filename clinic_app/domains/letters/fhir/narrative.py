"""Section narrative: plain letter text as a FHIR XHTML div, and the check of a div received.

FHIR narrative is a restricted XHTML ``div`` in the XHTML namespace: no scripts, forms,
frames or event attributes (FHIR R4 Narrative, invariant txt-1 and txt-2). The text written
here comes from a clinician, so every character is escaped; nothing typed can add markup.
"""

from __future__ import annotations

import re
from html import escape
from xml.etree import ElementTree

XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Elements FHIR narrative forbids (active or external content).
_FORBIDDEN = frozenset(
    {"script", "style", "form", "input", "button", "iframe", "frame", "object", "embed"}
    | {"applet", "base", "link", "meta", "textarea", "select"}
)


def narrative_div(text: str) -> str:
    """Turn plain text into an XHTML div: paragraphs at blank lines, line breaks kept.

    Args:
        text: the section text as the clinician wrote it.

    Returns:
        ``<div xmlns="http://www.w3.org/1999/xhtml">`` with one ``<p>`` per paragraph.
        Empty text still gives one empty paragraph, so the div is never empty.
    """
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [part.strip() for part in _PARAGRAPH_BREAK.split(normalised) if part.strip()]
    if not paragraphs:
        paragraphs = [""]
    body = "".join(
        "<p>" + "<br/>".join(escape(line, quote=False) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
    )
    return f'<div xmlns="{XHTML_NAMESPACE}">{body}</div>'


def div_problem(div: object) -> str | None:
    """Why a narrative div is not acceptable FHIR narrative, or None when it is.

    Returns:
        ``"missing"``, ``"not_xml"``, ``"not_xhtml_div"``, ``"forbidden_element"``,
        ``"event_attribute"`` or ``"empty"``.
    """
    if not isinstance(div, str) or not div.strip():
        return "missing"
    try:
        root = ElementTree.fromstring(div)
    except ElementTree.ParseError:
        return "not_xml"
    if root.tag != f"{{{XHTML_NAMESPACE}}}div":
        return "not_xhtml_div"
    return _content_problem(root)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _content_problem(root: ElementTree.Element) -> str | None:
    for element in root.iter():
        if _local(element.tag) in _FORBIDDEN:
            return "forbidden_element"
        if any(_local(name).startswith("on") for name in element.attrib):
            return "event_attribute"
    if not "".join(root.itertext()).strip():
        return "empty"
    return None
