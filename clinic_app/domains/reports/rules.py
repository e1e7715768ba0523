"""The scan report's sections, declared once: the form, the PDF and the SR iterate them.

Headings in the SR are coded as PS3.16 TID 2000 asks: the section heading from CID 7001 and
the narrative item it holds from CID 7002. CID 7002 has no item for an addendum; being
extensible, the heading's own concept is used.
"""

from __future__ import annotations

from clinic_app.records.sections import Concept, Section, SectionKind

#: The longest text a section of a report accepts.
TEXT_MAX = 8000
#: The longest body region kept (longer words are cut, as they always were).
BODY_REGION_MAX = 40

_HISTORY = Concept("11329-0", "LN", "History")
_REQUEST = Concept("55115-0", "LN", "Request")
_ADDENDUM = Concept("55107-7", "LN", "Addendum")

#: In the order the report is read and printed.
SECTIONS: tuple[Section, ...] = (
    Section(
        "body_region",
        "Body region",
        SectionKind.STRUCTURED,
        max_length=BODY_REGION_MAX,
        prints=False,
    ),
    Section(
        "history",
        "Clinical history",
        max_length=TEXT_MAX,
        empty_words="None recorded.",
        sr_heading=(_HISTORY, _HISTORY),
    ),
    Section("request", "Request", max_length=TEXT_MAX, sr_heading=(_REQUEST, _REQUEST)),
    Section(
        "findings",
        "Findings",
        max_length=TEXT_MAX,
        letter=True,
        required=True,
        empty_words="Not yet written.",
        sr_heading=(
            Concept("59776-5", "LN", "Findings"),
            Concept("121071", "DCM", "Finding"),
        ),
    ),
    Section("measurements", "Measurements", SectionKind.STRUCTURED, empty_words="None recorded."),
    Section(
        "impression",
        "Impression",
        max_length=TEXT_MAX,
        letter=True,
        required=True,
        empty_words="Not yet written.",
        sr_heading=(
            Concept("19005-8", "LN", "Impressions"),
            Concept("121073", "DCM", "Impression"),
        ),
    ),
    Section(
        "recommendations",
        "Recommendations",
        max_length=TEXT_MAX,
        letter=True,
        empty_words="None.",
        sr_heading=(
            Concept("18783-1", "LN", "Recommendations"),
            Concept("121075", "DCM", "Recommendation"),
        ),
    ),
    Section(
        "addendum",
        "Addendum",
        max_length=TEXT_MAX,
        letter=True,
        amendment=True,
        sr_heading=(_ADDENDUM, _ADDENDUM),
    ),
    Section("key_images", "Key images", SectionKind.STRUCTURED, empty_words="None marked."),
)
