"""Threads kept off the store: their owner marks them, and the store refuses work on them.

The app's task runner does all store work on one worker thread, and marks the threads of its
I/O pool (files, DICOM, PDF, network) as kept off the store. A transaction begun on a marked
thread is refused at once, so a flow that slips store work onto the I/O pool fails in every
test run instead of racing the store worker in a clinic. Threads nobody marked (the sync
scheduler, the PACS sender, the DICOM listeners' handlers, a script) are never refused.

No SQLAlchemy here: the UI marks its threads without importing the store.
"""

from __future__ import annotations

import threading


class StoreRefusedOnThisThread(RuntimeError):
    """Store work was started on a thread kept off the store: a fault in the code."""


_marks = threading.local()


def keep_store_off_this_thread(owner: str) -> None:
    """Mark the calling thread as one the store refuses, for the rest of its life.

    Args:
        owner: who runs the thread, named in the error (e.g. "the UI's I/O pool").
    """
    _marks.owner = owner


def store_allowed_here() -> bool:
    """False on a thread marked by :func:`keep_store_off_this_thread`."""
    return getattr(_marks, "owner", None) is None


def refuse_if_kept_off() -> None:
    """Raise if the calling thread is kept off the store.

    Raises:
        StoreRefusedOnThisThread: naming the thread and its owner.
    """
    owner = getattr(_marks, "owner", None)
    if owner is not None:
        name = threading.current_thread().name
        raise StoreRefusedOnThisThread(
            f"store work on thread {name!r} of {owner}, which is kept off the store: "
            "run the store step on the store worker and hand its result on"
        )
