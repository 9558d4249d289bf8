"""An order's timeline as a person reads it (pure): who did each step by name, every instant in the one format.

Staff see each step's `actor` (a user id, or `workflow`) beside the name; a resident sees names only: the ids in
the steps' notes (e.g. "dispatched to tech_zhao") are replaced by the people's names too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from orders.domain.records import TimelineEntry
from shared.clock import iso, parse

WORKFLOW = "workflow"
PLATFORM = ("邻里平台", "platform")
# Words that look like user ids (e.g. tech_zhao, res_w3, usr_01h…): looked up, and replaced where they are one.
_ID_LIKE = re.compile(r"\b[a-z]+_[A-Za-z0-9_]+\b")


def ids_in(entries: Iterable[TimelineEntry]) -> set[str]:
    """The user ids a timeline names: its actors and the id-like words of its notes."""
    found: set[str] = set()
    for entry in entries:
        if entry.actor != WORKFLOW:
            found.add(entry.actor)
        found.update(_ID_LIKE.findall(entry.note or ""))
    return found


def instant(at: str) -> str:
    """Any ISO instant with an offset, in the platform's one format (UTC, milliseconds, `Z`)."""
    try:
        return iso(parse(at))
    except ValueError:
        return at


def view_entries(entries: Iterable[TimelineEntry], people: Mapping[str, tuple[str, str]], *, for_resident: bool) -> list[dict]:
    """`people`: user id → (name, role). For a resident, no ids: the actor is left out and notes name people."""
    shown = []
    for entry in entries:
        name, role = PLATFORM if entry.actor == WORKFLOW else people.get(entry.actor, ("", ""))
        note = entry.note
        if for_resident and note:
            note = _ID_LIKE.sub(lambda m: people[m.group(0)][0] if m.group(0) in people else m.group(0), note)
        shown.append(
            {
                "status": entry.status,
                "at": instant(entry.at),
                "actor": None if for_resident else entry.actor,
                "actor_name": name or ("" if for_resident else entry.actor),
                "actor_role": role or None,
                "note": note,
            }
        )
    return shown
