"""What the server checks in a pushed merge of two registrations, and in a possible duplicate.

On a device a person merges only a pair the server flagged as possibly one person, still open,
into one of its two records, and neither record merged elsewhere as far as the device knows
(``people.merge.DuplicateService``); dismissing a pair says "not the same person" and ends
it. A tampered device could push a merge of any two patients, which every laptop would then
show as one person (and a study of one could leave for the PACS under the other's name), so
the server holds a pushed merge to the same rules (``sync.hooks.on_checked``):

- it names a possible duplicate, not removed, whose two records are exactly the merge's two,
  and the two are not one registration;
- the pair is open, or marked merged (a device sends the pair's new status and the merge
  together, the pair first), never dismissed: a person has said they are two people;
- the merge names as its maker whoever pushes it.

A pair merged twice, as two people merging it on two laptops offline may, is taken: both
merges name the same two registrations of one person, and every device follows them to one
record (``people.duplicates.survivor_of``). A pair moves only from open to merged or
dismissed, with who settled it (whoever pushes it), when and why; it is never opened again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from clinic_app.people.duplicates import DISMISSED, MERGED, OPEN
from clinic_app.people.model import PatientDuplicate, PatientMerge
from clinic_app.sync.hooks import on_checked

Row = Mapping[str, Any]
#: A merge of two records nobody flagged as possibly one person (or of a record with itself).
NOT_A_PAIR = "sync.merge_not_a_pair"
#: A merge of a pair a person has said are two people.
DISMISSED_PAIR = "sync.merge_dismissed"
#: A merge, or a pair settled, that names nobody (or someone else) as who did it.
NOBODY_NAMED = "sync.nobody_named"
#: A pair moved other than from open to merged or dismissed.
STEP_REFUSED = "sync.step_refused"


def merge_refusal(conn: Connection, after: Row, stored: Row | None) -> str | None:
    """Why a pushed merge is not one the app would make; None when it is.

    A merge is never changed once made (its table is append-only): only a new one is judged.
    """
    if stored is not None:
        return None
    if after.get("merged_by") is None or after.get("merged_by") != after.get("created_by"):
        return NOBODY_NAMED
    survivor, merged = after.get("survivor_id"), after.get("merged_id")
    duplicate_id = after.get("duplicate_id")
    if survivor is None or duplicate_id is None or survivor == merged:
        return NOT_A_PAIR
    pair = conn.execute(
        select(
            PatientDuplicate.first_patient_id,
            PatientDuplicate.second_patient_id,
            PatientDuplicate.status,
            PatientDuplicate.deleted,
        ).where(PatientDuplicate.id == duplicate_id)
    ).first()
    if (
        pair is None
        or pair.deleted
        or {pair.first_patient_id, pair.second_patient_id}
        != {
            survivor,
            merged,
        }
    ):
        return NOT_A_PAIR
    if pair.status == DISMISSED:
        return DISMISSED_PAIR
    return None


def duplicate_refusal(_conn: Connection, after: Row, stored: Row | None) -> str | None:
    """Why a pushed change to a possible duplicate is not one the app would make; or None.

    A device never makes a pair (the server flags them; its table rule refuses a new one).
    """
    if stored is None or after.get("status") == stored.get("status"):
        return None
    if stored.get("status") != OPEN or after.get("status") not in (MERGED, DISMISSED):
        return STEP_REFUSED
    if after.get("resolved_by") is None or after.get("resolved_by") != after.get("updated_by"):
        return NOBODY_NAMED
    if after.get("resolved_at") is None or not str(after.get("resolution_reason") or "").strip():
        return STEP_REFUSED
    return None


def merged_pair_kept(conn: Connection, after: Row, stored: Row | None) -> str | None:
    """A pair with a merge standing on it stays merged.

    ``duplicate_refusal`` alone allows open → dismissed; a pair whose merge came first (in
    the same batch, or from another laptop) is never dismissed after it.
    """
    if stored is None or after.get("status") == MERGED:
        return None
    standing = conn.execute(
        select(PatientMerge.id)
        .where(PatientMerge.duplicate_id == after.get("id"), PatientMerge.deleted.is_(False))
        .limit(1)
    ).first()
    return STEP_REFUSED if standing is not None else None


on_checked(PatientMerge.__tablename__, "a_flagged_pair", merge_refusal)
on_checked(PatientDuplicate.__tablename__, "open_to_settled", duplicate_refusal)
on_checked(PatientDuplicate.__tablename__, "merge_stands", merged_pair_kept)
