"""Claim wording within the data (pure): labels that say no more than the stored history holds.

A "52-week" label needs a full year of sessions on record (``facts["history"]``, built by
``newsroom.facts.build_history``); with fewer, the label says what there is ("129-session
high"). The verifier (``newsroom.verify``) holds every writer to the same rules.
"""

from __future__ import annotations

from typing import Any

RANGE_KINDS = {"high52": "high", "low52": "low"}


def range_label(f: dict[str, Any]) -> str:
    """ "52-week" with a full year on record, else "N-session" (N the sessions the range spans)."""
    history = f.get("history") or {}
    return str(history.get("range_label") or "52-week")


def full_year(f: dict[str, Any]) -> bool:
    return bool((f.get("history") or {}).get("full_year", True))


def level_label(lv: dict[str, Any], default: str) -> str:
    """A level's label: the fact sheet's own for range extremes ("129-session high"), else
    ``default`` (the writer's label for the kind)."""
    return str(lv.get("label") or default)


def sessions_note(f: dict[str, Any]) -> str | None:
    """What a short history leaves out, said once: None with a full year on record."""
    history = f.get("history") or {}
    if history.get("full_year", True):
        return None
    return f"{history.get('sessions', 0)} sessions on record"
